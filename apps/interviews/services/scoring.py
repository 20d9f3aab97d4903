"""Scoring with apps.scoring: a session (what its stage showed) and its application (every
non-cancelled stage pooled, SCORING.md v2), in the transaction of the change that moved them,
or many in bulk.

ORM rows become the engine's plain inputs here, and its results are stored here; nothing else
calls the engine for a stored result.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from apps.scoring import engine

from .. import events
from ..models import (
    Answer,
    Application,
    CandidateSession,
    ItemNote,
    Rating,
    Scorecard,
    SessionItem,
)


def scoring_constants() -> engine.Constants:
    overrides = getattr(settings, "SCORING_CONSTANTS", None) or {}
    return engine.Constants.from_dict(overrides) if overrides else engine.DEFAULTS


def _load_inputs(session_ids: list[int]) -> dict[int, dict]:
    """Everything the engine needs for these sessions, as plain values (4 queries).

    Reading tuples rather than model instances keeps a bulk rescore of many sessions fast.
    """
    inputs: dict[int, dict] = {
        sid: {
            "items": [],
            "cards": [],
            "ratings": defaultdict(dict),
            "flags": defaultdict(set),
            "discussed": set(),
            "not_asked": set(),  # (card id, item id) pairs
        }
        for sid in session_ids
    }
    fields = ("pk", "session_id", "question_key", "competency_key", "track_tag", "level",
              "weight", "rubric", "red_flags")  # fmt: skip
    # Sessions of one kit share their frozen rubrics: read the JSON as text and decode each
    # distinct text once (decoding dominated a bulk rescore otherwise).
    decoded: dict[str, Any] = {}

    def decode(text: str) -> Any:
        if text not in decoded:
            decoded[text] = json.loads(text)
        return decoded[text]

    rows = (
        SessionItem.objects.filter(session_id__in=session_ids)
        .order_by("session_id", "order")
        .annotate(
            rubric_text=Cast("rubric", TextField()), flags_text=Cast("red_flags", TextField())
        )
        .values_list(*fields[:-2], "rubric_text", "flags_text")
    )
    for row in rows:
        item = dict(zip(fields, row, strict=True))
        item["rubric"], item["red_flags"] = decode(row[-2]), decode(row[-1])
        inputs[row[1]]["items"].append(item)
    submitted = Scorecard.objects.filter(
        session_id__in=session_ids, status=Scorecard.Status.SUBMITTED
    )
    for card_id, session_id in submitted.order_by("pk").values_list("pk", "session_id"):
        inputs[session_id]["cards"].append(card_id)
    for session_id, card_id, item_id, key, value in Rating.objects.filter(
        scorecard__in=submitted
    ).values_list("scorecard__session_id", "scorecard_id", "item_id", "criterion_key", "value"):
        inputs[session_id]["ratings"][(card_id, item_id)][key] = value
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
        item_ratings = []
        for card_id in asked_by:
            given = data["ratings"].get((card_id, item["pk"]), {})
            pairs = tuple(
                (given[c["key"]], c["weight"]) for c in item["rubric"] if c["key"] in given
            )
            if pairs not in memo:
                memo[pairs] = engine.item_rating(pairs)
            value = memo[pairs]
            if value is not None:
                item_ratings.append(value)
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


def _store_results(sessions: list[CandidateSession], now) -> None:
    """One parameterised UPDATE per session, sent as a batch (``executemany``): much cheaper
    than ``bulk_update``'s CASE expressions for large JSON values. Bumps ``updated_at`` so ATS
    clients polling ``updated_since`` see the new result."""
    table = CandidateSession._meta.db_table
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = f"UPDATE {table} SET result = %s{cast}, scored_at = %s, updated_at = %s WHERE id = %s"  # noqa: S608 - table name from model meta
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(json.dumps(s.result), now, now, s.pk) for s in sessions])


def sessions_rescore(*, session_ids: Iterable[int], chunk_size: int = 500) -> int:
    """Recompute and store the results of many sessions, a chunk at a time (a constant number
    of queries per chunk). Returns the number of sessions scored."""
    ids = list(session_ids)
    constants = scoring_constants()
    memo: dict = {}
    done = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic():
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
            now = timezone.now()
            for session in sessions:
                session.result = _score(session, inputs[session.pk], constants, memo)
            _store_results(sessions, now)
        done += len(sessions)
    return done


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
    application.scored_at = timezone.now() if application.result else None
    application.save(update_fields=["result", "scored_at", "updated_at"])
    if application.result:
        events.emit("application.scored", application)
    return application.result


def applications_rescore(*, application_ids: Iterable[int], chunk_size: int = 500) -> int:
    """Recompute and store the results of many applications, a chunk at a time (a constant
    number of queries per chunk). Returns the number of applications scored."""
    ids = list(application_ids)
    constants = scoring_constants()
    memo: dict = {}
    done = 0
    table = Application._meta.db_table
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = f"UPDATE {table} SET result = %s{cast}, scored_at = %s, updated_at = %s WHERE id = %s"  # noqa: S608 - table name from model meta
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic():
            applications = list(
                Application.objects.select_for_update()
                .filter(pk__in=chunk)
                .only(
                    "pk", "role_track", "role_level", "role_weights", "role_bar", "role_panel_size"
                )
            )
            sessions = _active_sessions([a.pk for a in applications])
            inputs = _load_inputs([sid for rows in sessions.values() for sid, _, _ in rows])
            now = timezone.now()
            rows = []
            for application in applications:
                result = _application_result(
                    application, sessions[application.pk], inputs, constants, memo
                )
                rows.append((json.dumps(result) if result else None, now if result else None,
                             now, application.pk))  # fmt: skip
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
        done += len(applications)
    return done


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
    session.scored_at = timezone.now()
    fields = ["result", "scored_at", "updated_at"]
    if panel_complete(session) and session.status != CandidateSession.Status.CANCELLED:
        session.status = CandidateSession.Status.SCORED
        fields.append("status")
    session.save(update_fields=fields)
    if session.status == CandidateSession.Status.SCORED:
        events.emit("session.scored", session)
    application_rescore(application=session.application)
    return session.result
