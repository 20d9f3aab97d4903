"""Scorecards: field-by-field drafts, submit (idempotent, locks), admin corrections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    CandidateSession,
    ItemNote,
    Rating,
    Scorecard,
    ScorecardCorrection,
    SessionItem,
)
from ..session_state import check_scoring_open
from .scoring import session_rescore


def scorecard_for(*, session: CandidateSession, interviewer) -> Scorecard:
    """The interviewer's own scorecard for an assigned session, created on first use."""
    scorecard, _ = Scorecard.objects.get_or_create(session=session, interviewer=interviewer)
    return scorecard


@dataclass
class ScorecardData:
    """What one save carries: any subset of ratings, notes, red flags, "not asked" marks,
    private scratch notes and the verdict (``forms.ScorecardForm`` builds it from a post).

    Fields absent from a save are left as they are, so two tabs editing different answers do
    not overwrite each other and an autosave of one field touches only that field.
    """

    ratings: dict[tuple[int, str], int | None] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    red_flags: dict[int, list[int]] = field(default_factory=dict)
    not_asked: dict[int, bool] = field(default_factory=dict)
    scratch: dict[int, str] = field(default_factory=dict)
    recommendation: str | None = None
    overall_notes: str | None = None


def _locked_draft(scorecard: Scorecard) -> Scorecard:
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.is_submitted:
        raise ValidationError(
            "This scorecard has been submitted and is read-only.", code="submitted"
        )
    check_scoring_open(locked.session)  # a take-home waits for the candidate's answers
    return locked


def _apply(scorecard: Scorecard, data: ScorecardData) -> None:
    items = {i.pk: i for i in scorecard.session.items.all()}
    for item_id in set(data.notes) | set(data.red_flags) | set(data.not_asked) | set(data.scratch):
        if item_id not in items:
            raise ValidationError({"notes": f"Unknown item {item_id}."})
    # "Not asked" first: a question marked not asked loses its ratings (they would count
    # nowhere), and a rating of a question still marked not asked is refused.
    not_asked = scorecard_not_asked(scorecard)
    for item_id, flag in data.not_asked.items():
        if flag:
            not_asked.add(item_id)
        else:
            not_asked.discard(item_id)
    marked = [item_id for item_id, flag in data.not_asked.items() if flag]
    if marked:
        Rating.objects.filter(scorecard=scorecard, item_id__in=marked).delete()
    for (item_id, crit_key), value in data.ratings.items():
        if item_id not in items or crit_key not in items[item_id].criterion_keys:
            raise ValidationError({"ratings": f"Unknown criterion {crit_key!r} on item {item_id}."})
        if value is None:
            Rating.objects.filter(
                scorecard=scorecard, item_id=item_id, criterion_key=crit_key
            ).delete()
            continue
        if item_id in not_asked:
            raise ValidationError(
                {
                    f"r-{item_id}-{crit_key}": f"Question {items[item_id].order + 1} is marked "
                    "not asked: clear \u201cNot asked\u201d to rate it."
                }
            )
        Rating.objects.update_or_create(
            scorecard=scorecard,
            item_id=item_id,
            criterion_key=crit_key,
            defaults={"value": value},
        )
    for item_id in set(data.notes) | set(data.red_flags) | set(data.not_asked) | set(data.scratch):
        defaults = {}
        if item_id in data.notes:
            defaults["notes"] = data.notes[item_id]
        if item_id in data.red_flags:
            defaults["red_flags"] = data.red_flags[item_id]
        if item_id in data.not_asked:
            defaults["not_asked"] = data.not_asked[item_id]
        if item_id in data.scratch:
            defaults["scratch"] = data.scratch[item_id]
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


def scorecard_not_asked(scorecard: Scorecard) -> set[int]:
    """Ids of the items this interviewer marked "not asked"."""
    return set(
        ItemNote.objects.filter(scorecard=scorecard, not_asked=True).values_list(
            "item_id", flat=True
        )
    )


def scorecard_missing(scorecard: Scorecard) -> list[tuple[SessionItem, dict]]:
    """Criteria of the asked questions not yet rated, in item order: what blocks a submit.
    A question marked "not asked" needs no rating."""
    rated = set(scorecard.ratings.values_list("item_id", "criterion_key"))
    skipped = scorecard_not_asked(scorecard)
    return [
        (item, crit)
        for item in scorecard.session.items.all()
        if item.pk not in skipped
        for crit in item.rubric
        if (item.pk, crit["key"]) not in rated
    ]


@transaction.atomic
def scorecard_submit(*, scorecard: Scorecard, data: ScorecardData | None = None) -> Scorecard:
    """Require every criterion of every asked question rated (at least one question asked)
    and a verdict, lock the scorecard, rescore the session.

    Idempotent: submitting an already submitted scorecard changes nothing. Callers that carry
    form data save it with ``scorecard_save_draft`` first, so a refused submit loses nothing.
    """
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.is_submitted:
        return locked
    check_scoring_open(locked.session)  # a take-home waits for the candidate's answers
    if data is not None:
        _apply(locked, data)
    errors: dict[str, list[str]] = defaultdict(list)
    for item, crit in scorecard_missing(locked):
        errors[f"r-{item.pk}-{crit['key']}"].append(
            f"Question {item.order + 1}: rate \u201c{crit['label']}\u201d before submitting."
        )
    items = list(locked.session.items.all())
    if items and len(scorecard_not_asked(locked)) >= len(items):
        errors["not_asked"].append(
            "Every question is marked not asked: rate at least one question you asked."
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
    for record in records:
        # One by one, not bulk_create: the audit trail (django-auditlog) logs each from its
        # post_save signal, which bulk_create does not send.
        record.save()
    if records:
        session_rescore(session=locked.session)
    return records
