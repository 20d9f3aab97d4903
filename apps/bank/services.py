"""Writes to the bank that interfaces other than the importer need (admin, sessions)."""

from __future__ import annotations

from django.db import transaction

from .models import Anchor, KitItem, Question


@transaction.atomic
def question_new_version(*, question: Question) -> Question:
    """Copy a question version (with its rubric) as the next, editable, draft version.

    The used version stays exactly as it was, so past sessions and scores keep their rubric;
    kits move to the new version.
    """
    current = Question.objects.select_for_update().get(pk=question.pk)
    if not current.is_latest:
        raise ValueError(f"{current} is not the latest version of {current.key}")
    criteria = list(current.criteria.prefetch_related("anchors"))
    Question.objects.filter(pk=current.pk).update(is_latest=False)
    new = Question.objects.get(pk=current.pk)
    new.pk = None
    new.version = current.version + 1
    new.is_latest = True
    new.locked = False
    new.status = Question.Status.DRAFT
    new.save()
    for crit in criteria:
        anchors = list(crit.anchors.all())
        crit.pk = None
        crit.question = new
        crit.save()
        Anchor.objects.bulk_create(
            [Anchor(criterion=crit, rating=a.rating, text=a.text) for a in anchors]
        )
    KitItem.objects.filter(question=current).update(question=new)
    return new


def questions_lock(*, question_ids: list[int]) -> None:
    """Mark question versions as used by a session: from now on edits make new versions."""
    Question.objects.filter(pk__in=question_ids, locked=False).update(locked=True)
