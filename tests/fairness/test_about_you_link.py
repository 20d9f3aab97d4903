"""The voluntary questions by e-mailed link (apps.fairness.links): who may send it and when,
what the candidate's link accepts, and the walls (tenant, role, tampering, expiry, erasure)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.fairness import links
from apps.fairness.models import SelfReport
from apps.interviews import services
from apps.interviews.models import CandidateSession
from apps.outbox.models import OutboxMessage
from apps.takehome.security import redact_tokens
from tests.factories import make_kit, make_position

pytestmark = pytest.mark.django_db


@pytest.fixture
def collecting(org):
    org.collects_self_reported_groups = True
    org.save()
    return org


@pytest.fixture
def seen(collecting, interviewer):
    """A candidate seen in a live interview that is scored: their evidence is in."""
    candidate = services.candidate_create(
        organization=collecting, name="Ada Lovelace", email="ada@example.com"
    )
    session = services.session_create(
        position=make_position(collecting, make_kit(2)),
        candidate=candidate,
        interviewers=[interviewer],
    )
    CandidateSession.objects.filter(pk=session.pk).update(status=CandidateSession.Status.SCORED)
    return candidate


def _send(client, candidate):
    return client.post(reverse("fairness:about_you_request", args=[candidate.pk]))


def _link_path(candidate) -> str:
    return reverse("fairness:about_you_link", args=[links.token_for(candidate)])


def test_a_recruiter_e_mails_the_link_once_a_day_and_it_is_audited(
    client, recruiter, seen, settings, django_capture_on_commit_callbacks
):
    client.force_login(recruiter)
    page = client.get(reverse("interviews:candidate_detail", args=[seen.pk])).content.decode()
    assert reverse("fairness:about_you_request", args=[seen.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, seen)
    assert response.status_code == 302
    again = client.get(response["Location"]).content.decode()
    assert "The optional questions are e-mailed to ada@example.com." in again
    # The row holds the candidate's id only: no link is stored, it is signed at send time.
    (row,) = OutboxMessage.objects.filter(kind=links.EMAIL_KIND)
    assert row.payload == {"candidate_id": seen.pk}
    assert row.status == OutboxMessage.Status.SENT
    (email,) = mail.outbox
    assert email.to == ["ada@example.com"]
    assert email.subject == "Acme Talent: optional questions about you"
    url = next(word for word in email.body.split() if "/a/" in word)
    assert url.startswith(settings.SITE_URL + "/a/")
    assert client.get(urlsplit(url).path).status_code == 200  # the link it sent works
    assert "voluntary" in email.body and "/privacy/notice/acme/" in email.body
    event = AuditEntry.objects.get(event="candidate.self_report_requested")
    assert (event.actor, event.object_id) == (recruiter, seen.pk)
    # A second click the same day sends nothing more.
    _send(client, seen)
    assert OutboxMessage.objects.filter(kind=links.EMAIL_KIND).count() == 1
    assert AuditEntry.objects.filter(event="candidate.self_report_requested").count() == 1


def test_an_erased_candidate_is_never_e_mailed_a_queued_link(recruiter, seen):
    from apps.outbox import services as outbox_services
    from apps.privacy.services import erase_candidate

    assert links.request_send(candidate=seen, user=recruiter) is True
    row = OutboxMessage.objects.get(kind=links.EMAIL_KIND)
    assert row.status == OutboxMessage.Status.PENDING  # not sent: the test never commits
    erase_candidate(candidate=seen, actor=None, reason="asked")
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.FAILED  # the erasure cancelled it
    # Even a row that escaped the cancellation sends nothing for an erased candidate.
    OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxMessage.Status.PENDING)
    assert outbox_services.message_send(message_id=row.pk) == OutboxMessage.Status.FAILED
    assert mail.outbox == []


def test_the_candidate_answers_from_the_link_and_can_change_them(client, seen):
    path = _link_path(seen)
    page = client.get(path)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert "voluntary" in page.content.decode() and "Acme Talent" in page.content.decode()
    saved = client.post(path, {"sex": "female", "ethnicity": "", "age": "40_or_older"})
    assert saved.status_code == 302 and saved["Location"] == path + "?saved=1"
    assert "your answers are saved" in client.get(saved["Location"]).content.decode()
    assert dict(SelfReport.objects.values_list("dimension", "value")) == {
        "sex": "female",
        "age": "40_or_older",
    }
    client.post(path, {"sex": "", "ethnicity": "asian", "age": "40_or_older"})
    assert dict(SelfReport.objects.values_list("dimension", "value")) == {
        "ethnicity": "asian",
        "age": "40_or_older",
    }


def test_a_bad_answer_is_a_400_naming_the_question_and_saves_nothing(client, seen):
    response = client.post(_link_path(seen), {"sex": "martian"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not SelfReport.objects.exists()


def test_a_tampered_or_foreign_link_is_a_404(client, seen, other_org):
    token = links.token_for(seen)
    for bad in (token[:-2] + "xx", token.replace(":", "", 1), "not-a-link-at-all-123456"):
        url = reverse("fairness:about_you_link", args=[bad])
        assert client.get(url).status_code == 404
        assert client.post(url, {"sex": "female"}).status_code == 404
    # Another salt's signature of the same ids (e.g. another feature's token) is not a link.
    from django.core import signing

    forged = signing.dumps([seen.organization_id, seen.pk], salt="something.else")
    assert client.get(reverse("fairness:about_you_link", args=[forged])).status_code == 404
    assert not SelfReport.objects.exists()


def test_an_expired_link_is_a_410_that_says_what_to_do(client, seen, settings):
    path = _link_path(seen)
    settings.FAIRNESS_LINK_DAYS = 0
    response = client.get(path)
    assert response.status_code == 410
    assert "ask the recruiter who contacted you for a new link" in response.content.decode()
    assert client.post(path, {"sex": "female"}).status_code == 410
    assert not SelfReport.objects.exists()


def test_a_link_stops_working_when_the_organization_stops_collecting(client, seen):
    path = _link_path(seen)
    seen.organization.collects_self_reported_groups = False
    seen.organization.save()
    assert client.get(path).status_code == 404


def test_the_link_of_an_erased_candidate_finds_no_one(client, seen):
    path = _link_path(seen)
    from apps.privacy.services import erase_candidate

    erase_candidate(candidate=seen, actor=None, reason="asked")
    assert client.get(path).status_code == 404


def test_not_before_the_evidence_is_in_nor_when_the_organization_does_not_collect(
    client, org, recruiter, interviewer
):
    candidate = services.candidate_create(organization=org, name="Bo", email="bo@example.com")
    services.session_create(
        position=make_position(org, make_kit(2)), candidate=candidate, interviewers=[interviewer]
    )
    client.force_login(recruiter)
    # Not collecting: no button, and the POST is refused with the reason.
    page = client.get(reverse("interviews:candidate_detail", args=[candidate.pk]))
    assert reverse("fairness:about_you_request", args=[candidate.pk]) not in page.content.decode()
    with pytest.raises(ValidationError, match="does not collect"):
        links.request_send(candidate=candidate, user=recruiter)
    org.collects_self_reported_groups = True
    org.save()
    # Collecting, but the interview is only scheduled: asking now could touch the evaluation.
    response = _send(client, candidate)
    assert response.status_code == 302
    assert "evidence is in" in client.get(response["Location"]).content.decode()
    assert not OutboxMessage.objects.filter(kind=links.EMAIL_KIND).exists()


@pytest.mark.parametrize("who", ["interviewer", "outsider"])
def test_interviewers_and_other_tenants_cannot_send_it(client, request, who, seen):
    client.force_login(request.getfixturevalue(who))
    assert _send(client, seen).status_code == 404
    assert not OutboxMessage.objects.filter(kind=links.EMAIL_KIND).exists()


def test_the_link_is_redacted_from_logs(seen):
    path = _link_path(seen)
    line = f'"GET {path} HTTP/1.1" 200'
    assert redact_tokens(line) == '"GET /a/[redacted]/ HTTP/1.1" 200'
    assert urlsplit(path).path.count("/") == 3
