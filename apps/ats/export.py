"""Bulk export of sessions for ATS clients: NDJSON and CSV, streamed.

The rows come from one query with the result's fields extracted by the database (JSON key
lookups). On PostgreSQL the server also writes the lines and the response streams COPY's
output; elsewhere the rows are read in chunks and written in Python. Either way memory stays
flat however many sessions there are. CSV cells that a spreadsheet would run as a formula
(starting with =, +, -, @, tab or CR) are prefixed with a quote (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime

from django.db import connection
from django.db.models import F
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
STREAM_CHUNK_BYTES = 64 * 1024
COLUMNS = [
    "session_id", "candidate_id", "candidate_name", "candidate_email", "position_id",
    "position_title", "client_company", "mode", "status", "label", "score", "band_low",
    "band_high", "track_fit", "track_orientation", "level_fit", "scoring_version", "created_at",
    "updated_at", "scored_at",
]  # fmt: skip
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_queryset(organization, params):
    """The organization's sessions, filtered and ordered, one aliased column per COLUMNS."""
    qs = CandidateSession.objects.filter(organization=organization)
    filterset = filters.SessionFilter(params, queryset=qs)
    filterset.extra_params = frozenset()  # no pagination: the export is one stream
    if not filterset.is_valid():
        raise serializers.ValidationError(filterset.errors)
    return (
        filterset.qs.order_by("updated_at", "id")
        .annotate(
            session_id=F("id"),
            candidate_name=F("candidate__name"),
            candidate_email=F("candidate__email"),
            position_title=F("position__title"),
            client_company=F("position__client_company"),
            label=KT("result__label"),
            score=KT("result__score"),
            band_low=KT("result__band__0"),
            band_high=KT("result__band__1"),
            track_fit=KT("result__track__fit"),
            track_orientation=KT("result__track__orientation"),
            level_fit=KT("result__level_fit"),
            scoring_version=KT("result__scoring_version"),
        )
        .values_list(*COLUMNS)
    )


# -- PostgreSQL: the database writes the lines --------------------------------------------------
#
# Turning 100k rows into Python objects and back into text costs far more than the query. On
# PostgreSQL the export therefore asks the server to build each NDJSON line (json_build_object)
# or CSV row (COPY ... CSV, formula cells escaped in SQL) and streams COPY's output blocks as
# they arrive: the same rows at a multiple of the Python path's rate, memory still flat.

NUMERIC = {"score", "band_low", "band_high"}
TEXT = {
    "candidate_name", "candidate_email", "position_title", "client_company", "label",
    "track_fit", "track_orientation", "level_fit", "scoring_version", "mode", "status",
}  # fmt: skip
TIMES = {"created_at", "updated_at", "scored_at"}
SQL_FORMULA_CHARS = "'=', '+', '-', '@', chr(9), chr(13)"


# ISO 8601 in UTC with all six fraction digits, exactly as the Python path writes it.
PG_TIME = "to_char({ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"


def _pg_value(column: str) -> str:
    ref = f't."{column}"'
    if column in TIMES:
        return PG_TIME.format(ref=ref)
    return f"({ref})::numeric" if column in NUMERIC else ref


def _pg_csv_value(column: str) -> str:
    ref = f't."{column}"'
    if column in TEXT:
        # OWASP: a cell a spreadsheet would run as a formula gets a leading quote.
        starts = f"left({ref}, 1) IN ({SQL_FORMULA_CHARS})"
        return f"CASE WHEN {starts} THEN chr(39) || {ref} ELSE {ref} END"
    if column in TIMES:
        return PG_TIME.format(ref=ref)
    return ref


def _pg_copy_sql(qs, fmt: str) -> tuple[str, tuple]:
    """COPY around the ORM's own SQL. Every name interpolated here is one of our constants;
    user input reaches the query only as the ORM's bound parameters."""
    inner, params = qs.query.sql_with_params()
    if fmt == "ndjson":
        pairs = ", ".join(f"'{c}', {_pg_value(c)}" for c in COLUMNS)
        # CSV format with a quote and delimiter that never occur in JSON text (control
        # characters are escaped by json_build_object): each line comes out verbatim.
        sql = (
            f"COPY (SELECT json_build_object({pairs})::text FROM ({inner}) AS t) TO STDOUT "  # noqa: S608
            "WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
        )
    else:
        cols = ", ".join(f'{_pg_csv_value(c)} AS "{c}"' for c in COLUMNS)
        sql = f"COPY (SELECT {cols} FROM ({inner}) AS t) TO STDOUT WITH (FORMAT csv, HEADER)"  # noqa: S608
    return sql, params


def _pg_stream(qs, fmt: str) -> Iterator[bytes]:
    sql, params = _pg_copy_sql(qs, fmt)
    # psycopg 3 binds the ORM's parameters client-side for COPY. COPY hands over about a row
    # per block: gather them into ~64 KB writes, or the server pays per tiny chunk.
    buffer, size = [], 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql, params) as copy:
        for block in copy:
            buffer.append(bytes(block))
            size += len(block)
            if size >= STREAM_CHUNK_BYTES:
                yield b"".join(buffer)
                buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


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
            out[key] = out[key].astimezone(UTC).isoformat(timespec="microseconds")
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


PYTHON_WRITERS = {"ndjson": _ndjson, "csv": _csv}


def _stream_response(request, fmt: str, content_type: str) -> StreamingHttpResponse:
    qs = export_queryset(request.auth.organization, request.query_params)
    if connection.vendor == "postgresql":
        stream = _pg_stream(qs, fmt)
    else:
        stream = PYTHON_WRITERS[fmt](qs.iterator(chunk_size=CHUNK))
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    parameters=EXPORT_PARAMS,
    responses={(200, "application/x-ndjson"): OpenApiTypes.STR, **EXPORT_ERRORS},
    description="Every session of your organization, one JSON object per line, streamed.",
)
@api_view(["GET"])
@renderer_classes([NDJSONRenderer, JSONRenderer])
def sessions_ndjson(request):
    return _stream_response(request, "ndjson", "application/x-ndjson")


@extend_schema(
    parameters=EXPORT_PARAMS,
    responses={(200, "text/csv"): OpenApiTypes.STR, **EXPORT_ERRORS},
    description="Every session of your organization as CSV (formula cells neutralised).",
)
@api_view(["GET"])
@renderer_classes([CSVRenderer, JSONRenderer])
def sessions_csv(request):
    response = _stream_response(request, "csv", "text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sessions.csv"'
    return response
