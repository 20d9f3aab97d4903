"""Take-home invitations and answers: the services behind the candidate's link.

The token is ``secrets.token_urlsafe(32)`` (256 bits). It is returned once by
``invitation_create``/``invitation_resend`` for the e-mail and the recruiter's screen, and only
its SHA-256 is stored. Every write is atomic; answer saves are compare-and-swap on a version
number, so a stale tab gets a conflict instead of overwriting newer text; submit is final and
idempotent.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.bank.models import Kit

from . import events, services, tasks
from .models import Answer, Candidate, CandidateSession, Invitation, Position

TOKEN_BYTES = 32
TAKEHOME_KINDS = ("written", "scenario")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def grace() -> timedelta:
    return timedelta(seconds=getattr(settings, "TAKEHOME_GRACE_SECONDS", 30))


# -- recruiter side ---------------------------------------------------------------------------


def takehome_stage(position: Position):
    """The take-home stage of the position's plan, if it has one."""
    return position.stages.filter(mode="take_home").select_related("kit").first()


def takehome_kit(position: Position) -> Kit:
    """The kit of the position's take-home stage; without one, the take-home kit for its track
    and level, else the position's own kit."""
    stage = takehome_stage(position)
    if stage is not None:
        return stage.kit
    kit = (
        Kit.objects.visible_to(position.organization)
        .filter(track=position.track, level=position.level, take_home=True)
        .own_first()
        .first()
    )
    return kit or position.kit


def takehome_questions(position: Position) -> list:
    """The written and scenario questions a take-home for this position can use."""
    kit = takehome_kit(position)
    return [
        ki.question
        for ki in kit.items.select_related("question__competency")
        if ki.question.kind in TAKEHOME_KINDS
    ]


@dataclass
class Created:
    invitation: Invitation
    token: str  # shown once; never stored


@transaction.atomic
def invitation_create(
    *,
    position: Position,
    candidate: Candidate,
    expires_at: datetime,
    created_by=None,
    email: str = "",
    question_keys: list[str] | None = None,
    time_limit_minutes: int | None = None,
    extra_time_percent: int = 0,
    extra_time_minutes: int = 0,
    instructions: str = "",
    interviewers=(),
    contact: str = "",
) -> Created:
    """Create a take-home session with the chosen written/scenario items, and its invitation.

    The e-mail is queued after commit; the returned token is the only copy.
    """
    errors = {}
    if expires_at <= timezone.now():
        errors["expires_at"] = "The deadline must be in the future."
    if time_limit_minutes is not None and time_limit_minutes <= 0:
        errors["time_limit_minutes"] = "The time limit must be a positive number of minutes."
    if not 0 <= extra_time_percent <= 200:
        errors["extra_time_percent"] = "Extra time must be between 0% and 200%."
    kit = takehome_kit(position)
    available = [q.key for q in takehome_questions(position)]
    chosen = available if not question_keys else [k for k in available if k in question_keys]
    unknown = sorted(set(question_keys or []) - set(available))
    if unknown:
        errors["question_keys"] = (
            f"Not written/scenario questions of the kit: {', '.join(unknown)}."
        )
    elif not chosen:
        errors["question_keys"] = "Choose at least one written or scenario question."
    if errors:
        raise ValidationError(errors)
    session = services.session_create(
        position=position,
        candidate=candidate,
        mode=CandidateSession.Mode.TAKE_HOME,
        interviewers=interviewers,
        created_by=created_by,
        kit=kit,
        question_keys=chosen,
        stage=takehome_stage(position),
    )
    Answer.objects.bulk_create([Answer(item=item) for item in session.items.all()])
    token, digest = new_token()
    invitation = Invitation(
        organization=position.organization,
        session=session,
        token_hash=digest,
        email=email or candidate.email,
        instructions=instructions,
        expires_at=expires_at,
        time_limit_seconds=time_limit_minutes * 60 if time_limit_minutes else None,
        extra_time_percent=extra_time_percent,
        extra_time_minutes=extra_time_minutes,
        contact=contact
        or (created_by.email if created_by and created_by.email else "")
        or position.organization.name,
        created_by=created_by,
    )
    invitation.full_clean()
    invitation.save()
    _queue_email(invitation, token)
    return Created(invitation, token)


def _queue_email(invitation: Invitation, token: str) -> None:
    invitation_id = invitation.pk
    transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation_id, token))


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Created:
    """Send a fresh link (the token cannot be recovered from its hash): the old link stops
    working, the new one is e-mailed and shown once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.submitted_at or invitation.revoked_at:
        raise ValidationError("This invitation is submitted or revoked; it cannot be re-sent.")
    token, digest = new_token()
    invitation.token_hash = digest
    invitation.save(update_fields=["token_hash"])
    _queue_email(invitation, token)
    return Created(invitation, token)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is None and invitation.submitted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_mark_sent(*, invitation_id: int) -> None:
    Invitation.objects.filter(pk=invitation_id).update(
        sent_at=timezone.now(), send_count=F("send_count") + 1
    )


# -- candidate side ---------------------------------------------------------------------------


class LinkGone(Exception):
    """The link exists but no longer works (revoked, expired or already submitted): 410."""

    def __init__(self, invitation: Invitation, reason: str):
        self.invitation = invitation
        self.reason = reason
        super().__init__(reason)


def invitation_by_hash(digest: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("session__candidate", "session__position", "organization")
        .filter(token_hash=digest)
        .first()
    )


def check_usable(invitation: Invitation, *, now: datetime | None = None) -> None:
    """Raise LinkGone when the link must answer 410."""
    now = now or timezone.now()
    if invitation.revoked_at:
        raise LinkGone(invitation, "revoked")
    if invitation.session.status == CandidateSession.Status.CANCELLED:
        raise LinkGone(invitation, "revoked")
    if invitation.started_at is None and now > invitation.expires_at:
        raise LinkGone(invitation, "expired")


def deadline(invitation: Invitation) -> datetime:
    """When saving stops: the link's deadline, or the time limit (with extra time) if sooner."""
    end = invitation.expires_at
    if invitation.time_limit_seconds and invitation.started_at:
        allowed = invitation.time_limit_seconds * (1 + invitation.extra_time_percent / 100)
        allowed += invitation.extra_time_minutes * 60
        end = min(end, invitation.started_at + timedelta(seconds=allowed))
    return end


