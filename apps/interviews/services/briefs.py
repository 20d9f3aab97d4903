"""Role briefs: the MES/MOM reading of the job ad, competency weights, the suggested kit."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import Organization
from apps.bank.models import Kit, Plan
from apps.bank.services import kit_weights_clean

from .. import briefcheck
from ..models import (
    Position,
    PositionStage,
)

PHRASEBOOK_PATH = Path(settings.BASE_DIR) / "fixtures" / "role_phrases.yaml"


#: A job ad longer than this is refused: real ads are 2-10 KB, and the check's time grows with
#: the text (a 1 MB paste took 17 s).
JOB_AD_MAX_BYTES = 50 * 1024


def job_ad_validate(text: str, *, field: str = "job_description") -> str:
    """The one cap on a job ad's size (the brief form, its check and the services)."""
    size = len((text or "").encode("utf-8"))
    if size > JOB_AD_MAX_BYTES:
        raise ValidationError(
            {
                field: f"The job ad is {size // 1024} KB; the limit is "
                f"{JOB_AD_MAX_BYTES // 1024} KB. Paste the role's own text without "
                "attachments or repeated boilerplate."
            }
        )
    return text or ""


def brief_check_run(*, title: str, description: str) -> dict:
    """The advisory MES/MOM reading of a job ad (apps.interviews.briefcheck)."""
    job_ad_validate(description)
    book = briefcheck.load_phrasebook(PHRASEBOOK_PATH)
    return briefcheck.check_brief(title=title, description=description, book=book).to_dict()


def weights_validate(weights: Mapping[str, float], *, field: str = "competency_weights") -> dict:
    """Competency weights: known competencies, non-negative, summing to 1 within the bank's
    tolerance; returned normalised to sum to 1. The rule lives once, in
    ``apps.bank.services.kit_weights_clean`` (kits and positions share it); a position also
    needs at least one weight."""
    try:
        cleaned = kit_weights_clean(weights)
    except ValidationError as exc:
        raise ValidationError({field: exc.message_dict["competency_weights"]}) from None
    if not cleaned:
        raise ValidationError({field: "Give at least one competency a weight."})
    return cleaned


def kit_suggest(*, organization: Organization, track_key: str, level: int) -> Kit | None:
    """The live kit for this track and level (the organization's own first, then shipped)."""
    kits = Kit.objects.visible_to(organization).filter(
        track__key=track_key, level_id=level, take_home=False
    )
    return kits.own_first().first()


def plan_suggest(*, organization: Organization, track_key: str, level: int) -> Plan | None:
    """The interview plan for this track and level (the organization's own first, then
    shipped)."""
    plans = Plan.objects.visible_to(organization).filter(track__key=track_key, level_id=level)
    return plans.own_first().first()


@transaction.atomic
def position_plan_apply(*, position: Position, plan: Plan) -> list[PositionStage]:
    """Copy a plan's stages into the position (replacing its stages), so the organization can
    then edit them without touching the plan. Sessions already run for a replaced stage keep
    their frozen questions and results; only their link to the old stage is cleared."""
    if plan.organization_id not in (None, position.organization_id):
        raise ValidationError({"plan": "Choose a plan of your organization or a shipped plan."})
    position.stages.all().delete()
    stages = PositionStage.objects.bulk_create(
        PositionStage(
            position=position,
            order=order,
            name=stage.name,
            mode=stage.mode,
            kit_id=stage.kit_id,
            expected_minutes=stage.expected_minutes,
            panel_size=stage.panel_size,
        )
        for order, stage in enumerate(plan.stages.order_by("order", "pk"))
    )
    Position.objects.filter(pk=position.pk).update(plan=plan)
    position.plan = plan
    return stages


@transaction.atomic
def position_create(
    *, organization: Organization, created_by, plan: Plan | None = None, **fields
) -> Position:
    """A role brief, with its interview plan copied from ``plan`` or, when none is given, the
    plan suggested for its track and level (if the bank has one)."""
    position = Position(organization=organization, created_by=created_by)
    position = _position_write(position, fields)
    plan = plan or plan_suggest(
        organization=organization, track_key=position.track.key, level=position.level_id
    )
    if plan is not None:
        position_plan_apply(position=position, plan=plan)
    return position


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
    job_ad_validate(position.job_description)
    position.brief_check = brief_check_run(
        title=position.title, description=position.job_description
    )
    position.full_clean()
    position.save()
    return position
