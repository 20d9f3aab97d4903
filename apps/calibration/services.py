"""Writes of calibration: create, correct or delete a practice answer, submit a practice
rating.

Both validate with ``full_clean`` (every rubric criterion rated 0-4) and raise
``ValidationError`` naming the field; nothing is written when they do.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Organization
from apps.bank.models import Question
from apps.bank.services import questions_lock

from .models import PracticeAnswer, PracticeRating


@transaction.atomic
def practice_answer_create(
    *,
    organization: Organization,
    question: Question,
    answer: str,
    reference: dict[str, int],
    note: str,
    created_by=None,
) -> PracticeAnswer:
    """A reference answer to this exact question version. The version is locked (as a session
    locks it), so later edits make a new version and this reference keeps its rubric."""
    practice = PracticeAnswer(
        organization=organization,
        question=question,
        answer=answer,
        reference=reference,
        note=note,
        created_by=created_by,
    )
    practice.full_clean()
    practice.save()
    questions_lock(question_ids=[question.pk])
    return practice


@transaction.atomic
def practice_answer_update(
    *, practice: PracticeAnswer, answer: str, reference: dict[str, int], note: str
) -> PracticeAnswer:
    """Correct a practice answer's text, reference ratings or note (same question version).
    Members who rated it see their ratings against the corrected reference."""
    practice = PracticeAnswer.objects.select_for_update().get(pk=practice.pk)
    practice.answer, practice.reference, practice.note = answer, reference, note
    practice.full_clean()
    practice.save(update_fields=["answer", "reference", "note"])
    return practice


@transaction.atomic
def practice_answer_delete(*, practice: PracticeAnswer) -> None:
    """Delete a practice answer and the members' ratings of it (the question stays locked:
    a session may use it too)."""
    practice.delete()


@transaction.atomic
def practice_rating_submit(
    *, practice_answer: PracticeAnswer, user, ratings: dict[str, int]
) -> PracticeRating:
    """Record ``user``'s ratings; a second submission replaces the first (one row per user)."""
    rating = (
        PracticeRating.objects.select_for_update()
        .filter(practice_answer=practice_answer, user=user)
        .first()
    ) or PracticeRating(practice_answer=practice_answer, user=user)
    rating.ratings = ratings
    rating.submitted_at = timezone.now()
    rating.full_clean()
    rating.save()
    return rating
