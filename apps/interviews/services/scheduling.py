"""Scheduling a live interview: when and where it happens, and each interviewer's invite.

``session_schedule`` sets the date, time and place (a room or a video-call link) of a live
session and queues, through the outbox, one e-mail per interviewer with the kit's prep link and
an ``.ics`` calendar invite (the ``icalendar`` package). The invite is composed when it is
sent, from the session as it is then: a re-schedule drops an unsent older invite and sends one
with a higher SEQUENCE under the same UID, so calendars update the event instead of adding one.

``session_uninvite`` is the other half: when a scheduled session is cancelled (by a recruiter,
an ATS, or the candidate's erasure), unsent invites are dropped and every interviewer whose
invite went out gets a cancellation (METHOD:CANCEL, STATUS:CANCELLED, the same UID, a higher
SEQUENCE), so the interview leaves their calendar instead of waiting there for no one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps import outbox
from apps.outbox.email import PreparedEmail, send
from apps.outbox.models import OutboxMessage

from ..models import CandidateSession

INTERVIEW_INVITE = "interviews.interview_invite"
INTERVIEW_CANCEL = "interviews.interview_cancel"
DEFAULT_MINUTES = 60


def _sequence(now: datetime) -> int:
    """Grows with every (re)schedule, as RFC 5545 asks of an updated event."""
    return int((now - datetime(2024, 1, 1, tzinfo=now.tzinfo)).total_seconds())


@transaction.atomic
def session_schedule(
    *, session: CandidateSession, scheduled_at: datetime | None, location: str
) -> CandidateSession:
    """Set when and where a live session happens and invite its panel (one e-mail each)."""
    errors = {}
    if session.mode != CandidateSession.Mode.LIVE:
        errors["scheduled_at"] = "Only a live interview is scheduled; a take-home has a deadline."
    elif session.status == CandidateSession.Status.CANCELLED:
        errors["scheduled_at"] = "This session was cancelled."
    elif scheduled_at is None:
        errors["scheduled_at"] = "Give the date and time of the interview."
    location = (location or "").strip()
    if not location:
        errors["location"] = "Give a room or address, or the video-call link."
    if errors:
        raise ValidationError(errors)
    session.scheduled_at = scheduled_at
    session.location = location
    session.clean_fields(
        exclude=[f.name for f in session._meta.fields if f.name not in ("scheduled_at", "location")]
    )
    session.save(update_fields=["scheduled_at", "location", "updated_at"])
    session_invite(session=session, interviewers=session.interviewers.all())
    return session


def session_invite(*, session: CandidateSession, interviewers) -> int:
    """Queue the invite for each of ``interviewers`` (a scheduled live session only)."""
    if session.scheduled_at is None or session.mode != CandidateSession.Mode.LIVE:
        return 0
    sequence = _sequence(timezone.now())
    # Two changes within one second still make two invites (the later DTSTAMP wins).
    version = hashlib.sha256(
        f"{session.scheduled_at.isoformat()}|{session.location}".encode()
    ).hexdigest()[:16]
    count = 0
    for user in interviewers:
        outbox.cancel_pending(
            INTERVIEW_INVITE, "rescheduled", session_id=session.pk, user_id=user.pk
        )
        outbox.enqueue(
            INTERVIEW_INVITE,
            {
                "session_id": session.pk,
                "user_id": user.pk,
                "scheduled_at": session.scheduled_at.isoformat(),
                "sequence": sequence,
            },
            organization=session.organization,
            dedupe_key=f"interview-invite:{session.pk}:{user.pk}:{sequence}:{version}",
        )
        count += 1
    return count


def session_uninvite(*, session: CandidateSession) -> int:
    """The session is cancelled: drop its unsent invites and queue a cancellation for each
    interviewer whose invite was sent (in the caller's transaction). Returns how many."""
    sent = list(
        OutboxMessage.objects.filter(
            kind=INTERVIEW_INVITE,
            status=OutboxMessage.Status.SENT,
            payload__session_id=session.pk,
        ).values_list("payload__user_id", "payload__sequence")
    )
    sent_to = {user_id for user_id, _ in sent}
    outbox.cancel_pending(INTERVIEW_INVITE, "the session was cancelled", session_id=session.pk)
    # Above every invite sent, even one sent within the same second (RFC 5545: a revision,
    # a cancellation included, raises SEQUENCE).
    sequence = max([_sequence(timezone.now()), *(int(seq or 0) + 1 for _, seq in sent)])
    for user_id in sorted(sent_to):
        outbox.enqueue(
            INTERVIEW_CANCEL,
            {"session_id": session.pk, "user_id": user_id, "sequence": sequence},
            organization=session.organization,
            dedupe_key=f"interview-cancel:{session.pk}:{user_id}",
        )
    return len(sent_to)


def _minutes(session: CandidateSession) -> int:
    return (session.stage.expected_minutes if session.stage else None) or DEFAULT_MINUTES


def invite_ics(
    *, session: CandidateSession, user, sequence: int, prep_link: str, cancel: bool = False
) -> bytes:
    """The calendar invite (METHOD:REQUEST) for one interviewer, or its cancellation
    (METHOD:CANCEL, STATUS:CANCELLED: the same UID, so the calendar removes that event)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//InterviewBank//Interview invite//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"interview-{session.pk}-{user.pk}@{host}")
    event.add("sequence", sequence)
    if cancel:
        event.add("status", "CANCELLED")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.scheduled_at)
    event.add("dtend", session.scheduled_at + timedelta(minutes=_minutes(session)))
    event.add("summary", f"Interview: {session.candidate.name}, {session.position.title}")
    event.add("location", session.location)
    event.add("description", f"Prepare with the interview kit: {prep_link}")
    if session.location.startswith(("https://", "http://")):
        event.add("url", session.location)
    organizer = icalendar.vCalAddress("mailto:" + _address(settings.DEFAULT_FROM_EMAIL))
    organizer.params["cn"] = icalendar.vText("InterviewBank")
    event.add("organizer", organizer)
    if user.email:
        attendee = icalendar.vCalAddress("mailto:" + user.email)
        attendee.params["cn"] = icalendar.vText(user.get_full_name() or user.get_username())
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def _address(from_email: str) -> str:
    return from_email.rsplit("<", 1)[-1].rstrip(">").strip()


def _session_and_interviewer(payload: dict):
    """The session and interviewer an invite or cancellation row names (GiveUp when either is
    gone or the interviewer has no e-mail address: nothing could ever be sent)."""
    session = (
        CandidateSession.objects.select_related("candidate", "position", "stage")
        .filter(pk=payload.get("session_id"))
        .first()
    )
    user = get_user_model().objects.filter(pk=payload.get("user_id")).first()
    if session is None or user is None or not user.email:
        raise outbox.GiveUp("no such session or interviewer, or no e-mail address")
    return session, user


def send_interview_invite(message: OutboxMessage) -> None:
    """Outbox handler: compose the invite from the session as it is now, and send it."""
    payload = message.payload or {}
    session, user = _session_and_interviewer(payload)
    if session.status == CandidateSession.Status.CANCELLED:
        raise outbox.GiveUp("the session was cancelled")
    if session.scheduled_at is None or session.scheduled_at.isoformat() != payload.get(
        "scheduled_at"
    ):
        raise outbox.GiveUp("superseded by a re-schedule")
    if not session.interviewers.filter(pk=user.pk).exists():
        raise outbox.GiveUp("no longer on the panel")
    prep_link = settings.SITE_URL + reverse("interviews:interview_prep", args=[session.pk])
    when = timezone.localtime(session.scheduled_at)
    body = render_to_string(
        "interviews/email_interview_invite.txt",
        {
            "session": session,
            "name": user.get_full_name() or user.get_username(),
            "when": when,
            "minutes": _minutes(session),
            "prep_link": prep_link,
        },
    )
    send(
        PreparedEmail(
            to=[user.email],
            subject=(
                f"Interview {when:%a %d %b %H:%M}: {session.candidate.name}, "
                f"{session.position.title}"
            ),
            body=body,
        ),
        message=message,
        attachments=[
            (
                "interview.ics",
                invite_ics(
                    session=session,
                    user=user,
                    sequence=int(payload.get("sequence", 0)),
                    prep_link=prep_link,
                ),
                "text/calendar; method=REQUEST; charset=utf-8",
            )
        ],
    )


def send_interview_cancel(message: OutboxMessage) -> None:
    """Outbox handler: tell one interviewer the interview is off, with the calendar's CANCEL.
    Composed from the session as it is now (an erased candidate is named by the placeholder)."""
    payload = message.payload or {}
    session, user = _session_and_interviewer(payload)
    if session.status != CandidateSession.Status.CANCELLED or session.scheduled_at is None:
        raise outbox.GiveUp("the session is not cancelled any more")
    when = timezone.localtime(session.scheduled_at)
    body = render_to_string(
        "interviews/email_interview_cancel.txt",
        {"session": session, "name": user.get_full_name() or user.get_username(), "when": when},
    )
    ics = invite_ics(
        session=session,
        user=user,
        sequence=int(payload.get("sequence", 0)),
        prep_link=settings.SITE_URL + reverse("interviews:interview_prep", args=[session.pk]),
        cancel=True,
    )
    send(
        PreparedEmail(
            to=[user.email],
            subject=(
                f"Cancelled: interview {when:%a %d %b %H:%M}: {session.candidate.name}, "
                f"{session.position.title}"
            ),
            body=body,
        ),
        message=message,
        attachments=[("interview.ics", ics, "text/calendar; method=CANCEL; charset=utf-8")],
    )


def register() -> None:
    outbox.register(INTERVIEW_INVITE, send_interview_invite)
    outbox.register(INTERVIEW_CANCEL, send_interview_cancel)
