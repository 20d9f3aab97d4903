"""Scoring sessions with apps.scoring: one session in its submit transaction, many in bulk."""

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
        sid: {"items": [], "cards": [], "ratings": defaultdict(dict), "flags": defaultdict(set)}
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
    for session_id, item_id, picked in ItemNote.objects.filter(scorecard__in=submitted).values_list(
        "scorecard__session_id", "item_id", "red_flags"
    ):
        if picked:
            inputs[session_id]["flags"][item_id].update(picked)
    return inputs


def _engine_items(mode: str, data: dict, memo: dict | None = None) -> list[engine.Item]:
    source = "take_home" if mode == CandidateSession.Mode.TAKE_HOME else "live"
    memo = {} if memo is None else memo  # (rating, weight) pairs -> item rating, across items
    out = []
    for item in data["items"]:
        item_ratings = []
        for card_id in data["cards"]:
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
            engine.Item(
                id=item["question_key"],
                competency=item["competency_key"],
                track=item["track_tag"],
                level=item["level"],
                weight=item["weight"],
                source=source,
                ratings=item_ratings,
                critical_flags=len(critical),
                critical_flag_texts=critical,
            )
        )
    return out


def _score(
    session: CandidateSession, data: dict, constants: engine.Constants, memo: dict | None = None
) -> dict:
    role = engine.Role(
        track=session.role_track, level=session.role_level, weights=session.role_weights
    )
    result = engine.score(role, _engine_items(session.mode, data, memo), constants).to_dict()
    result["scorecards"] = len(data["cards"])
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
                CandidateSession.objects.select_for_update()
                .filter(pk__in=chunk)
                .only("pk", "mode", "role_track", "role_level", "role_weights")
            )
            inputs = _load_inputs([s.pk for s in sessions])
            now = timezone.now()
            for session in sessions:
                session.result = _score(session, inputs[session.pk], constants, memo)
            _store_results(sessions, now)
        done += len(sessions)
    return done


def session_rescore(*, session: CandidateSession) -> dict:
    """Score one session from its submitted scorecards and store the result (in the caller's
    transaction). The status becomes ``scored`` once every assigned interviewer submitted."""
    session = CandidateSession.objects.select_for_update().get(pk=session.pk)
    data = _load_inputs([session.pk])[session.pk]
    session.result = _score(session, data, scoring_constants())
    session.scored_at = timezone.now()
    assigned = set(session.interviewers.values_list("pk", flat=True))
    done = set(
        session.scorecards.filter(status=Scorecard.Status.SUBMITTED).values_list(
            "interviewer_id", flat=True
        )
    )
    fields = ["result", "scored_at", "updated_at"]
    if assigned and assigned <= done and session.status != CandidateSession.Status.CANCELLED:
        session.status = CandidateSession.Status.SCORED
        fields.append("status")
    session.save(update_fields=fields)
    if session.status == CandidateSession.Status.SCORED:
        events.emit("session.scored", session)
    return session.result
