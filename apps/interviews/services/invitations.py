"""Take-home invitations and answers: the services behind the candidate's link.

The token is ``secrets.token_urlsafe(32)`` (256 bits). It is returned once by
``invitation_create``/``invitation_resend`` for the e-mail and the recruiter's screen, and only
its SHA-256 is stored. Every write is atomic; answer saves are compare-and-swap on a version
number, so a stale tab gets a conflict instead of overwriting newer text; submit is final and
idempotent.

One rule decides whether a link still works, ``invitation_unusable_reason`` (and its SQL twin
``usable_q``), and every path calls it: opening and starting the link, autosave and the answer
form, submit, re-send, and Greenhouse's orders (through submit). Status changes are conditional
UPDATEs on that rule, so a take-home cancelled or revoked a moment earlier is never turned back
into "submitted" (with its webhooks and e-mails).

E-mails (the link, "take-home submitted") go through the outbox (``apps.outbox``), composed in
``notifications``; the token is never stored in plaintext, not even there.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from apps.bank.models import Kit

from .. import events
from ..models import Answer, Candidate, CandidateSession, Invitation, Position
from . import notifications
from .sessions import session_create

TOKEN_BYTES = 32
TAKEHOME_KINDS = ("written", "scenario")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def takehome_link(token: str) -> str:
    """The candidate's link for ``token`` (for the e-mail and the recruiter's screen)."""
    return settings.SITE_URL + reverse("takehome:open", args=[token])


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


def takehome_questions(position: Position, *, kit: Kit | None = None) -> list:
    """The written and scenario questions a take-home for this position can use (of ``kit``:
    a given take-home stage's kit, when the caller runs that stage)."""
    kit = kit or takehome_kit(position)
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
    stage=None,
) -> Created:
    """Create a take-home session with the chosen written/scenario items, and its invitation.

    ``stage``: the position's take-home stage to run (an ATS ordered that one); by default its
    first take-home stage. The e-mail is queued after commit; the returned token is the only
    copy.
    """
    if stage is not None and (stage.position_id != position.pk or stage.mode != "take_home"):
        raise ValidationError({"stage": "Choose a take-home stage of this position."})
    errors = {}
    if expires_at <= timezone.now():
        errors["expires_at"] = "The deadline must be in the future."
    if time_limit_minutes is not None and time_limit_minutes <= 0:
        errors["time_limit_minutes"] = "The time limit must be a positive number of minutes."
    if not 0 <= extra_time_percent <= 200:
        errors["extra_time_percent"] = "Extra time must be between 0% and 200%."
    kit = stage.kit if stage is not None else takehome_kit(position)
    available = [q.key for q in takehome_questions(position, kit=kit)]
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
    session = session_create(
        position=position,
        candidate=candidate,
        mode=CandidateSession.Mode.TAKE_HOME,
        interviewers=interviewers,
        created_by=created_by,
        kit=kit,
        question_keys=chosen,
        stage=stage if stage is not None else takehome_stage(position),
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
    notifications.invitation_email_enqueue(invitation=invitation, token=token)
    return Created(invitation, token)


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Created:
    """Send a fresh link (the token cannot be recovered from its hash): the old link stops
    working, the new one is e-mailed and shown once. An older e-mail not yet sent is dropped,
    so a dead link is never mailed. A revoked link is reinstated under the fresh token; refused
    when the link no longer works otherwise (submitted, cancelled, or expired before it was
    started): the change is conditional on that rule."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("session")
        .get(pk=invitation.pk)
    )
    # Re-sending a revoked link reinstates the invitation under a fresh token (the revoked
    # token stays dead), as long as the rest of the rule allows it (the row is locked).
    revoked_at, invitation.revoked_at = invitation.revoked_at, None
    reason = invitation_unusable_reason(invitation)
    if reason is not None:
        raise ValidationError(
            f"This invitation is {REASON_WORDS[reason]}; it cannot be re-sent.", code=reason
        )
    if revoked_at is not None:
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=None)
    token, digest = new_token()
    if not Invitation.objects.filter(usable_q(), pk=invitation.pk).update(token_hash=digest):
        raise ValidationError("This invitation no longer works; it cannot be re-sent.")
    invitation.token_hash = digest
    notifications.invitation_email_enqueue(invitation=invitation, token=token)
    return Created(invitation, token)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is None and invitation.submitted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        notifications.invitation_email_cancel(invitation=invitation, reason="revoked")
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


# A take-home session in these states can still take answers and a submit.
USABLE_SESSION_STATUSES = (CandidateSession.Status.SCHEDULED, CandidateSession.Status.IN_PROGRESS)
REASON_WORDS = {"submitted": "submitted", "revoked": "revoked or cancelled", "expired": "expired"}


def invitation_unusable_reason(
    invitation: Invitation, *, now: datetime | None = None
) -> str | None:
    """THE rule for a take-home link: None while it works, else why not: "submitted",
    "revoked" (the link revoked or the session cancelled) or "expired" (the deadline passed
    before it was started; once started, the time limit and ``deadline`` govern saves).
    ``usable_q`` is the same rule in SQL, for conditional updates."""
    now = now or timezone.now()
    if invitation.submitted_at:
        return "submitted"
    if invitation.revoked_at or invitation.session.status not in USABLE_SESSION_STATUSES:
        return "revoked"
    if invitation.started_at is None and now > invitation.expires_at:
        return "expired"
    return None


def invitation_usable(invitation: Invitation, *, now: datetime | None = None) -> bool:
    return invitation_unusable_reason(invitation, now=now) is None


def usable_q(*, now: datetime | None = None, prefix: str = "") -> Q:
    """``invitation_unusable_reason`` is None, as a filter on invitations (``prefix`` to reach
    them from another model, e.g. "session__invitation__")."""
    now = now or timezone.now()
    return Q(
        **{
            f"{prefix}submitted_at__isnull": True,
            f"{prefix}revoked_at__isnull": True,
            f"{prefix}session__status__in": USABLE_SESSION_STATUSES,
        }
    ) & (Q(**{f"{prefix}started_at__isnull": False}) | Q(**{f"{prefix}expires_at__gte": now}))


def check_usable(invitation: Invitation, *, now: datetime | None = None) -> None:
    """Raise LinkGone when the link must answer 410 (``invitation_unusable_reason``)."""
    reason = invitation_unusable_reason(invitation, now=now)
    if reason is not None:
        raise LinkGone(invitation, reason)


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
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("session")
        .get(pk=invitation.pk)
    )
    now = timezone.now()
    check_usable(invitation, now=now)
    if invitation.started_at is None:
        invitation.opened_at = invitation.opened_at or now
        started = Invitation.objects.filter(usable_q(now=now), pk=invitation.pk).update(
            started_at=now, opened_at=invitation.opened_at
        )
        if not started:  # cancelled between the read and the write
            raise LinkGone(invitation, "revoked")
        invitation.started_at = now
        CandidateSession.objects.filter(
            pk=invitation.session_id, status=CandidateSession.Status.SCHEDULED
        ).update(status=CandidateSession.Status.IN_PROGRESS, updated_at=now)
    return invitation


class SaveRefused(Exception):
    """An answer save that must not happen, and why (``reason``, one of ``Reason``); each
    interface maps the reason to its own answer (the take-home views to an HTTP status).
    ``answer``: the saved answer, when the refusal is a version conflict."""

    class Reason(StrEnum):
        INVALID = "invalid"  # the request itself is malformed or too large
        NOT_FOUND = "not_found"  # no such link or question
        SUBMITTED = "submitted"  # the answers are handed in: read-only
        NOT_STARTED = "not_started"
        REVOKED = "revoked"
        TIME_UP = "time_up"
        CONFLICT = "conflict"  # changed in another window since the page loaded

    def __init__(self, message: str, reason: Reason, answer: Answer | None = None):
        self.message = message
        self.reason = SaveRefused.Reason(reason)
        self.answer = answer
        super().__init__(message)


_STATE_FIELDS = (
    "session_id", "submitted_at", "revoked_at", "started_at", "expires_at",
    "time_limit_seconds", "extra_time_percent", "extra_time_minutes", "session__status",
)  # fmt: skip


def invitation_lock_for_answers(
    *, invitation: Invitation | None, token_hash: str | None, now: datetime, time_up: str
) -> Invitation:
    """Lock the invitation (given as a row or by its token's hash) and apply THE rule for
    changing an answer (text or file); raises ``SaveRefused`` (``time_up``: its message once
    the deadline plus grace has passed). Call inside a transaction."""
    lookup = {"pk": invitation.pk} if invitation is not None else {"token_hash": token_hash}
    fresh = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("session")
        .only(*_STATE_FIELDS)
        .filter(**lookup)
        .first()
    )
    if fresh is None:
        raise SaveRefused(
            "Open your link from the e-mail to continue.", SaveRefused.Reason.NOT_FOUND
        )
    reason = invitation_unusable_reason(fresh, now=now)
    if reason == "submitted":
        raise SaveRefused(
            "Your answers have been submitted; they can no longer change.",
            SaveRefused.Reason.SUBMITTED,
        )
    if reason == "revoked":
        raise SaveRefused("This link has been revoked.", SaveRefused.Reason.REVOKED)
    if fresh.started_at is None:
        raise SaveRefused("Start the assignment first.", SaveRefused.Reason.NOT_STARTED)
    if now > deadline(fresh) + grace():
        raise SaveRefused(time_up, SaveRefused.Reason.TIME_UP)
    return fresh


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
    can never land after a submit that committed first. By token hash on PostgreSQL the hot
    path is one statement (``answer_fast``: it only accepts; any refusal comes back here);
    otherwise one locking read and one UPDATE. Returns the answer as saved (not read back).

    Refusals: no version (400), after submit (409), after the deadline plus grace (403), a stale
    version (409, with the stored answer attached so the page can show both texts).
    """
    now = now or timezone.now()
    if version is None:
        raise SaveRefused("The page must send the version it last saw.", SaveRefused.Reason.INVALID)
    if len(text) > getattr(settings, "TAKEHOME_MAX_ANSWER_CHARS", 100_000):
        raise SaveRefused("This answer is too long to save.", SaveRefused.Reason.INVALID)
    events = [{"at": now.isoformat(), "size": int(s)} for s in paste_sizes if int(s) > 0]
    focus_lost, active_seconds = max(0, focus_lost), max(0, min(active_seconds, 3600))
    if invitation is None and token_hash:
        from . import answer_fast  # it imports this module's rule constants

        if answer_fast.available():
            # The hot path: one statement that only ever accepts; a refusal lands below,
            # where the same rule decides again under the lock and says why.
            saved = answer_fast.answer_save_sql(
                token_hash=token_hash, item_id=item_id, text=text, version=version, now=now,
                paste_events=events, focus_lost=focus_lost, active_seconds=active_seconds,
            )  # fmt: skip
            if saved is not None:
                return saved
    with transaction.atomic():
        fresh = invitation_lock_for_answers(
            invitation=invitation,
            token_hash=token_hash,
            now=now,
            time_up="Time is up: this answer was not saved. What you saved before is kept; "
            "please submit.",
        )
        mine = Answer.objects.filter(item_id=item_id, item__session_id=fresh.session_id)
        updated = mine.filter(version=version).update(
            text=text,
            version=F("version") + 1,
            saved_at=now,
            focus_lost=F("focus_lost") + focus_lost,
            active_seconds=F("active_seconds") + active_seconds,
        )
        if updated and events:
            # Appending to JSON is not atomic in every database: lock the row for it.
            locked = mine.select_for_update().get()
            locked.paste_events = [*locked.paste_events, *events]
            locked.save(update_fields=["paste_events"])
    if not updated:
        current = mine.first()
        if current is None:
            raise SaveRefused("No such question in this assignment.", SaveRefused.Reason.NOT_FOUND)
        raise SaveRefused(
            "This answer changed in another window since this page loaded.",
            SaveRefused.Reason.CONFLICT,
            current,
        )
    return Answer(item_id=item_id, text=text, version=version + 1, saved_at=now)


@transaction.atomic
def takehome_submit(*, invitation: Invitation) -> Invitation:
    """Final and idempotent: the first submit wins, later ones change nothing.

    Both writes are conditional on the link still working (``usable_q``, and the session still
    scheduled or in progress), so a cancel or revoke that committed first wins: the submit is
    refused and nothing (webhook, e-mail) goes out."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("session")
        .get(pk=invitation.pk)
    )
    if invitation.submitted_at:
        return invitation
    now = timezone.now()
    reason = invitation_unusable_reason(invitation, now=now)
    if reason is not None:
        raise ValidationError(
            f"This assignment was {REASON_WORDS[reason]}; it can no longer be submitted.",
            code=reason,
        )
    if invitation.started_at is None:
        raise ValidationError("Start the assignment before submitting.")
    marked = Invitation.objects.filter(usable_q(now=now), pk=invitation.pk).update(submitted_at=now)
    moved = CandidateSession.objects.filter(
        pk=invitation.session_id, status__in=USABLE_SESSION_STATUSES
    ).update(status=CandidateSession.Status.SUBMITTED, updated_at=now)
    if not (marked and moved):  # cancelled meanwhile: the exception rolls back both
        raise ValidationError(
            "This assignment was cancelled; it can no longer be submitted.", code="revoked"
        )
    invitation.submitted_at = now
    session = CandidateSession.objects.select_related("candidate", "position", "organization").get(
        pk=invitation.session_id
    )
    events.emit("session.submitted", session)
    notifications.submission_notify(session=session)
    return invitation
