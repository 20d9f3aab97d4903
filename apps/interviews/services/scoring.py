"""Scoring with apps.scoring: a session (what its stage showed) and its application (every
non-cancelled stage pooled, SCORING.md v2), in the transaction of the change that moved them,
or many in bulk.

ORM rows become the engine's plain inputs here, and its results are stored here; nothing else
calls the engine for a stored result.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.scoring import engine

from .. import events
from ..models import (
    Answer,
    Application,
    CandidateSession,
    FrozenQuestion,
    ItemNote,
    Rating,
    Scorecard,
    SessionItem,
)
from . import export_parts


def scoring_constants() -> engine.Constants:
    overrides = getattr(settings, "SCORING_CONSTANTS", None) or {}
    return engine.Constants.from_dict(overrides) if overrides else engine.DEFAULTS


_MISSING = object()
# Separators of the ratings signature (criterion key, value; one criterion from the next):
# control characters that never occur in a rubric's criterion keys.
_KV, _SEP = "\x1f", "\x1e"


def _ratings_signatures(card_ids: list[int]) -> dict[tuple[int, int], str]:
    """Each submitted card's ratings of each item as one string, ``key<US>value<RS>...``.

    PostgreSQL aggregates them (one row per card and item instead of one per criterion: a
    bulk rescore read millions of rating rows otherwise); elsewhere Python builds the same
    strings. Equal strings on items of one frozen version give one item rating (the memo in
    ``_card_ratings``). The criteria's order within a string does not matter (it is parsed
    back into a dict); no ORDER BY, which sorted every group."""
    if not card_ids:
        return {}
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT scorecard_id, item_id, string_agg(criterion_key || chr(31) || value, "  # noqa: S608 - table name from model meta
            f"chr(30)) FROM {Rating._meta.db_table} "
            "WHERE scorecard_id = ANY(%s) GROUP BY scorecard_id, item_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [card_ids])
            return {(card, item): sig for card, item, sig in cursor.fetchall()}
    parts: dict[tuple[int, int], list[str]] = defaultdict(list)
    for card, item, key, value in Rating.objects.filter(scorecard_id__in=card_ids).values_list(
        "scorecard_id", "item_id", "criterion_key", "value"
    ):
        parts[(card, item)].append(f"{key}{_KV}{value}")
    return {pair: _SEP.join(sorted(given)) for pair, given in parts.items()}


def _given(signature: str | None) -> dict[str, int]:
    """A ratings signature back as {criterion key: value}."""
    if not signature:
        return {}
    return {key: int(value) for key, value in (p.split(_KV) for p in signature.split(_SEP))}


def _load_inputs(session_ids: list[int]) -> dict[int, dict]:
    """Everything the engine needs for these sessions, as plain values (6 queries).

    Reading tuples rather than model instances keeps a bulk rescore of many sessions fast.
    ``ratings`` maps (card id, item id) to a ratings signature (``_ratings_signatures``) and
    is one dict shared by the sessions of the call; each item carries its frozen version's
    decoded rubric and red flags (read once per version, shared by its items).
    """
    ratings: dict[tuple[int, int], str] = {}
    inputs: dict[int, dict] = {
        sid: {
            "items": [],
            "cards": [],
            "ratings": ratings,
            "flags": defaultdict(set),
            "discussed": set(),
            "not_asked": set(),  # (card id, item id) pairs
        }
        for sid in session_ids
    }
    fields = ("pk", "session_id", "question_key", "competency_key", "track_tag", "level",
              "weight", "frozen_id")  # fmt: skip
    rows = list(
        SessionItem.objects.filter(session_id__in=session_ids)
        .order_by("session_id", "order")
        .values_list(*fields)
    )
    frozen = {
        pk: (rubric, flags)
        for pk, rubric, flags in FrozenQuestion.objects.filter(
            pk__in={row[-1] for row in rows}
        ).values_list("pk", "rubric", "red_flags")
    }
    for row in rows:
        item = dict(zip(fields, row, strict=True))
        item["rubric"], item["red_flags"] = frozen[row[-1]]
        inputs[row[1]]["items"].append(item)
    submitted = Scorecard.objects.filter(
        session_id__in=session_ids, status=Scorecard.Status.SUBMITTED
    )
    card_ids = []
    for card_id, session_id in submitted.order_by("pk").values_list("pk", "session_id"):
        inputs[session_id]["cards"].append(card_id)
        card_ids.append(card_id)
    ratings.update(_ratings_signatures(card_ids))
    for session_id, card_id, item_id, picked, not_asked in ItemNote.objects.filter(
        scorecard__in=submitted
    ).values_list("scorecard__session_id", "scorecard_id", "item_id", "red_flags", "not_asked"):
        if picked:
            inputs[session_id]["flags"][item_id].update(picked)
        if not_asked:
            inputs[session_id]["not_asked"].add((card_id, item_id))
    for session_id, item_id in Answer.objects.filter(
        item__session_id__in=session_ids, discussed_live_at__isnull=False
    ).values_list("item__session_id", "item_id"):
        inputs[session_id]["discussed"].add(item_id)
    return inputs


def _card_ratings(item: dict, cards: list[int], data: dict, memo: dict) -> dict[int, float]:
    """Each of ``cards``' rating of one item (``engine.item_rating``: the criterion-weighted
    mean), by scorecard id; a card that rated no weighted criterion of it gives none.

    The memo keys on (frozen version, ratings signature): the rubric is compiled once per
    version and pattern of ratings, not once per card and item."""
    out = {}
    ratings, pk, version = data["ratings"], item["pk"], item["frozen_id"]
    for card_id in cards:
        key = (version, ratings.get((card_id, pk)))
        value = memo.get(key, _MISSING)
        if value is _MISSING:
            given = _given(key[1])
            pairs = tuple(
                (given[c["key"]], c["weight"]) for c in item["rubric"] if c["key"] in given
            )
            value = memo[key] = engine.item_rating(pairs)
        if value is not None:
            out[card_id] = value
    return out


def card_item_ratings(*, session_ids: list[int]) -> list[tuple[int, int, str, int, float]]:
    """Every submitted scorecard's rating of every item it asked, as the score counts it:
    ``(session id, item id, question key, scorecard id, item rating)``. For calibration
    (agreement between interviewers), which must see the same ratings the scores rest on.
    A constant number of queries (those of ``_load_inputs``)."""
    inputs = _load_inputs(session_ids)
    memo: dict = {}
    out = []
    for session_id, data in inputs.items():
        for item in data["items"]:
            asked_by = [c for c in data["cards"] if (c, item["pk"]) not in data["not_asked"]]
            for card_id, value in _card_ratings(item, asked_by, data, memo).items():
                out.append((session_id, item["pk"], item["question_key"], card_id, value))
    return out


def _engine_items(
    mode: str, data: dict, memo: dict | None = None, *, discussed: bool = True
) -> list[engine.Item]:
    """The engine's items of one session. ``discussed``: honour "discussed live" marks; a
    stage's own result does not (the discussion happened in another stage), the pooled
    application's does."""
    source = "take_home" if mode == CandidateSession.Mode.TAKE_HOME else "live"
    memo = {} if memo is None else memo  # (rating, weight) pairs -> item rating, across items
    out = []
    not_asked = data.get("not_asked", set())
    for item in data["items"]:
        asked_by = [c for c in data["cards"] if (c, item["pk"]) not in not_asked]
        if data["cards"] and not asked_by:
            continue  # nobody asked it: no evidence either way, so the item is absent
        item_ratings = list(_card_ratings(item, asked_by, data, memo).values())
        flags = item["red_flags"]
        critical = [
            flags[i]["text"]
            for i in sorted(data["flags"].get(item["pk"], ()))
            if i < len(flags) and flags[i].get("critical")
        ]
        out.append(
            # Frozen items were validated when frozen; ratings are 0-4 by a database constraint.
            engine.Item.trusted(
                id=item["question_key"],
                competency=item["competency_key"],
                track=item["track_tag"],
                level=item["level"],
                weight=item["weight"],
                source=source,
                ratings=tuple(item_ratings),
                critical_flag_texts=tuple(critical),
                discussed_live=discussed and item["pk"] in data["discussed"],
            )
        )
    return out


