"""What state a session is in, derived in one place.

- **The scoring gate.** A take-home is scored on what the candidate handed in: its scorecards
  open once the candidate has submitted, or once the deadline (plus the saving grace) has
  passed. Never on half-typed answers. The scorecard page, its autosave and submit all ask
  ``check_scoring_open`` (through the scorecard services).
- **The status people see.** ``display_status`` turns the stored status, the invitation and
  the stored result into words that say what is true ("Expired", "Revoked", "Answers in, ready
  to score", "Awaiting scorecards"). Every page shows it through
  ``CandidateSession.display_status``.

Both read only the session row, its invitation (``select_related("invitation")`` in lists)
and the stored result: no query of their own beyond the invitation.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from .models import CandidateSession, Invitation

EXPIRED = "Expired"
REVOKED = "Revoked"
READY_TO_SCORE = "Answers in, ready to score"
AWAITING_SCORECARDS = "Awaiting scorecards"
INVITED = "Invited, not started"
ANSWERING = "Candidate answering"


def _invitation(session: CandidateSession) -> Invitation | None:
    try:
        return session.invitation
    except ObjectDoesNotExist:
        return None


def _deadline(invitation: Invitation) -> datetime:
    from .services import invitations  # the deadline rule lives with the invitation services

    return invitations.deadline(invitation) + invitations.grace()


def scoring_opens_at(session: CandidateSession) -> datetime | None:
    """When a take-home's scorecards open at the latest (the deadline plus grace); None when
    they are open already for another reason (a live session, answers submitted)."""
    if session.mode != CandidateSession.Mode.TAKE_HOME:
        return None
    invitation = _invitation(session)
    if invitation is None or invitation.submitted_at:
        return None
    return _deadline(invitation)


def scoring_open(session: CandidateSession, *, now: datetime | None = None) -> bool:
    """May interviewers open and save this session's scorecards? Live sessions: always. A
    take-home: once the candidate submitted or the deadline passed, and never on a revoked
    link (nothing was handed in)."""
    if session.mode != CandidateSession.Mode.TAKE_HOME:
        return True
    invitation = _invitation(session)
    if invitation is None or invitation.submitted_at:
        return True
    if invitation.revoked_at:
        return False
    return (now or timezone.now()) > _deadline(invitation)


def scoring_wait_message(session: CandidateSession) -> str:
    """What the scorecard says while it waits for the candidate."""
    invitation = _invitation(session)
    if invitation is not None and invitation.revoked_at:
        return "This take-home link was revoked: there are no answers to score."
    opens = scoring_opens_at(session)
    when = date_format(timezone.localtime(opens), "j F Y, H:i T") if opens else ""
    return (
        "The candidate's answers are not in yet. Scoring opens when they submit, "
        f"or at the deadline ({when}) at the latest."
    )


def check_scoring_open(session: CandidateSession) -> None:
    """Raise ``ValidationError`` (code ``not_ready``) while a take-home waits for its answers."""
    if not scoring_open(session):
        raise ValidationError(scoring_wait_message(session), code="not_ready")


def display_status(session: CandidateSession, *, now: datetime | None = None) -> str:
    """The session's status in words that say what is true now."""
    Status = CandidateSession.Status
    if session.status == Status.CANCELLED:
        return session.get_status_display()
    if session.status == Status.SCORED:
        return session.get_status_display()
    now = now or timezone.now()
    some_scored = bool((session.result or {}).get("scorecards"))
    if session.mode == CandidateSession.Mode.TAKE_HOME:
        invitation = _invitation(session)
        if invitation is not None and not invitation.submitted_at:
            if invitation.revoked_at:
                return REVOKED
            if invitation.started_at is None and now > invitation.expires_at:
                return EXPIRED
            if not scoring_open(session, now=now):
                return ANSWERING if invitation.started_at else INVITED
        return AWAITING_SCORECARDS if some_scored else READY_TO_SCORE
    if some_scored:
        return AWAITING_SCORECARDS
    return session.get_status_display()
