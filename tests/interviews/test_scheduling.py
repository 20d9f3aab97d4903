"""Scheduling live interviews (issue 11): date, time and place or video link; each interviewer
gets an e-mail with the kit's prep link and an .ics invite, through the outbox."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.interviews.models import CandidateSession, PositionStage
from apps.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

INVITE = "interviews.interview_invite"


def _when(days: int = 3) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _calendar(message) -> icalendar.Calendar:
    (attachment,) = [a for a in message.attachments if a[0] == "interview.ics"]
    return icalendar.Calendar.from_ical(attachment[1])


def test_scheduling_sends_each_interviewer_an_email_with_prep_link_and_ics(
    client, recruiter, session, interviewer, interviewer2, django_capture_on_commit_callbacks
):
    interviewer.email, interviewer2.email = "ivan@example.com", "ines@example.com"
    interviewer.save(), interviewer2.save()
    client.force_login(recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interviews:session_schedule", args=[session.pk]),
            {"scheduled_at": _when(), "location": "https://meet.example.com/abc-defg"},
        )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.location == "https://meet.example.com/abc-defg" and session.scheduled_at
    assert OutboxMessage.objects.filter(kind=INVITE).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ines@example.com", "ivan@example.com"]
    message = mail.outbox[0]
    prep = reverse("interviews:interview_prep", args=[session.pk])
    assert prep in message.body and "https://meet.example.com/abc-defg" in message.body
    event = _calendar(message).walk("VEVENT")[0]
    assert event.decoded("dtstart") == session.scheduled_at
    assert str(event["location"]) == "https://meet.example.com/abc-defg"
    assert str(event["uid"]).startswith(f"interview-{session.pk}-")
    detail = client.get(reverse("interviews:session_detail", args=[session.pk])).content.decode()
    assert "https://meet.example.com/abc-defg" in detail


def test_rescheduling_replaces_the_invite_with_a_higher_sequence(
    client, recruiter, session, interviewer, django_capture_on_commit_callbacks, monkeypatch
):
    interviewer.email = "ivan@example.com"
    interviewer.save()
    client.force_login(recruiter)
    url = reverse("interviews:session_schedule", args=[session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"scheduled_at": _when(3), "location": "Room 2"})
    first = _calendar(mail.outbox[-1]).walk("VEVENT")[0]
    later = timezone.now() + timedelta(seconds=5)  # the re-schedule comes a little later
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"scheduled_at": _when(4), "location": "Room 3"})
    second = _calendar(mail.outbox[-1]).walk("VEVENT")[0]
    assert second["uid"] == first["uid"]
    assert int(second["sequence"]) > int(first["sequence"])
    assert str(second["location"]) == "Room 3"


def test_scheduling_without_a_place_is_a_400_naming_it_and_changes_nothing(
    client, recruiter, session
):
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:session_schedule", args=[session.pk]),
        {"scheduled_at": _when(), "location": "  "},
    )
    assert response.status_code == 400
    assert "location" in response.context["form"].errors
    session.refresh_from_db()
    assert session.scheduled_at is None and not OutboxMessage.objects.filter(kind=INVITE).exists()


def test_a_bad_date_is_a_400_naming_the_field(client, recruiter, session):
    client.force_login(recruiter)
    response = client.post(
        reverse("interviews:session_schedule", args=[session.pk]),
        {"scheduled_at": "next tuesday", "location": "Room 2"},
    )
    assert response.status_code == 400
    assert "scheduled_at" in response.context["form"].errors


def test_another_organizations_session_cannot_be_scheduled(client, outsider, session):
    client.force_login(outsider)
    response = client.post(
        reverse("interviews:session_schedule", args=[session.pk]),
        {"scheduled_at": _when(), "location": "Room 2"},
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.scheduled_at is None


def test_interviewers_cannot_schedule(client, interviewer, session):
    client.force_login(interviewer)
    response = client.post(
        reverse("interviews:session_schedule", args=[session.pk]),
        {"scheduled_at": _when(), "location": "Room 2"},
    )
    assert response.status_code == 404


def test_a_live_session_can_be_created_already_scheduled_and_only_once(
    client, recruiter, position, candidate, interviewer, django_capture_on_commit_callbacks
):
    client.force_login(recruiter)
    page = client.get(reverse("interviews:position_detail", args=[position.pk]))
    data = {
        "candidate": candidate.pk,
        "interviewers": [interviewer.pk],
        "scheduled_at": _when(),
        "location": "Leeds plant, room 4",
        "form_key": page.context["form_key"],
    }
    url = reverse("interviews:session_create", args=[position.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
        second = client.post(url, data)  # a double click
    session = CandidateSession.objects.get()
    assert first["Location"] == second["Location"]
    assert session.location == "Leeds plant, room 4"
    assert OutboxMessage.objects.filter(kind=INVITE).count() == 1


def test_the_new_live_session_form_offers_no_take_home_stage(
    client, recruiter, position, candidate, interviewer
):
    """The trap: a take-home stage run from the live form made a session without a link."""
    take_home = PositionStage.objects.create(
        position=position, order=1, name="Take-home", mode="take_home", kit=position.kit
    )
    live = PositionStage.objects.create(
        position=position, order=0, name="Screen", mode="live", kit=position.kit
    )
    client.force_login(recruiter)
    page = client.get(reverse("interviews:position_detail", args=[position.pk]))
    offered = [c.value for c, _ in page.context["form"].fields["stage"].choices if c]
    assert offered == [live.pk]
    response = client.post(
        reverse("interviews:session_create", args=[position.pk]),
        {
            "candidate": candidate.pk,
            "stage": take_home.pk,
            "interviewers": [interviewer.pk],
            "form_key": page.context["form_key"],
        },
    )
    assert response.status_code == 302
    assert not CandidateSession.objects.exists()


CANCEL = "interviews.interview_cancel"


def _scheduled(client, session, interviewer, capture, *, sent: bool = True):
    interviewer.email = "ivan@example.com"
    interviewer.save()
    url = reverse("interviews:session_schedule", args=[session.pk])
    with capture(execute=sent):
        client.post(url, {"scheduled_at": _when(3), "location": "Room 2"})
    return [m for m in mail.outbox if m.to == ["ivan@example.com"]]


def test_cancelling_a_scheduled_session_cancels_the_sent_invites_in_the_calendar(
    client, recruiter, session, interviewer, django_capture_on_commit_callbacks
):
    client.force_login(recruiter)
    (invite,) = _scheduled(client, session, interviewer, django_capture_on_commit_callbacks)
    sent = _calendar(invite).walk("VEVENT")[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interviews:session_cancel", args=[session.pk]), {"confirm": "yes"}
        )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == CandidateSession.Status.CANCELLED

    invited = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Interview "))
    cancels = [m for m in mail.outbox if m.subject.startswith("Cancelled: interview")]
    assert sorted(m.to[0] for m in cancels) == invited  # each one invited, once
    (cancel,) = [m for m in cancels if m.to == ["ivan@example.com"]]
    assert "is cancelled" in cancel.body and "Priya N" in cancel.body
    calendar = _calendar(cancel)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert event["uid"] == sent["uid"] and int(event["sequence"]) > int(sent["sequence"])


def test_an_invite_not_sent_yet_is_dropped_and_needs_no_cancellation(
    client, recruiter, session, interviewer, django_capture_on_commit_callbacks
):
    client.force_login(recruiter)
    assert (
        _scheduled(client, session, interviewer, django_capture_on_commit_callbacks, sent=False)
        == []
    )
    client.post(reverse("interviews:session_cancel", args=[session.pk]), {"confirm": "yes"})
    pending = OutboxMessage.objects.filter(kind=INVITE, status=OutboxMessage.Status.PENDING)
    assert not pending.exists()
    assert not OutboxMessage.objects.filter(kind=CANCEL).exists()