def application_role(application: Application) -> engine.Role:
    """The role as frozen when the application began, as the engine takes it (bar 0..1)."""
    return engine.Role(
        track=application.role_track,
        level=application.role_level,
        weights=application.role_weights,
        bar=application.role_bar / 100,
        panel_size=application.role_panel_size,
    )


def _score(
    session: CandidateSession,
    data: dict,
    constants: engine.Constants,
    memo: dict | None = None,
    role: engine.Role | None = None,
) -> dict:
    """A session's own stage result: the session's frozen role, its application's bar."""
    role = role or engine.Role(
        track=session.role_track,
        level=session.role_level,
        weights=session.role_weights,
        bar=session.application.role_bar / 100,
        panel_size=session.application.role_panel_size,
    )
    items = _engine_items(session.mode, data, memo, discussed=False)
    result = engine.score(role, items, constants).to_dict()
    result["scorecards"] = len(data["cards"])
    return result


def _application_result(
    application: Application,
    sessions: list[tuple[int, str, Any]],
    inputs: dict[int, dict],
    constants: engine.Constants,
    memo: dict | None = None,
) -> dict | None:
    """Every non-cancelled stage pooled, plus how the band narrowed stage by stage.

    ``sessions`` holds (id, mode, created_at) of the application's non-cancelled sessions in
    the order they were created. None when no stage has a submitted scorecard yet."""
    if not any(inputs[sid]["cards"] for sid, _, _ in sessions):
        return None
    role = application_role(application)
    items: list[engine.Item] = []
    stages = []
    step = None
    for sid, mode, _ in sessions:
        step = None
        items.extend(_engine_items(mode, inputs[sid], memo))
        if not inputs[sid]["cards"]:
            continue
        step = engine.score(role, items, constants)
        stages.append(
            {
                "session": sid,
                "mode": mode,
                "score": round(step.score, 1) + 0.0,
                "band": [round(100 * step.band[0], 1) + 0.0, round(100 * step.band[1], 1) + 0.0],
                "label": step.label,
            }
        )
    # The last stage's pooled result is the application's when that stage has ratings.
    result = (step or engine.score(role, items, constants)).to_dict()
    result["scorecards"] = sum(len(inputs[sid]["cards"]) for sid, _, _ in sessions)
    result["stages"] = stages
    return result


