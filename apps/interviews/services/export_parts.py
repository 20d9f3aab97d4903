"""The stored export part: a session's (or application's) stretch of its NDJSON export line
that depends only on the stored result, written in the same UPDATE as the result.

Why: on PostgreSQL the export (apps.ats.export) has the database write each line. Pulling
eight fields out of the large, TOASTed ``result`` JSON for every row cost most of the export's
time; the part is a short text column read as it is. The line is built from the row's ids, the
candidate's and position's text joined at read time (an erased candidate is never streamed
from a stale copy) and this part.

Rules it keeps:
- Exactly what ``json_build_object`` wrote for these keys in the export before the part existed
  (the pairs between the braces, ``"key" : value`` joined by ``, ``): the part is computed by
  PostgreSQL from the result with the same expressions, so the bytes are identical
  (tests/ats/test_export_parts.py rebuilds lines both ways and compares them).
- Written only by apps.interviews.services.scoring.store_results, with the result, in one
  statement; the data migration 0012 fills rows written before. A row whose part is missing
  is exported from its result (``fallback``), never from a guess.
- PostgreSQL only: on SQLite the part stays NULL and the export writes lines in Python.
"""

from __future__ import annotations

# (key, SQL expression over the result ``{r}``), in the export's column order. The expressions
# are those the ORM wrote for the export's annotations (KT(): ->> and #>>; numbers cast to
# numeric, as the line builder always did).
SESSION_PART = [
    ("label", "{r} ->> 'label'"),
    ("score", "({r} ->> 'score')::numeric"),
    ("band_low", "({r} #>> '{{band,0}}')::numeric"),
    ("band_high", "({r} #>> '{{band,1}}')::numeric"),
    ("track_fit", "{r} #>> '{{track,fit}}'"),
    ("track_orientation", "{r} #>> '{{track,orientation}}'"),
    ("level_fit", "{r} ->> 'level_fit'"),
    ("scoring_version", "{r} ->> 'scoring_version'"),
]
# An application shows no score while its label is incomplete (ATS users filter on it).
APPLICATION_PART = [
    ("label", "{r} ->> 'label'"),
    ("p_above", "({r} ->> 'p_above')::numeric"),
    (
        "score",
        "(CASE WHEN ({r} -> 'label') = '\"incomplete\"'::jsonb THEN NULL"
        " ELSE ({r} ->> 'score')::double precision END)::numeric",
    ),
    ("band_low", "({r} #>> '{{band,0}}')::numeric"),
    ("band_high", "({r} #>> '{{band,1}}')::numeric"),
    ("bar", "({r} ->> 'bar')::numeric"),
    ("track_fit", "{r} #>> '{{track,fit}}'"),
    ("track_orientation", "{r} #>> '{{track,orientation}}'"),
    ("level_fit", "{r} ->> 'level_fit'"),
    ("scoring_version", "{r} ->> 'scoring_version'"),
]
PARTS = {"candidatesession": SESSION_PART, "application": APPLICATION_PART}


def part_keys(model) -> list[str]:
    """The export columns the stored part covers, in line order."""
    return [key for key, _ in PARTS[model._meta.model_name]]


def part_sql(model, ref: str) -> str:
    """SQL for the part of the result ``ref`` (a jsonb expression): the pairs between
    json_build_object's braces. btrim is safe here: the first key is quoted and the last value
    is a quoted string or null, so only the two braces are removed."""
    pairs = ", ".join(
        f"'{key}', {expr.format(r=ref)}" for key, expr in PARTS[model._meta.model_name]
    )
    return f"btrim(json_build_object({pairs})::text, '{{}}')"


def fallback_sql(model, part_ref: str, result_ref: str) -> str:
    """The stored part, or the part computed from the result when none is stored."""
    return f"coalesce({part_ref}, {part_sql(model, result_ref)})"
