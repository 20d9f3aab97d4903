"""Bulk export of sessions and applications for ATS clients: NDJSON and CSV, streamed.

On PostgreSQL the server writes the lines and the response streams COPY's output: NDJSON lines
are concatenated from ids, the joined candidate and position text and each row's stored export
part (the result's stretch of the line, written with the result: see
apps/interviews/services/export_parts.py), in the order of the (organization, updated_at, id)
index so the first bytes leave at once; CSV rows extract the result's fields (JSON key
lookups). Elsewhere the rows are read in chunks and written in Python. Either way memory stays
flat however many sessions there are, and a client that sends ``Accept-Encoding: gzip`` gets
the stream gzip-compressed (level 1, ``Content-Encoding`` and ``Vary`` set). CSV cells that a
spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) are prefixed with a
quote (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.renderers import JSONRenderer

from apps.interviews.models import Application, CandidateSession
from apps.interviews.services import export_parts

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
APPLICATION_COLUMNS = [
    "application_id", "candidate_id", "candidate_name", "candidate_email", "position_id",
    "position_title", "client_company", "state", "label", "p_above", "score", "band_low",
    "band_high", "bar", "track_fit", "track_orientation", "level_fit", "scoring_version",
    "created_at", "updated_at", "scored_at",
]  # fmt: skip
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _result_columns() -> dict:
    """The stored result's fields, extracted by the database (JSON key lookups)."""
    return {
        "candidate_name": F("candidate__name"),
        "candidate_email": F("candidate__email"),
        "position_title": F("position__title"),
        "client_company": F("position__client_company"),
        "label": KT("result__label"),
        "score": KT("result__score"),
        "band_low": KT("result__band__0"),
        "band_high": KT("result__band__1"),
        "track_fit": KT("result__track__fit"),
        "track_orientation": KT("result__track__orientation"),
        "level_fit": KT("result__level_fit"),
        "scoring_version": KT("result__scoring_version"),
    }


@dataclass(frozen=True)
class Export:
    """What one export streams: its rows' model, filter and columns."""

    name: str
    model: type
    filterset: type
    columns: list[str]

    def annotations(self) -> dict:
        columns = _result_columns()
        if self.model is Application:
            columns["application_id"] = F("id")
            columns["p_above"] = KT("result__p_above")
            columns["bar"] = KT("result__bar")
            # No number while the label is incomplete: ATS users filter and bulk-reject on it.
            columns["score"] = Case(
                When(result__label="incomplete", then=Value(None)),
                default=Cast(KT("result__score"), FloatField()),
                output_field=FloatField(),
            )
        else:
            columns["session_id"] = F("id")
        return columns


SESSIONS = Export("sessions", CandidateSession, filters.SessionFilter, COLUMNS)
APPLICATIONS = Export("applications", Application, filters.ApplicationFilter, APPLICATION_COLUMNS)


def _filtered(organization, params, export: Export):
    """The organization's rows the client's filters select (400 on a bad filter)."""
    qs = export.model.objects.filter(organization=organization)
    filterset = export.filterset(params, queryset=qs)
    filterset.extra_params = frozenset()  # no pagination: the export is one stream
    if not filterset.is_valid():
        raise serializers.ValidationError(filterset.errors)
    return filterset.qs.order_by("updated_at", "id")


def export_queryset(organization, params, export: Export = SESSIONS):
    """The organization's rows, filtered and ordered, one aliased column per column name."""
    return (
        _filtered(organization, params, export)
        .annotate(**export.annotations())
        .values_list(*export.columns)
    )


# -- PostgreSQL: the database writes the lines --------------------------------------------------
#
# Turning 100k rows into Python objects and back into text costs far more than the query. On
# PostgreSQL the export therefore asks the server to build each NDJSON line (json_build_object)
# or CSV row (COPY ... CSV, formula cells escaped in SQL) and streams COPY's output blocks as
# they arrive: the same rows at a multiple of the Python path's rate, memory still flat.