class Rescored(int):
    """How many rows a bulk rescore scored; ``written``: how many of them changed and were
    stored (an unchanged result is not written, so ``updated_at`` stays put)."""

    written: int = 0

    @classmethod
    def of(cls, scored: int, written: int) -> Rescored:
        out = cls(scored)
        out.written = written
        return out


def store_results(model: type, rows: list[tuple[int, dict | None]], now) -> set[int]:
    """Store results: the one writer of ``result`` on sessions and applications, for single
    changes (submit, correction, cancel, discussed live) and bulk rescores alike.

    Writes only the rows whose result changed (or whose stored export part is missing or out
    of date), bumping ``updated_at`` (ATS clients poll ``updated_since``) and ``scored_at``
    (cleared with the result); returns the ids written. On PostgreSQL one statement per call
    (the rows as two arrays), which also writes the export part from the same result
    (services/export_parts.py); elsewhere one UPDATE per row."""
    if not rows:
        return set()
    table = model._meta.db_table
    texts = [(pk, None if result is None else json.dumps(result)) for pk, result in rows]
    if connection.vendor == "postgresql":
        # Each result text is parsed to jsonb once and its part computed once: a flattened
        # subquery re-ran ``txt::jsonb`` for every one of the part's dozen references (two
        # thirds of the statement's time). ``OFFSET 0`` keeps the parse in its subquery,
        # MATERIALIZED keeps the part in the CTE.
        part = export_parts.part_sql(model, "j.r")
        sql = (
            f"WITH v AS MATERIALIZED (SELECT j.id, j.r, {part} AS p FROM ("  # noqa: S608 - names from model meta and constants
            "SELECT u.id, u.txt::jsonb AS r FROM unnest(%b::bigint[], %b::text[]) AS u(id, txt) "
            f"OFFSET 0) AS j) UPDATE {table} AS t SET result = v.r, export_part = v.p, "
            "scored_at = CASE WHEN v.r IS NULL THEN NULL ELSE %s END, updated_at = %s FROM v "
            "WHERE t.id = v.id AND (t.result IS DISTINCT FROM v.r "
            "OR t.export_part IS DISTINCT FROM v.p) RETURNING t.id"
        )
        # Parameters bound by the server, the arrays in binary: Django's client-side binding
        # escaped every quote of every result into an array literal (a third of a bulk
        # rescore's time). Same connection, so the caller's transaction.
        # Wrapped as Django wraps its own cursors, so query counts and logs still see it.
        connection.ensure_connection()
        raw = psycopg.Cursor(connection.connection)
        wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
        with wrap(raw) as cursor:
            cursor.execute(sql, [[pk for pk, _ in texts], [t for _, t in texts], now, now])
            return {pk for (pk,) in cursor.fetchall()}
    # Django stores JSON as json.dumps text here, so equal results compare equal as text.
    sql = (
        f"UPDATE {table} SET result = %s, scored_at = %s, updated_at = %s "  # noqa: S608 - table name from model meta
        "WHERE id = %s AND result IS NOT %s"
    )
    written = set()
    with connection.cursor() as cursor:
        for pk, text in texts:
            cursor.execute(sql, [text, None if text is None else now, now, pk, text])
            if cursor.rowcount:
                written.add(pk)
    return written


