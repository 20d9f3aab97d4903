"""Answering: autosave with versions, conflicts, deadlines, signals, submit, receipt, scoring."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.interviews.models import Answer, CandidateSession, Invitation
from apps.interviews.services import invitations
from tests.interviews.conftest import rate_all

pytestmark = pytest.mark.django_db


def _first_item(created):
    return created.invitation.session.items.order_by("order").first()


def test_autosave_requires_and_bumps_the_version(started):
    client, created = started
    item = _first_item(created)
    url = f"/takehome/answers/{item.pk}/"
    assert client.post(url, {"text": "no version"}).status_code == 400
    response = client.post(url, {"text": "First draft", "version": "0"})
    assert response.status_code == 200 and response.json()["version"] == 1
    response = client.post(url, {"text": "Second draft", "version": "1"})
    assert response.json()["version"] == 2
    assert Answer.objects.get(item=item).text == "Second draft"


def test_stale_version_gets_409_with_the_saved_text(started):
    client, created = started
    item = _first_item(created)
    url = f"/takehome/answers/{item.pk}/"
    client.post(url, {"text": "Written in tab A", "version": "0"})
    response = client.post(url, {"text": "Written in tab B", "version": "0"})
    assert response.status_code == 409
    assert response.json()["saved_text"] == "Written in tab A"
    assert response.json()["version"] == 1
    assert Answer.objects.get(item=item).text == "Written in tab A"


def test_no_js_form_shows_both_texts_on_conflict(started):
    client, created = started
    item = _first_item(created)
    client.post(f"/takehome/answers/{item.pk}/", {"text": "From the other window", "version": "0"})
    response = client.post(
        "/takehome/",
        {f"answer-{item.pk}": "From this window", f"version-{item.pk}": "0", "save": "1"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "From the other window" in body and "From this window" in body


def test_saves_after_deadline_plus_grace_are_refused_and_earlier_text_stays(started, settings):
    client, created = started
    settings.TAKEHOME_GRACE_SECONDS = 5
    item = _first_item(created)
    url = f"/takehome/answers/{item.pk}/"
    client.post(url, {"text": "Saved in time", "version": "0"})
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=10))
    response = client.post(url, {"text": "Too late", "version": "1"})
    assert response.status_code == 403 and "Time is up" in response.json()["error"]
    assert Answer.objects.get(item=item).text == "Saved in time"


def test_grace_period_accepts_a_save_just_after_the_deadline(started, settings):
    client, created = started
    settings.TAKEHOME_GRACE_SECONDS = 60
    item = _first_item(created)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=10))
    response = client.post(f"/takehome/answers/{item.pk}/", {"text": "In grace", "version": "0"})
    assert response.status_code == 200


def test_time_limit_with_extra_time_sets_the_deadline(make_invitation):
    created = make_invitation(time_limit_minutes=60, extra_time_percent=50, extra_time_minutes=10)
    inv = invitations.takehome_start(invitation=created.invitation)
    assert invitations.deadline(inv) == inv.started_at + timedelta(minutes=100)
    assert 99 * 60 <= invitations.seconds_left(inv) <= 100 * 60


def test_integrity_signals_are_recorded_not_scored(started):
    client, created = started
    item = _first_item(created)
    client.post(
        f"/takehome/answers/{item.pk}/",
        {"text": "pasted", "version": "0", "paste_sizes": "120,3", "focus_lost": "2",
         "active_seconds": "45"},
    )  # fmt: skip
    answer = Answer.objects.get(item=item)
    assert [p["size"] for p in answer.paste_events] == [120, 3]
    assert (answer.focus_lost, answer.active_seconds) == (2, 45)


def test_submit_is_final_idempotent_and_notifies(started, django_capture_on_commit_callbacks):
    client, created = started
    item = _first_item(created)
    client.post(f"/takehome/answers/{item.pk}/", {"text": "My answer here", "version": "0"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # Three of the four answers are empty: the candidate confirmed that (see test_submit).
        response = client.post("/takehome/submit/", {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == "/takehome/receipt/"
    first = Invitation.objects.get().submitted_at
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/takehome/submit/", {"confirm": "1"})
    assert Invitation.objects.get().submitted_at == first
    # One "answers are in" to the panel and the recruiter, one receipt to the candidate.
    assert len(mail.outbox) == 2
    by_to = {tuple(sorted(m.to)): m for m in mail.outbox}
    assert set(by_to) == {("ivan@example.com", "rita@example.com"), ("tom@example.com",)}
    receipt = client.get("/takehome/receipt/")
    assert b"your answers are submitted" in receipt.content and b"Receipt" in receipt.content
    late = client.post(f"/takehome/answers/{item.pk}/", {"text": "edit", "version": "1"})
    assert late.status_code == 409
    assert Answer.objects.get(item=item).text == "My answer here"
    session = CandidateSession.objects.get()
    assert session.status == CandidateSession.Status.SUBMITTED


def test_no_js_submit_saves_then_submits(started):
    client, created = started
    items = list(created.invitation.session.items.order_by("order"))
    data = {"submit": "1"}
    for item in items:
        data[f"answer-{item.pk}"] = f"Answer to {item.pk}"
        data[f"version-{item.pk}"] = "0"
    response = client.post("/takehome/", data)
    assert response.status_code == 302
    assert sorted(Answer.objects.values_list("text", flat=True)) == sorted(
        f"Answer to {i.pk}" for i in items
    )
    assert Invitation.objects.get().submitted_at is not None


def test_interviewer_scores_the_answers_with_take_home_weight(started, interviewer):
    client, created = started
    item = _first_item(created)
    client.post(f"/takehome/answers/{item.pk}/", {"text": "Dispatching means...", "version": "0"})
    client.post("/takehome/submit/", {"confirm": "1"})
    session = created.invitation.session
    staff = Client()
    staff.force_login(interviewer)
    page = staff.get(reverse("interviews:scorecard", args=[session.pk])).content.decode()
    assert "Dispatching means..." in page and "prove nothing on their own" in page
    rate_all(session, interviewer, 4)
    session.refresh_from_db()
    # Take-home answers count with S = 0.5 (SCORING.md step 2): all-4s items still give y = 1,
    # so the observed means are 100 while each item's weight is halved (n_eff unchanged).
    comp = session.result["competencies"]["production_execution"]
    assert comp["observed"] == 100.0
    assert session.mode == "take_home"


def test_invitation_create_rejects_bad_input(th_position, th_candidate):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        invitations.invitation_create(
            position=th_position,
            candidate=th_candidate,
            expires_at=timezone.now() - timedelta(hours=1),
            time_limit_minutes=0,
            question_keys=["not-a-question"],
        )
    errors = exc.value.message_dict
    assert {"expires_at", "time_limit_minutes", "question_keys"} <= set(errors)
    assert Invitation.objects.count() == 0 and CandidateSession.objects.count() == 0
