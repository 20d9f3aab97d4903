"""Writes of the interviews domain. Every interface (pages, API, tasks, commands) calls these.

Services take keyword-only arguments, validate with ``full_clean`` or explicit checks, raise
``ValidationError`` with field-level messages, and run in one transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Prefetch, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from apps.accounts.models import Organization
from apps.bank.models import Anchor, Competency, Criterion, Kit, Question
from apps.bank.services import questions_lock
from apps.scoring import engine

from . import briefcheck, events
from .models import (
    Candidate,
    CandidateSession,
    ItemNote,
    Position,
    Rating,
    Scorecard,
    ScorecardCorrection,
    SessionItem,
)

WEIGHT_TOLERANCE = 1e-3
PHRASEBOOK_PATH = Path(settings.BASE_DIR) / "fixtures" / "role_phrases.yaml"


# -- role briefs ------------------------------------------------------------------------------


def brief_check_run(*, title: str, description: str) -> dict:
    """The advisory MES/MOM reading of a job ad (apps.interviews.briefcheck)."""
    book = briefcheck.load_phrasebook(PHRASEBOOK_PATH)
    return briefcheck.check_brief(title=title, description=description, book=book).to_dict()


def weights_validate(weights: Mapping[str, float], *, field: str = "competency_weights") -> dict:
    """Competency weights: known competencies, non-negative, summing to 1."""
    known = set(Competency.objects.values_list("key", flat=True))
    cleaned = {k: float(v) for k, v in weights.items() if float(v) != 0.0}
    unknown = sorted(set(cleaned) - known)
    if unknown:
        raise ValidationError({field: f"Unknown competencies: {', '.join(unknown)}."})
    if any(v < 0 for v in cleaned.values()):
        raise ValidationError({field: "Weights cannot be negative."})
    total = sum(cleaned.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise ValidationError(
            {field: f"Competency weights must add up to 1 (100%); they add up to {total:.3f}."}
        )
    return cleaned


def kit_suggest(*, organization: Organization, track_key: str, level: int) -> Kit | None:
    """The live kit for this track and level (the organization's own first, then shipped)."""
    kits = Kit.objects.visible_to(organization).filter(
        track__key=track_key, level_id=level, take_home=False
    )
    return kits.order_by("organization_id").first() or kits.first()


@transaction.atomic
def position_create(*, organization: Organization, created_by, **fields) -> Position:
    position = Position(organization=organization, created_by=created_by)
    return _position_write(position, fields)


@transaction.atomic
def position_update(*, position: Position, **fields) -> Position:
    return _position_write(position, fields)


def _position_write(position: Position, fields: dict) -> Position:
    for name, value in fields.items():
        setattr(position, name, value)
    kit = position.kit
    if kit.organization_id not in (None, position.organization_id):
        raise ValidationError({"kit": "Choose a kit of your organization or a shipped kit."})
    if not position.competency_weights:
        position.competency_weights = dict(kit.competency_weights)
    position.competency_weights = weights_validate(position.competency_weights)
    position.brief_check = brief_check_run(
        title=position.title, description=position.job_description
    )
    position.full_clean()
    position.save()
    return position


# -- candidates -------------------------------------------------------------------------------


def candidate_duplicate(*, organization: Organization, email: str) -> Candidate | None:
    return Candidate.objects.filter(
        organization=organization, email_normalized=email.strip().lower()
    ).first()


@transaction.atomic
def candidate_create(
    *, organization: Organization, name: str, email: str, phone: str = "", external_ids=None
) -> Candidate:
    existing = candidate_duplicate(organization=organization, email=email)
    if existing is not None:
        raise ValidationError(
            {"email": f"A candidate with this e-mail already exists: {existing.name}."},
            code="duplicate",
        )
    candidate = Candidate(
        organization=organization,
        name=name,
        email=email.strip(),
        phone=phone,
        external_ids=external_ids or {},
    )
    candidate.full_clean(exclude=["email_normalized"])
    candidate.save()
    events.emit("candidate.updated", candidate)
    return candidate


@transaction.atomic
def candidate_link_external(*, candidate: Candidate, ats: str, external_id: str) -> Candidate:
    """Remember an ATS's id for a candidate (idempotent); a different id already stored for
    that ATS is a conflict, not something to overwrite silently."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    current = candidate.external_ids.get(ats)
    if current == external_id:
        return candidate
    if current is not None:
        raise ValidationError(
            {"external_id": f"This candidate already has {ats} id {current}; not replacing it."}
        )
    candidate.external_ids = {**candidate.external_ids, ats: external_id}
    candidate.save(update_fields=["external_ids", "updated_at"])
    events.emit("candidate.updated", candidate)
    return candidate


# -- sessions ---------------------------------------------------------------------------------


def _freeze_rubric(question: Question) -> list[dict]:
    return [
        {
            "key": c.key,
            "label": c.label,
            "weight": c.weight,
            "anchors": {str(a.rating): a.text for a in c.anchors.all()},
        }
        for c in question.criteria.all()
    ]


@transaction.atomic
def session_create(
    *,
    position: Position,
    candidate: Candidate,
    mode: str = CandidateSession.Mode.LIVE,
    interviewers: Iterable = (),
    created_by=None,
    kit: Kit | None = None,
    question_keys: Iterable[str] | None = None,
) -> CandidateSession:
    """Create a session and freeze the kit's questions, rubrics and the role into it.

    ``question_keys`` narrows the kit to a chosen subset (a take-home of some items)."""
    if candidate.organization_id != position.organization_id:
        raise ValidationError({"candidate": "The candidate belongs to another organization."})
    interviewers = list(interviewers)
    member_ids = set(
        position.organization.memberships.filter(user__in=[u.pk for u in interviewers]).values_list(
            "user_id", flat=True
        )
    )
    if any(u.pk not in member_ids for u in interviewers):
        raise ValidationError(
            {"interviewers": "Interviewers must be members of your organization."}
        )
    kit = kit or position.kit
    session = CandidateSession(
        organization=position.organization,
        candidate=candidate,
        position=position,
        mode=mode,
        role_track=position.track.key,
        role_level=position.level_id,
        role_weights=dict(position.competency_weights),
        kit_key=kit.key,
        created_by=created_by,
    )
    session.full_clean()
    session.save()
    session.interviewers.set(interviewers)
    kit_items = kit.items.select_related(
        "question__competency", "question__track"
    ).prefetch_related(
        Prefetch(
            "question__criteria",
            queryset=Criterion.objects.prefetch_related(
                Prefetch("anchors", queryset=Anchor.objects.order_by("rating"))
            ),
        )
    )
    if question_keys is not None:
        kit_items = kit_items.filter(question__key__in=list(question_keys))
    items = []
    for order, ki in enumerate(kit_items):
        q = ki.question
        items.append(
            SessionItem(
                session=session,
                order=order,
                question=q,
                question_key=q.key,
                question_version=q.version,
                competency_key=q.competency.key,
                competency_name=q.competency.name,
                track_tag=q.track_tag,
                level=q.level_id,
                kind=q.kind,
                weight=ki.weight,
                prompt=q.prompt,
                guidance=q.guidance,
                key_points=list(q.key_points),
                follow_ups=list(q.follow_ups),
                red_flags=list(q.red_flags),
                rubric=_freeze_rubric(q),
                expected_minutes=q.expected_minutes,
            )
        )
    if not items:
        raise ValidationError({"kit": "The kit has no questions."})
    SessionItem.objects.bulk_create(items)
    questions_lock(question_ids=[i.question_id for i in items])
    events.emit("session.created", session)
    return session


@transaction.atomic
def session_assign_interviewers(*, session: CandidateSession, interviewers: Iterable) -> None:
    """Add interviewers to a session (sessions ordered by an ATS arrive without any)."""
    interviewers = list(interviewers)
    member_ids = set(
        session.organization.memberships.filter(user__in=[u.pk for u in interviewers]).values_list(
            "user_id", flat=True
        )
    )
    if any(u.pk not in member_ids for u in interviewers):
        raise ValidationError(
            {"interviewers": "Interviewers must be members of your organization."}
        )
    session = CandidateSession.objects.select_for_update().get(pk=session.pk)
    session.interviewers.add(*interviewers)
    CandidateSession.objects.filter(pk=session.pk).update(updated_at=timezone.now())


@transaction.atomic
def session_cancel(*, session: CandidateSession) -> CandidateSession:
    session = CandidateSession.objects.select_for_update().get(pk=session.pk)
    if session.status != CandidateSession.Status.CANCELLED:
        session.status = CandidateSession.Status.CANCELLED
        session.save(update_fields=["status", "updated_at"])
    return session


# -- scorecards -------------------------------------------------------------------------------


def scorecard_for(*, session: CandidateSession, interviewer) -> Scorecard:
    """The interviewer's own scorecard for an assigned session, created on first use."""
    scorecard, _ = Scorecard.objects.get_or_create(session=session, interviewer=interviewer)
    return scorecard


class ScorecardData:
    """What a form post carries: any subset of ratings, notes, red flags and the verdict.

    Fields absent from a post are left as they are, so two tabs editing different answers do
    not overwrite each other and an autosave of one field touches only that field.
    """

    def __init__(self) -> None:
        self.ratings: dict[tuple[int, str], int | None] = {}
        self.notes: dict[int, str] = {}
        self.red_flags: dict[int, list[int]] = {}
        self.recommendation: str | None = None
        self.overall_notes: str | None = None

    @classmethod
    def from_post(cls, post, items: Iterable[SessionItem]) -> ScorecardData:
        data = cls()
        errors: dict[str, str] = {}
        for item in items:
            for crit in item.rubric:
                name = f"r-{item.pk}-{crit['key']}"
                if name in post:
                    raw = post.get(name)
                    if raw in ("", None):
                        data.ratings[(item.pk, crit["key"])] = None
                    elif raw in {"0", "1", "2", "3", "4"}:
                        data.ratings[(item.pk, crit["key"])] = int(raw)
                    else:
                        errors[name] = "Choose one of the anchors (0-4)."
            if f"n-{item.pk}" in post:
                data.notes[item.pk] = post.get(f"n-{item.pk}", "")
            if f"f-{item.pk}-present" in post:
                picked = []
                for raw in post.getlist(f"f-{item.pk}"):
                    if raw.isdigit() and int(raw) < len(item.red_flags):
                        picked.append(int(raw))
                    else:
                        errors[f"f-{item.pk}"] = "Unknown red flag."
                data.red_flags[item.pk] = sorted(set(picked))
        if "recommendation" in post:
            rec = post.get("recommendation", "")
            if rec and rec not in Scorecard.Recommendation.values:
                errors["recommendation"] = "Choose a recommendation from the list."
            data.recommendation = rec
        if "notes" in post:
            data.overall_notes = post.get("notes", "")
        if errors:
            raise ValidationError(errors)
        return data


def _locked_draft(scorecard: Scorecard) -> Scorecard:
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.is_submitted:
        raise ValidationError(
            "This scorecard has been submitted and is read-only.", code="submitted"
        )
    return locked


def _apply(scorecard: Scorecard, data: ScorecardData) -> None:
    items = {i.pk: i for i in scorecard.session.items.all()}
    for (item_id, crit_key), value in data.ratings.items():
        if item_id not in items or crit_key not in items[item_id].criterion_keys:
            raise ValidationError({"ratings": f"Unknown criterion {crit_key!r} on item {item_id}."})
        if value is None:
            Rating.objects.filter(
                scorecard=scorecard, item_id=item_id, criterion_key=crit_key
            ).delete()
        else:
            Rating.objects.update_or_create(
                scorecard=scorecard,
                item_id=item_id,
                criterion_key=crit_key,
                defaults={"value": value},
            )
    for item_id in set(data.notes) | set(data.red_flags):
        if item_id not in items:
            raise ValidationError({"notes": f"Unknown item {item_id}."})
        defaults = {}
        if item_id in data.notes:
            defaults["notes"] = data.notes[item_id]
        if item_id in data.red_flags:
            defaults["red_flags"] = data.red_flags[item_id]
        ItemNote.objects.update_or_create(scorecard=scorecard, item_id=item_id, defaults=defaults)
    fields = ["updated_at"]
    if data.recommendation and data.recommendation not in Scorecard.Recommendation.values:
        raise ValidationError({"recommendation": "Choose a recommendation from the list."})
    if data.recommendation is not None:
        scorecard.recommendation = data.recommendation
        fields.append("recommendation")
    if data.overall_notes is not None:
        scorecard.notes = data.overall_notes
        fields.append("notes")
    scorecard.save(update_fields=fields)


@transaction.atomic
def scorecard_save_draft(*, scorecard: Scorecard, data: ScorecardData) -> Scorecard:
    scorecard = _locked_draft(scorecard)
    _apply(scorecard, data)
    session = scorecard.session
    if session.status == CandidateSession.Status.SCHEDULED:
        CandidateSession.objects.filter(pk=session.pk).update(
            status=CandidateSession.Status.IN_PROGRESS, updated_at=timezone.now()
        )
    return scorecard


def scorecard_missing(scorecard: Scorecard) -> list[tuple[SessionItem, dict]]:
    """Criteria not yet rated, in item order: what blocks a submit."""
    rated = set(scorecard.ratings.values_list("item_id", "criterion_key"))
    return [
        (item, crit)
        for item in scorecard.session.items.all()
        for crit in item.rubric
        if (item.pk, crit["key"]) not in rated
    ]


@transaction.atomic
def scorecard_submit(*, scorecard: Scorecard, data: ScorecardData | None = None) -> Scorecard:
    """Require every criterion rated and a verdict, lock the scorecard, rescore the session.

    Idempotent: submitting an already submitted scorecard changes nothing. Callers that carry
    form data save it with ``scorecard_save_draft`` first, so a refused submit loses nothing.
    """
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.is_submitted:
        return locked
    if data is not None:
        _apply(locked, data)
    errors: dict[str, list[str]] = defaultdict(list)
    for item, crit in scorecard_missing(locked):
        errors[f"r-{item.pk}-{crit['key']}"].append(
            f"Question {item.order + 1}: rate \u201c{crit['label']}\u201d before submitting."
        )
    if not locked.recommendation:
        errors["recommendation"].append("Choose an overall recommendation before submitting.")
    if errors:
        raise ValidationError(dict(errors))
    locked.status = Scorecard.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    session_rescore(session=locked.session)
    return locked


@transaction.atomic
def scorecard_correct(
    *,
    scorecard: Scorecard,
    corrected_by,
    reason: str,
    ratings: Mapping[tuple[int, str], int] | None = None,
    recommendation: str | None = None,
) -> list[ScorecardCorrection]:
    """An admin changes a submitted scorecard; every change is recorded, then the session is
    rescored."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the scorecard is corrected."})
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if not locked.is_submitted:
        raise ValidationError("Only submitted scorecards are corrected; drafts are edited.")
    items = {i.pk: i for i in locked.session.items.all()}
    current = {(r.item_id, r.criterion_key): r for r in locked.ratings.all()}
    records = []
    for (item_id, crit_key), value in (ratings or {}).items():
        if item_id not in items or crit_key not in items[item_id].criterion_keys:
            raise ValidationError({"ratings": f"Unknown criterion {crit_key!r} on item {item_id}."})
        if value not in range(5):
            raise ValidationError({"ratings": "Ratings are 0-4."})
        old = current.get((item_id, crit_key))
        if old is not None and old.value == value:
            continue
        records.append(
            ScorecardCorrection(
                scorecard=locked,
                field=f"rating:{items[item_id].question_key}:{crit_key}",
                old_value="" if old is None else str(old.value),
                new_value=str(value),
                reason=reason,
                corrected_by=corrected_by,
            )
        )
        Rating.objects.update_or_create(
            scorecard=locked, item_id=item_id, criterion_key=crit_key, defaults={"value": value}
        )
    if recommendation is not None and recommendation != locked.recommendation:
        if recommendation not in Scorecard.Recommendation.values:
            raise ValidationError({"recommendation": "Unknown recommendation."})
        records.append(
            ScorecardCorrection(
                scorecard=locked,
                field="recommendation",
                old_value=locked.recommendation,
                new_value=recommendation,
                reason=reason,
                corrected_by=corrected_by,
            )
        )
        locked.recommendation = recommendation
        locked.save(update_fields=["recommendation", "updated_at"])
    ScorecardCorrection.objects.bulk_create(records)
    if records:
        session_rescore(session=locked.session)
    return records


# -- scoring ----------------------------------------------------------------------------------


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
