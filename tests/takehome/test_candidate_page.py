"""The candidate's page: what is recorded (and that none of it is scored), a timer that
announces only at thresholds, the deadline as a machine-readable time for local display, word
counts, a confirm step listing empty answers before the final submit (server-side, so it works
without JavaScript), and a receipt e-mail through the outbox."""

import re
from datetime import datetime

import pytest
from django.core import mail

from apps.interviews.models import CandidateSession, Invitation
from apps.interviews.services import invitations
from apps.outbox.models import OutboxMessage
from apps.takehome.receipts import receipt_code

pytestmark = pytest.mark.django_db


def _items(created):
    return list(created.invitation.session.items.order_by("order"))


def _answer_all_but(client, created, skip: set[int], **extra):
    data = {"submit": "1", **extra}
    for n, item in enumerate(_items(created), 1):
        data[f"answer-{item.pk}"] = "" if n in skip else f"My answer number {n} here"
        data[f"version-{item.pk}"] = "0"
    return client.post("/takehome/", data)


def test_the_start_page_says_what_is_recorded_and_that_none_of_it_is_scored(
    client, make_invitation
):
    created = make_invitation()
    html = client.get(f"/t/{created.token}/").content.decode()
    assert "What is recorded while you answer" in html
    for signal in ("paste", "loses focus", "time spent in each answer"):
        assert signal in html
    assert "None of this is scored" in html
    assert "PDF, PNG or JPEG, at most 10 MB" in html


def test_the_timer_is_quiet_except_for_a_threshold_region_and_the_deadline_is_iso(started):
    client, _created = started
    html = client.get("/takehome/").content.decode()
    timer = re.search(r'<div class="takehome-timer" id="timer"[^>]*>', html).group(0)
    assert "aria-live" not in timer  # a region updated every second must not be live
    assert re.search(r'<p id="timer-announce" class="visually-hidden" aria-live="polite">', html)
    deadline = invitations.deadline(Invitation.objects.get())
    iso = re.search(r'<time id="deadline" datetime="([^"]+)">([^<]+)</time>', html)
    assert datetime.fromisoformat(iso.group(1)) == deadline
    assert "UTC" in iso.group(2)  # the server's text stays as the fallback


def test_each_answer_shows_its_word_count(started):
    client, created = started
    item = _items(created)[0]
    client.post(f"/takehome/answers/{item.pk}/", {"text": "three little words", "version": "0"})
    html = client.get("/takehome/").content.decode()
    assert f'<small id="words-{item.pk}" class="word-count">3 words</small>' in html


def test_submit_with_empty_answers_asks_to_confirm_and_lists_them(started):
    client, created = started
    response = _answer_all_but(client, created, skip={2, 4})
    assert response.status_code == 200
    html = response.content.decode()
    listed = re.findall(r"<li>Question (\d+):", html)
    assert listed == ["2", "4"]
    assert 'name="confirm" value="1"' in html
    assert Invitation.objects.get().submitted_at is None  # nothing final yet
    assert CandidateSession.objects.get().status == CandidateSession.Status.IN_PROGRESS
    # The answers typed in that post were saved all the same.
    saved = [item.answer.text for item in _items(created)]
    assert saved == ["My answer number 1 here", "", "My answer number 3 here", ""]
    final = client.post("/takehome/submit/", {"confirm": "1"})
    assert final.status_code == 302 and final["Location"] == "/takehome/receipt/"
    assert Invitation.objects.get().submitted_at is not None


def test_the_plain_submit_endpoint_asks_too(started):
    client, _created = started
    response = client.post("/takehome/submit/")
    assert response.status_code == 200 and "Submit with empty answers?" in response.content.decode()
    assert Invitation.objects.get().submitted_at is None


def test_with_every_question_answered_submit_needs_no_confirmation(started):
    client, created = started
    response = _answer_all_but(client, created, skip=set())
    assert response.status_code == 302 and response["Location"] == "/takehome/receipt/"


def test_an_answer_with_only_a_file_is_not_empty(started):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client, created = started
    first = _items(created)[0]
    client.post(
        "/takehome/",
        {f"file-{first.pk}": SimpleUploadedFile("s.pdf", b"%PDF-1.4 x"), "save": "1"},
    )
    html = client.post("/takehome/submit/").content.decode()
    assert re.findall(r"<li>Question (\d+):", html) == ["2", "3", "4"]


def test_the_candidate_gets_one_receipt_e_mail_through_the_outbox(
    started, django_capture_on_commit_callbacks
):
    client, created = started
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _answer_all_but(client, created, skip=set())
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/takehome/submit/", {"confirm": "1"})  # a second submit: no second mail
    invitation = Invitation.objects.get()
    rows = OutboxMessage.objects.filter(dedupe_key=f"takehome-receipt:{invitation.session_id}")
    assert rows.count() == 1
    receipts = [m for m in mail.outbox if m.to == ["tom@example.com"]]
    assert len(receipts) == 1
    body = receipts[0].body
    assert receipt_code(invitation) in body and "Questions answered: 4 of 4" in body
    assert receipt_code(invitation) in client.get("/takehome/receipt/").content.decode()
    assert created.token not in body
