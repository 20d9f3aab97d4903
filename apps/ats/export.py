"""Bulk export of sessions for ATS clients: NDJSON and CSV, streamed.

The rows come from one query read in chunks (a server-side cursor on PostgreSQL), with the
result's fields extracted by the database (JSON key lookups), so memory stays flat however
many sessions there are. CSV cells that a spreadsheet would run as a formula (starting with
=, +, -, @, tab or CR) are prefixed with a quote (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime

from django.db.models.fields.json import KT
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.renderers import JSONRenderer

from apps.interviews.models import CandidateSession

from . import filters
from .api import AUTH, _err

CHUNK = 2000
COLUMNS = [
    "session_id", "candidate_id", "candidate_name", "candidate_email", "position_id",
    "position_title", "client_company", "mode", "status", "label", "score", "band_low",
    "band_high", "track_fit", "track_orientation", "level_fit", "scoring_version", "created_at",
    "updated_at", "scored_at",
]  # fmt: skip
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_rows(organization, params) -> Iterator[tuple]:
    qs = CandidateSession.objects.filter(organization=organization)
    filterset = filters.SessionFilter(params, queryset=qs)
    filterset.extra_params = frozenset()  # no pagination: the export is one stream
    if not filterset.is_valid():
        raise serializers.ValidationError(filterset.errors)
    return (
        filterset.qs.order_by("updated_at", "id")
        .annotate(
            label=KT("result__label"),
            score=KT("result__score"),
            band_low=KT("result__band__0"),
            band_high=KT("result__band__1"),
            track_fit=KT("result__track__fit"),
            track_orientation=KT("result__track__orientation"),
            level_fit=KT("result__level_fit"),
            scoring_version=KT("result__scoring_version"),
        )
        .values_list(
            "id",
            "candidate_id",
            "candidate__name",
            "candidate__email",
            "position_id",
            "position__title",
            "position__client_company",
            "mode",
            "status",
            "label",
            "score",
            "band_low",
            "band_high",
            "track_fit",
            "track_orientation",
            "level_fit",
            "scoring_version",
            "created_at",
            "updated_at",
            "scored_at",
        )
        .iterator(chunk_size=CHUNK)
    )


def _number(value):
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _plain(row: tuple) -> dict:
    out = dict(zip(COLUMNS, row, strict=True))
    for key in ("score", "band_low", "band_high"):
        out[key] = _number(out[key])
    for key in ("created_at", "updated_at", "scored_at"):
        if isinstance(out[key], datetime):
            out[key] = out[key].isoformat()
    return out


def _ndjson(rows) -> Iterator[bytes]:
    buffer = []
    for n, row in enumerate(rows, 1):
        buffer.append(json.dumps(_plain(row), separators=(",", ":")))
        if n % 500 == 0:
            yield ("\n".join(buffer) + "\n").encode()
            buffer = []
    if buffer:
        yield ("\n".join(buffer) + "\n").encode()


def safe_cell(value):
    """Neutralise spreadsheet formulas in text cells (numbers are left as numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


class _Echo:
    def write(self, value):
        return value


def _csv(rows) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS).encode()
    buffer = []
    for n, row in enumerate(rows, 1):
        buffer.append(writer.writerow([safe_cell(v) for v in _plain(row).values()]))
        if n % 500 == 0:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


class NDJSONRenderer(JSONRenderer):
    """Lets clients ask for NDJSON; error bodies are still plain JSON."""

    media_type = "application/x-ndjson"
    format = "ndjson"


class CSVRenderer(JSONRenderer):
    media_type = "text/csv"
    format = "csv"


EXPORT_PARAMS = [
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="ISO 8601 with zone."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=CandidateSession.Status.values),
    OpenApiParameter("mode", OpenApiTypes.STR, enum=CandidateSession.Mode.values),
]
EXPORT_ERRORS = {**AUTH, 400: _err("Invalid filter value.")}


@extend_schema(
    parameters=EXPORT_PARAMS,
    responses={(200, "application/x-ndjson"): OpenApiTypes.STR, **EXPORT_ERRORS},
    description="Every session of your organization, one JSON object per line, streamed.",
)
@api_view(["GET"])
@renderer_classes([NDJSONRenderer, JSONRenderer])
def sessions_ndjson(request):
    rows = export_rows(request.auth.organization, request.query_params)
    response = StreamingHttpResponse(_ndjson(rows), content_type="application/x-ndjson")
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    parameters=EXPORT_PARAMS,
    responses={(200, "text/csv"): OpenApiTypes.STR, **EXPORT_ERRORS},
    description="Every session of your organization as CSV (formula cells neutralised).",
)
@api_view(["GET"])
@renderer_classes([CSVRenderer, JSONRenderer])
def sessions_csv(request):
    rows = export_rows(request.auth.organization, request.query_params)
    response = StreamingHttpResponse(_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sessions.csv"'
    response["Cache-Control"] = "no-store"
    return response
