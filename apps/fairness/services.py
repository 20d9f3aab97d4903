"""Writes of self-reported group data: a candidate's voluntary answers, and forgetting them."""

from __future__ import annotations

from django.db import transaction

from apps.interviews.models import Candidate

from .dimensions import DIMENSIONS, choices
from .models import SelfReport


@transaction.atomic
def record(*, candidate: Candidate, answers: dict[str, str]) -> int:
    """Store a candidate's answers (dimension -> value); an empty answer removes an earlier
    one. Unknown dimensions or values raise ValueError and store nothing. Returns how many
    answers are kept."""
    for dimension, value in answers.items():
        if dimension not in DIMENSIONS:
            raise ValueError(f"{dimension}: not a question we ask")
        if value and value not in dict(choices(dimension)):
            raise ValueError(f"{dimension}: {value!r} is not one of the choices")
    kept = 0
    for dimension, value in answers.items():
        if value:
            SelfReport.objects.update_or_create(
                candidate=candidate,
                dimension=dimension,
                defaults={"organization_id": candidate.organization_id, "value": value},
            )
            kept += 1
        else:
            SelfReport.objects.filter(candidate=candidate, dimension=dimension).delete()
    return kept


def forget(candidate: Candidate) -> int:
    """Erasure: delete every self-reported answer of the candidate. Returns how many."""
    deleted, _ = SelfReport.objects.filter(candidate=candidate).delete()
    return deleted