def sessions_rescore(*, session_ids: Iterable[int], chunk_size: int = 500) -> Rescored:
    """Recompute and store the results of many sessions, a chunk at a time (a constant number
    of queries per chunk). Returns the number of sessions scored (``.written``: stored)."""
    ids = list(session_ids)
    constants = scoring_constants()
    memo: dict = {}
    done = written = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic(), _gc_paused():
            sessions = list(
                CandidateSession.objects.select_for_update(of=("self",))
                .select_related("application")
                .filter(pk__in=chunk)
                .only(
                    "pk",
                    "mode",
                    "role_track",
                    "role_level",
                    "role_weights",
                    "application__role_bar",
                    "application__role_panel_size",
                )
            )
            inputs = _load_inputs([s.pk for s in sessions])
            rows = [(s.pk, _score(s, inputs[s.pk], constants, memo)) for s in sessions]
            written += len(store_results(CandidateSession, rows, timezone.now()))
        done += len(sessions)
    return Rescored.of(done, written)


@contextmanager
def _gc_paused():
    """No cyclic garbage collection inside a bulk chunk: scoring allocates many small objects
    and none of them forms a cycle, so the collector's passes were pure cost (it runs again,
    and catches up, when the chunk ends)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _active_sessions(application_ids: list[int]) -> dict[int, list[tuple[int, str, Any]]]:
    by_application: dict[int, list[tuple[int, str, Any]]] = {a: [] for a in application_ids}
    rows = (
        CandidateSession.objects.filter(application_id__in=application_ids)
        .exclude(status=CandidateSession.Status.CANCELLED)
        .order_by("created_at", "pk")
        .values_list("application_id", "pk", "mode", "created_at")
    )
    for application_id, pk, mode, created in rows:
        by_application[application_id].append((pk, mode, created))
    return by_application


def application_rescore(*, application: Application) -> dict | None:
    """Score the application from every non-cancelled stage and store it (in the caller's
    transaction); announces ``application.scored`` when there is a result."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    sessions = _active_sessions([application.pk])[application.pk]
    inputs = _load_inputs([sid for sid, _, _ in sessions])
    application.result = _application_result(application, sessions, inputs, scoring_constants())
    now = timezone.now()
    if store_results(Application, [(application.pk, application.result)], now):
        application.scored_at = now if application.result else None
        application.updated_at = now
    if application.result:
        events.emit("application.scored", application)
    return application.result


def applications_rescore(*, application_ids: Iterable[int], chunk_size: int = 500) -> Rescored:
    """Recompute and store the results of many applications, a chunk at a time (a constant
    number of queries per chunk). Returns the number of applications scored (``.written``:
    how many changed and were stored)."""
    ids = list(application_ids)
    constants = scoring_constants()
    memo: dict = {}
    done = written = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic(), _gc_paused():
            applications = list(
                Application.objects.select_for_update()
                .filter(pk__in=chunk)
                .only(
                    "pk", "role_track", "role_level", "role_weights", "role_bar", "role_panel_size"
                )
            )
            sessions = _active_sessions([a.pk for a in applications])
            inputs = _load_inputs([sid for rows in sessions.values() for sid, _, _ in rows])
            rows = [
                (a.pk, _application_result(a, sessions[a.pk], inputs, constants, memo))
                for a in applications
            ]
            written += len(store_results(Application, rows, timezone.now()))
        done += len(applications)
    return Rescored.of(done, written)


def panel_complete(session: CandidateSession) -> bool:
    """Every assigned interviewer has submitted a scorecard (and someone is assigned): what
    makes a session ``scored``, and what a panel that gains a member no longer is."""
    assigned = set(session.interviewers.values_list("pk", flat=True))
    done = set(
        session.scorecards.filter(status=Scorecard.Status.SUBMITTED).values_list(
            "interviewer_id", flat=True
        )
    )
    return bool(assigned) and assigned <= done


def session_rescore(*, session: CandidateSession) -> dict:
    """Score one session from its submitted scorecards and store the result (in the caller's
    transaction), then its application. The status becomes ``scored`` once every assigned
    interviewer submitted."""
    session = (
        CandidateSession.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=session.pk)
    )
    data = _load_inputs([session.pk])[session.pk]
    session.result = _score(session, data, scoring_constants())
    now = timezone.now()
    if store_results(CandidateSession, [(session.pk, session.result)], now):
        session.scored_at = session.updated_at = now
    Status = CandidateSession.Status
    if session.status not in (Status.CANCELLED, Status.SCORED) and panel_complete(session):
        session.status = Status.SCORED
        CandidateSession.objects.filter(pk=session.pk).update(status=session.status, updated_at=now)
    if session.status == Status.SCORED:
        events.emit("session.scored", session)
    application_rescore(application=session.application)
    return session.result