NUMERIC = {"score", "band_low", "band_high", "p_above", "bar"}
TEXT = {
    "candidate_name", "candidate_email", "position_title", "client_company", "label",
    "track_fit", "track_orientation", "level_fit", "scoring_version", "mode", "status", "state",
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


def _pg_copy_sql(qs, fmt: str, columns: list[str] = COLUMNS) -> tuple[str, tuple]:
    """COPY around the ORM's own SQL. Every name interpolated here is one of our constants;
    user input reaches the query only as the ORM's bound parameters."""
    inner, params = qs.query.sql_with_params()
    if fmt == "ndjson":
        pairs = ", ".join(f"'{c}', {_pg_value(c)}" for c in columns)
        # CSV format with a quote and delimiter that never occur in JSON text (control
        # characters are escaped by json_build_object): each line comes out verbatim.
        sql = (
            f"COPY (SELECT json_build_object({pairs})::text FROM ({inner}) AS t) TO STDOUT "  # noqa: S608
            "WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
        )
    else:
        cols = ", ".join(f'{_pg_csv_value(c)} AS "{c}"' for c in columns)
        sql = f"COPY (SELECT {cols} FROM ({inner}) AS t) TO STDOUT WITH (FORMAT csv, HEADER)"  # noqa: S608
    return sql, params


# -- PostgreSQL NDJSON from the stored parts ----------------------------------------------------
#
# The lines are concatenated from the row's ids and enum text, the candidate's and position's
# text (joined now, so an erased candidate is never streamed from a stale copy), the stored
# export part (apps/interviews/services/export_parts.py: the result's stretch of the line,
# written with the result) and the times. The bytes are exactly those json_build_object gave
# (_pg_copy_sql, still the CSV path): " : " after keys, ", " between pairs. The index
# (organization, updated_at, id) gives the rows in the line order, so the first lines leave
# before the last row is read (no sort), when the planner does not prefer hashing.

INTS = {"session_id", "application_id", "candidate_id", "position_id"}
SOURCES = {"session_id": "id", "application_id": "id"}


def _line_queryset(organization, params, export: Export):
    """The rows a line is built from: raw columns, the stored part and (for rows without a
    part) the result."""
    related = {
        "candidate_name": F("candidate__name"),
        "candidate_email": F("candidate__email"),
        "position_title": F("position__title"),
        "client_company": F("position__client_company"),
        "stored_part": F("export_part"),
        "stored_result": F("result"),
    }
    keys = set(export_parts.part_keys(export.model))
    names = [SOURCES.get(c, c) for c in export.columns if c not in keys]
    return (
        _filtered(organization, params, export)
        .annotate(**related)
        .values_list(*names, "stored_part", "stored_result")
    )


def _pg_json(column: str) -> str:
    ref = f't."{SOURCES.get(column, column)}"'
    if column in INTS:
        return f"{ref}::text"
    if column in TIMES:
        return f"""coalesce('"' || {PG_TIME.format(ref=ref)} || '"', 'null')"""
    return f"coalesce(to_json({ref})::text, 'null')"


def _pg_line_sql(qs, export: Export) -> tuple[str, tuple]:
    """COPY of the lines (see above). Every name interpolated here is one of our constants;
    user input reaches the query only as the ORM's bound parameters."""
    inner, params = qs.query.sql_with_params()
    keys = export_parts.part_keys(export.model)
    start = export.columns.index(keys[0])
    if export.columns[start : start + len(keys)] != keys:
        raise ValueError(f"the stored part's keys are not a run of {export.name}' columns")
    part = export_parts.fallback_sql(export.model, 't."stored_part"', 't."stored_result"')
    pieces, text, n = [], "{", 0
    while n < len(export.columns):
        text += ", " if n else ""
        if n == start:
            pieces += [f"'{text}'", part]
            n += len(keys)
        else:
            pieces += [f"'{text}\"{export.columns[n]}\" : '", _pg_json(export.columns[n])]
            n += 1
        text = ""
    pieces.append("'}'")
    line = " || ".join(p for p in pieces if p != "''")
    sql = (
        f"COPY (SELECT {line} FROM ({inner}) AS t) TO STDOUT "  # noqa: S608
        "WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
    )
    return sql, params


def _pg_copy_stream(sql: str, params) -> Iterator[bytes]:
    # psycopg 3 binds the ORM's parameters client-side for COPY. COPY hands over about a row
    # per block: gather them into ~64 KB writes, or the server pays per tiny chunk. The first
    # write goes out as soon as it holds a line (time to first byte).
    buffer, size, limit = [], 0, 1
    with connection.cursor() as cursor, cursor.cursor.copy(sql, params) as copy:
        for block in copy:
            buffer.append(bytes(block))
            size += len(block)
            if size >= limit:
                yield b"".join(buffer)
                buffer, size, limit = [], 0, STREAM_CHUNK_BYTES
    if buffer:
        yield b"".join(buffer)


def _pg_stream(qs, fmt: str, columns: list[str] = COLUMNS) -> Iterator[bytes]:
    """The older path: the database extracts the result's fields for each row and writes the
    line with json_build_object (NDJSON), or the CSV row. CSV uses it; NDJSON uses it as the
    reference the stored-part lines are checked against."""
    return _pg_copy_stream(*_pg_copy_sql(qs, fmt, columns))


def _number(value):
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _plain(row: tuple, columns: list[str] = COLUMNS) -> dict:
    out = dict(zip(columns, row, strict=True))
    for key in NUMERIC.intersection(out):
        out[key] = _number(out[key])
    if out.get("level_fit") is not None:
        # Stored as a number or "none"; text as the API and PostgreSQL's ->> give it.
        out["level_fit"] = str(out["level_fit"])
    for key in ("created_at", "updated_at", "scored_at"):
        if isinstance(out[key], datetime):
            out[key] = out[key].astimezone(UTC).isoformat(timespec="microseconds")
    return out


def _ndjson(rows, columns: list[str] = COLUMNS) -> Iterator[bytes]:
    buffer = []
    for n, row in enumerate(rows, 1):
        buffer.append(json.dumps(_plain(row, columns), separators=(",", ":")))
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


def _csv(rows, columns: list[str] = COLUMNS) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield writer.writerow(columns).encode()
    buffer = []
    for n, row in enumerate(rows, 1):
        buffer.append(writer.writerow([safe_cell(v) for v in _plain(row, columns).values()]))
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


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header accepts gzip (RFC 9110: a q of 0 refuses it)."""
    for token in header.split(","):
        name, _, params = token.partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip"):
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def gzipped(stream: Iterator[bytes]) -> Iterator[bytes]:
    """The stream gzip-compressed at level 1 (the export is CPU-bound: level 1 keeps most of
    the ratio at a fraction of the cost), still streamed: the first piece is flushed at once
    (time to first byte), then pieces leave whenever deflate emits them."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: the gzip container
    first = True
    for chunk in stream:
        out = compressor.compress(chunk)
        if first:
            out += compressor.flush(zlib.Z_SYNC_FLUSH)
            first = False
        if out:
            yield out
    yield compressor.flush()


def _stream_response(
    request, fmt: str, content_type: str, export: Export = SESSIONS
) -> StreamingHttpResponse:
    organization, params = request.auth.organization, request.query_params
    if connection.vendor == "postgresql" and fmt == "ndjson":
        qs = _line_queryset(organization, params, export)
        stream = _pg_copy_stream(*_pg_line_sql(qs, export))
    elif connection.vendor == "postgresql":
        stream = _pg_stream(export_queryset(organization, params, export), fmt, export.columns)
    else:
        qs = export_queryset(organization, params, export)
        stream = PYTHON_WRITERS[fmt](qs.iterator(chunk_size=CHUNK), export.columns)
    gzip = accepts_gzip(request.headers.get("Accept-Encoding", ""))
    response = StreamingHttpResponse(gzipped(stream) if gzip else stream, content_type=content_type)
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept-Encoding"])
    if gzip:
        response["Content-Encoding"] = "gzip"
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


APPLICATION_EXPORT_PARAMS = [
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="ISO 8601 with zone."),
    OpenApiParameter("state", OpenApiTypes.STR, enum=Application.State.values),
]


@extend_schema(
    parameters=APPLICATION_EXPORT_PARAMS,
    responses={(200, "application/x-ndjson"): OpenApiTypes.STR, **EXPORT_ERRORS},
    description="Every application (candidate for a position, all stages pooled), one JSON "
    "object per line, streamed. `score` is null while the label is incomplete.",
)
@api_view(["GET"])
@renderer_classes([NDJSONRenderer, JSONRenderer])
def applications_ndjson(request):
    return _stream_response(request, "ndjson", "application/x-ndjson", APPLICATIONS)


@extend_schema(
    parameters=APPLICATION_EXPORT_PARAMS,
    responses={(200, "text/csv"): OpenApiTypes.STR, **EXPORT_ERRORS},
    description="Every application as CSV (formula cells neutralised); `score` is empty while "
    "the label is incomplete.",
)
@api_view(["GET"])
@renderer_classes([CSVRenderer, JSONRenderer])
def applications_csv(request):
    response = _stream_response(request, "csv", "text/csv; charset=utf-8", APPLICATIONS)
    response["Content-Disposition"] = 'attachment; filename="applications.csv"'
    return response