def seconds_left(invitation: Invitation, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return max(0, int((deadline(invitation) - now).total_seconds()))


def invitation_open(*, invitation: Invitation) -> None:
    """A GET of the link: record the first open (mail scanners may cause it); spend nothing."""
    Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )


@transaction.atomic
def takehome_start(*, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_usable(invitation)
    now = timezone.now()
    if invitation.started_at is None:
        invitation.started_at = now
        invitation.opened_at = invitation.opened_at or now
        invitation.save(update_fields=["started_at", "opened_at"])
        CandidateSession.objects.filter(
            pk=invitation.session_id, status=CandidateSession.Status.SCHEDULED
        ).update(status=CandidateSession.Status.IN_PROGRESS, updated_at=now)
    return invitation


class SaveRefused(Exception):
    """An answer save that must not happen; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int, answer: Answer | None = None):
        self.message = message
        self.status = status
        self.answer = answer
        super().__init__(message)


_STATE_FIELDS = (
    "session_id", "submitted_at", "revoked_at", "started_at", "expires_at",
    "time_limit_seconds", "extra_time_percent", "extra_time_minutes",
)  # fmt: skip


def answer_save(
    *,
    invitation: Invitation | None = None,
    token_hash: str | None = None,
    item_id: int,
    text: str,
    version: int | None,
    paste_sizes: list[int] = (),
    focus_lost: int = 0,
    active_seconds: int = 0,
    now: datetime | None = None,
) -> Answer:
    """Save an answer if ``version`` is the one stored (compare-and-swap in one UPDATE).

    The invitation (given as a row or by its token's hash) is locked for the check, so a save
    can never land after a submit that committed first. On the hot path this is one locking
    read and one UPDATE. Returns the answer as saved (without reading it back).

    Refusals: no version (400), after submit (409), after the deadline plus grace (403), a stale
    version (409, with the stored answer attached so the page can show both texts).
    """
    now = now or timezone.now()
    if version is None:
        raise SaveRefused("The page must send the version it last saw.", 400)
    if len(text) > getattr(settings, "TAKEHOME_MAX_ANSWER_CHARS", 100_000):
        raise SaveRefused("This answer is too long to save.", 400)
    lookup = {"pk": invitation.pk} if invitation is not None else {"token_hash": token_hash}
    events = [{"at": now.isoformat(), "size": int(s)} for s in paste_sizes if int(s) > 0]
    with transaction.atomic():
        fresh = Invitation.objects.select_for_update().only(*_STATE_FIELDS).filter(**lookup).first()
        if fresh is None:
            raise SaveRefused("Open your link from the e-mail to continue.", 404)
        if fresh.submitted_at:
            raise SaveRefused("Your answers have been submitted; they can no longer change.", 409)
        if fresh.revoked_at:
            raise SaveRefused("This link has been revoked.", 410)
        if fresh.started_at is None:
            raise SaveRefused("Start the assignment first.", 409)
        if now > deadline(fresh) + grace():
            raise SaveRefused(
                "Time is up: this answer was not saved. What you saved before is kept; "
                "please submit.",
                403,
            )
        mine = Answer.objects.filter(item_id=item_id, item__session_id=fresh.session_id)
        updated = mine.filter(version=version).update(
            text=text,
            version=F("version") + 1,
            saved_at=now,
            focus_lost=F("focus_lost") + max(0, focus_lost),
            active_seconds=F("active_seconds") + max(0, min(active_seconds, 3600)),
        )
        if updated and events:
            # Appending to JSON is not atomic in every database: lock the row for it.
            locked = mine.select_for_update().get()
            locked.paste_events = [*locked.paste_events, *events]
            locked.save(update_fields=["paste_events"])
    if not updated:
        current = mine.first()
        if current is None:
            raise SaveRefused("No such question in this assignment.", 404)
        raise SaveRefused(
            "This answer changed in another window since this page loaded.", 409, current
        )
    return Answer(item_id=item_id, text=text, version=version + 1, saved_at=now)


@transaction.atomic
def takehome_submit(*, invitation: Invitation) -> Invitation:
    """Final and idempotent: the first submit wins, later ones change nothing."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.submitted_at:
        return invitation
    if invitation.revoked_at:
        raise ValidationError("This link has been revoked.")
    if invitation.started_at is None:
        raise ValidationError("Start the assignment before submitting.")
    now = timezone.now()
    invitation.submitted_at = now
    invitation.save(update_fields=["submitted_at"])
    CandidateSession.objects.filter(pk=invitation.session_id).update(
        status=CandidateSession.Status.SUBMITTED, updated_at=now
    )
    events.emit("session.submitted", CandidateSession.objects.get(pk=invitation.session_id))
    session_id = invitation.session_id
    transaction.on_commit(lambda: tasks.notify_submission.delay(session_id))
    return invitation
