"""Role briefs: the MES/MOM reading of the job ad, competency weights, the suggested kit."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import Organization
from apps.bank.models import Competency, Kit

from .. import briefcheck
from ..models import (
    Position,
)

WEIGHT_TOLERANCE = 1e-3
PHRASEBOOK_PATH = Path(settings.BASE_DIR) / "fixtures" / "role_phrases.yaml"


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
    return kits.own_first().first()


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
