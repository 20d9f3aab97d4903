"""Applications: one candidate for one position, the unit of decision (SCORING.md v2).

An application is created with the candidate's first session for the position and freezes the
role then; the recruiter moves it through the pipeline, each decision kept with who, when, why.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Answer, Application, ApplicationDecision, Candidate, CandidateSession, Position
from .scoring import application_rescore


def application_for(*, candidate: Candidate, position: Position) -> Application:
    """The candidate's application for the position, created (role frozen) on first use.

    Safe under concurrency: two first sessions created at once share one application."""
    if candidate.organization_id != position.organization_id:
        raise ValidationError({"candidate": "The candidate belongs to another organization."})
    existing = Application.objects.filter(
        organization_id=position.organization_id, candidate=candidate, position=position
    ).first()
    if existing is not None:
        return existing
    application = Application(
        organization_id=position.organization_id,
        candidate=candidate,
        position=position,
        role_track=position.track.key,
        role_level=position.level_id,
        role_weights=dict(position.competency_weights),
        role_bar=position.bar,
        role_panel_size=position.panel_size,
    )
    application.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        # Another request created it between our read and our insert: use theirs.
        return Application.objects.get(
            organization_id=position.organization_id, candidate=candidate, position=position
        )
    return application


@transaction.atomic
def application_decide(
    *, application: Application, state: str, reason: str = "", decided_by=None
) -> Application:
    """Move the application to a pipeline state, recording who, when and why.

    Deciding the state it already has with the same reason changes nothing (a double submit)."""
    if state not in Application.State.values:
        raise ValidationError({"state": "Choose a state from the list."})
    reason = reason.strip()
    if state in (Application.State.REJECTED, Application.State.WITHDRAWN) and not reason:
        raise ValidationError({"reason": "Say why, so the decision can be explained later."})
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.state == state and locked.state_reason == reason:
        return locked
    now = timezone.now()
    locked.state = state
    locked.state_reason = reason
    locked.state_changed_by = decided_by
    locked.state_changed_at = now
    locked.save(
        update_fields=[
            "state",
            "state_reason",
            "state_changed_by",
            "state_changed_at",
            "updated_at",
        ]
    )
    ApplicationDecision.objects.create(
        application=locked, state=state, reason=reason, decided_by=decided_by
    )
    return locked


@transaction.atomic
def answer_mark_discussed_live(*, answer: Answer, by, discussed: bool = True) -> Answer:
    """An interviewer went through a take-home answer with the candidate live (or takes that
    back): the answer then weighs as a live one, and the application is rescored."""
    locked = Answer.objects.select_for_update().select_related("item__session").get(pk=answer.pk)
    session = locked.item.session
    if session.mode != CandidateSession.Mode.TAKE_HOME:
        raise ValidationError("Only take-home answers can be marked as discussed live.")
    if discussed == (locked.discussed_live_at is not None):
        return locked
    locked.discussed_live_at = timezone.now() if discussed else None
    locked.discussed_live_by = by if discussed else None
    locked.save(update_fields=["discussed_live_at", "discussed_live_by"])
    application_rescore(application=session.application)
    return locked
