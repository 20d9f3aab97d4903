"""Greenhouse Assessment Partner API, driven with the payloads of Greenhouse's documentation
(developers.greenhouse.io/assessment.html): list_tests, send_test, test_status, request_errors,
and the PATCH to the send_test ``url`` when a test is scored."""

import copy
import json
import os
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import schemathesis
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from schemathesis import checks as schemathesis_checks

from apps import outbox
from apps.accounts import crypto
from apps.ats.greenhouse import tasks as greenhouse_tasks
from apps.ats.greenhouse.callback import greenhouse_callback
from apps.ats.models import GreenhouseErrorReport, GreenhouseOrder
from apps.ats.webhooks.addresses import url_problem
from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.models import Candidate, CandidateSession, Invitation
from apps.interviews.services import invitations
from apps.interviews.verdicts import LABELS
from apps.outbox import services as outbox_services
from apps.outbox.models import OutboxMessage
from interviewbank.celery import app as celery_app
from tests.factories import make_kit

from .conftest import basic_auth, call_and_validate
from .test_webhooks import fake_dns

pytestmark = pytest.mark.django_db

BASE = "/integrations/greenhouse"

# The docs' examples, verbatim (partner_test_id is replaced by a real position's id).
DOCS_SEND_TEST = {
    "partner_test_id": "12345",
    "candidate": {
        "first_name": "Harry",
        "last_name": "Potter",
        "resume_url": "https://hogwarts.com/resume",
        "phone_number": "123-456-7890",
        "email": "hpotter@hogwarts.edu",
        "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532?application_id=26234709",
    },
    "url": "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345",
}
DOCS_REQUEST_ERRORS = {
    "api_call": "test_status",
    "errors": ["partner_status is 'complete' but partner_profile url is missing"],
    "partner_test_id": "12345",
    "partner_test_name": "Personality Test",
    "partner_interview_id": "299506",
    "candidate_email": "hpotter@hogwarts.edu",
}


def make_position(org, recruiter, *, title="MES Engineer", client="Contoso", written=True):
    kit = make_kit(3)
    if written:
        Question.objects.filter(kit_items__kit=kit).update(kind="written")
    return services.position_create(
        organization=org, created_by=recruiter, client_company=client, title=title,
        track=kit.track, level=kit.level, job_description="Shop floor execution.", kit=kit,
    )  # fmt: skip


@pytest.fixture
def position(org, recruiter):
    return make_position(org, recruiter)


def send_payload(position, **overrides) -> dict:
    payload = copy.deepcopy(DOCS_SEND_TEST)
    payload["partner_test_id"] = str(position.pk)
    payload.update(overrides)
    return payload


def send(client, payload):
    return client.post(f"{BASE}/send_test", payload, format="json")


def status_of(client, interview_id):
    return client.get(f"{BASE}/test_status", {"partner_interview_id": interview_id})


def complete(session):
    """The candidate starts, answers and submits the take-home (``session.submitted``)."""
    invitation = session.invitation
    invitations.takehome_start(invitation=invitation)
    for answer_item in session.items.all():
        invitations.answer_save(
            invitation=invitation, item_id=answer_item.pk, text="Dispatch at L3.", version=0
        )
    invitations.takehome_submit(invitation=invitation)
    session.refresh_from_db()
    return session


def score(session, interviewer, value=3):
    """The assigned interviewer rates every criterion and submits (the session is scored); a
    take-home the candidate has not submitted yet is completed first (scoring waits for it)."""
    session.refresh_from_db()
    invitation = getattr(session, "invitation", None)
    if invitation is not None and session.status in ("scheduled", "in_progress"):
        session = complete(session)
    card = services.scorecard_for(session=session, interviewer=interviewer)
    data = services.ScorecardData()
    for item in session.items.all():
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = value
    data.recommendation = "yes"
    services.scorecard_save_draft(scorecard=card, data=data)
    services.scorecard_submit(scorecard=card)
    session.refresh_from_db()
    return session


@pytest.fixture
def receiver():
    """A real HTTP server on 127.0.0.1 recording each request; answers with ``statuses`` in
    turn (then 200)."""
    records: list[dict] = []
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self):
            length = int(self.headers.get("Content-Length") or 0)
            records.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "body": self.rfile.read(length) if length else b"",
                    "headers": dict(self.headers),
                }
            )
            self.send_response(statuses.pop(0) if statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PATCH = do_POST = do_PUT = do_GET = _record

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_port}/integrations/testing_partners/take_home_tests/12345",
        records=records,
        statuses=statuses,
    )
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# -- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "Basic " + "bm90LWEta2V5Og==", "Basic !!!", "Api-Key whatever", "Basic Og=="],
    ids=["missing", "unknown-key", "malformed", "other-scheme", "empty-username"],
)
@pytest.mark.parametrize("path", ["list_tests", "test_status?partner_interview_id=1"])
def test_bad_or_missing_credentials_get_401(db, header, path):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="InterviewBank"'
    assert isinstance(response.json()["detail"], str)


def test_revoked_key_gets_401(greenhouse, org_key):
    org_key[0].revoked = True
    org_key[0].save()
    response = greenhouse.get(f"{BASE}/list_tests")
    assert response.status_code == 401
    assert response.json() == {"detail": "This API key has been revoked."}


def test_post_endpoints_need_credentials(db):
    client = APIClient()
    assert send(client, DOCS_SEND_TEST).status_code == 401
    response = client.post(f"{BASE}/request_errors", DOCS_REQUEST_ERRORS, format="json")
    assert response.status_code == 401
    assert not GreenhouseErrorReport.objects.exists()


def test_paths_are_the_documented_ones_without_trailing_slash(greenhouse):
    assert greenhouse.get(f"{BASE}/list_tests").status_code == 200
    assert greenhouse.get(f"{BASE}/list_tests/").status_code == 404


# -- list_tests -------------------------------------------------------------------------------


def test_list_tests_lists_the_organizations_positions_with_take_home_questions(
    greenhouse, org, recruiter, other_org, position
):
    second = make_position(org, recruiter, title="MOM Architect", client="Fabrikam")
    make_position(org, recruiter, title="Oral only", written=False)
    make_position(other_org, None, title="Rival's role")
    response = greenhouse.get(f"{BASE}/list_tests")
    assert response.status_code == 200
    assert response.json() == [
        {
            "partner_test_id": str(second.pk),
            "partner_test_name": "MOM Architect (Fabrikam) - take-home",
        },
        {
            "partner_test_id": str(position.pk),
            "partner_test_name": "MES Engineer (Contoso) - take-home",
        },
    ]


def test_list_tests_queries_do_not_grow_with_positions(greenhouse, org, recruiter, position):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert greenhouse.get(f"{BASE}/list_tests").status_code == 200
        return len(ctx.captured_queries)

    count()  # the key's last-used time is written on the first call only
    one = count()
    for i in range(4):
        services.position_create(
            organization=org, created_by=recruiter, client_company=f"Client {i}",
            title="MES Engineer", track=position.track, level=position.level,
            job_description="Shop floor execution.", kit=position.kit,
        )  # fmt: skip
    assert len(greenhouse.get(f"{BASE}/list_tests").json()) == 5
    assert count() == one


def test_other_organizations_key_sees_none_of_its_tests(org, position, other_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(other_key[1]))
    response = client.get(f"{BASE}/list_tests")
    assert response.status_code == 200
    assert response.json() == []


# -- send_test --------------------------------------------------------------------------------


def test_send_test_creates_candidate_session_invitation_and_emails_the_candidate(
    greenhouse, org, position, django_capture_on_commit_callbacks
):
    payload = send_payload(position)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(greenhouse, payload)
    assert response.status_code == 200
    session = CandidateSession.objects.get()
    assert response.json() == {"partner_interview_id": str(session.pk)}
    candidate = session.candidate
    assert (candidate.organization, candidate.name, candidate.email, candidate.phone) == (
        org, "Harry Potter", "hpotter@hogwarts.edu", "123-456-7890",
    )  # fmt: skip
    assert candidate.external_ids == {
        "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532?application_id=26234709"
    }
    assert (session.organization, session.position, session.mode) == (org, position, "take_home")
    assert session.status == "scheduled"
    assert sorted(session.items.values_list("question_key", flat=True)) == sorted(
        q.key for q in invitations.takehome_questions(position)
    )
    assert session.items.count() == 3
    invitation = session.invitation
    assert invitation.email == "hpotter@hogwarts.edu"
    expected_deadline = before + timedelta(days=7)
    assert timedelta(0) <= invitation.expires_at - expected_deadline < timedelta(minutes=1)
    assert invitation.sent_at is not None and invitation.send_count == 1
    order = GreenhouseOrder.objects.get()
    assert (order.organization, order.session, order.partner_test_id) == (
        org, session, str(position.pk),
    )  # fmt: skip
    assert order.callback_url == DOCS_SEND_TEST["url"]
    assert order.request_payload == payload
    assert order.sent_by == ""
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hpotter@hogwarts.edu"]
    assert "MES Engineer" in mail.outbox[0].subject
    assert "/t/" in mail.outbox[0].body


def test_send_test_deadline_follows_the_setting(greenhouse, position, settings):
    settings.GREENHOUSE_TEST_DAYS = 3
    before = timezone.now()
    assert send(greenhouse, send_payload(position)).status_code == 200
    expires_at = Invitation.objects.get().expires_at
    assert timedelta(0) <= expires_at - (before + timedelta(days=3)) < timedelta(minutes=1)


def test_send_test_retry_returns_the_same_interview_and_sends_nothing_twice(
    greenhouse, position, django_capture_on_commit_callbacks
):
    payload = send_payload(position)
    with django_capture_on_commit_callbacks(execute=True):
        first = send(greenhouse, payload)
    with django_capture_on_commit_callbacks(execute=True):
        again = send(greenhouse, payload)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert CandidateSession.objects.count() == Invitation.objects.count() == 1
    assert GreenhouseOrder.objects.count() == Candidate.objects.count() == 1
    assert len(mail.outbox) == 1


def test_send_test_after_the_first_link_was_revoked_sends_a_new_test(greenhouse, position):
    payload = send_payload(position)
    first = send(greenhouse, payload).json()["partner_interview_id"]
    invitations.invitation_revoke(invitation=Invitation.objects.get(session_id=int(first)))
    second = send(greenhouse, payload).json()["partner_interview_id"]
    assert second != first
    assert GreenhouseOrder.objects.count() == 2
    assert Candidate.objects.count() == 1


def test_send_test_with_another_url_is_another_test(greenhouse, position):
    first = send(greenhouse, send_payload(position)).json()
    other = send(greenhouse, send_payload(position, url=DOCS_SEND_TEST["url"][:-5] + "67890"))
    assert other.json() != first
    assert CandidateSession.objects.count() == 2


def test_send_test_reuses_the_candidate_with_that_email(greenhouse, org, position):
    existing = services.candidate_create(
        organization=org, name="H. J. Potter", email="HPotter@Hogwarts.EDU", phone="555"
    )
    response = send(greenhouse, send_payload(position))
    assert response.status_code == 200
    session = CandidateSession.objects.get(pk=int(response.json()["partner_interview_id"]))
    assert session.candidate == existing
    existing.refresh_from_db()
    assert (existing.name, existing.phone) == ("H. J. Potter", "555")
    assert existing.external_ids == {
        "greenhouse_profile_url": DOCS_SEND_TEST["candidate"]["greenhouse_profile_url"]
    }
    assert Candidate.objects.count() == 1
    assert session.invitation.email == "hpotter@hogwarts.edu"


def test_send_test_keeps_the_first_profile_url_of_a_returning_candidate(greenhouse, org, recruiter):
    first, second = make_position(org, recruiter), make_position(org, recruiter, title="Lead")
    send(greenhouse, send_payload(first))
    payload = send_payload(second)
    payload["candidate"]["greenhouse_profile_url"] = (
        "https://app.greenhouse.io/people/17681532?application_id=1"
    )
    assert send(greenhouse, payload).status_code == 200
    assert Candidate.objects.get().external_ids["greenhouse_profile_url"].endswith("=26234709")
    assert GreenhouseOrder.objects.get(partner_test_id=str(second.pk)).request_payload == payload


def test_send_test_uses_preferred_name_and_the_sender_when_given(greenhouse, position, recruiter):
    payload = send_payload(position, sent_by=recruiter.email.upper())
    payload["candidate"]["preferred_name"] = "Hal"
    response = send(greenhouse, payload)
    assert response.status_code == 200
    order = GreenhouseOrder.objects.get()
    assert order.session.candidate.name == "Hal Potter"
    assert order.sent_by == recruiter.email.upper()
    assert order.session.invitation.created_by == recruiter


def test_send_test_accepts_nulls_and_a_numeric_test_id(greenhouse, position):
    payload = send_payload(position, partner_test_id=position.pk, sent_by=None)
    payload["candidate"].update(resume_url=None, phone_number=None, preferred_name=None)
    response = send(greenhouse, payload)
    assert response.status_code == 200
    order = GreenhouseOrder.objects.get()
    assert order.partner_test_id == str(position.pk)
    assert order.session.candidate.phone == ""


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ((), "partner_test_id"),
        ((), "candidate"),
        ((), "url"),
        (("candidate",), "first_name"),
        (("candidate",), "last_name"),
        (("candidate",), "email"),
        (("candidate",), "greenhouse_profile_url"),
    ],
)
def test_send_test_without_a_required_field_is_400(greenhouse, position, path, field):
    payload = send_payload(position)
    target = payload
    for key in path:
        target = target[key]
    del target[field]
    response = send(greenhouse, payload)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid send_test request."
    errors = body["errors"]
    for key in path:
        errors = errors[key]
    assert errors[field] == ["This field is required."]
    assert not CandidateSession.objects.exists()
    assert not Candidate.objects.exists()


def test_send_test_with_a_bad_email_or_malformed_json_is_400(greenhouse, position):
    payload = send_payload(position)
    payload["candidate"]["email"] = "not-an-email"
    response = send(greenhouse, payload)
    assert response.status_code == 400
    assert response.json()["errors"] == {"candidate": {"email": ["Enter a valid email address."]}}
    response = greenhouse.post(
        f"{BASE}/send_test", data='{"partner_test_id": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Malformed JSON."
    assert response.json()["errors"]["body"][0].startswith("JSON parse error")
    assert not CandidateSession.objects.exists()


def test_send_test_refuses_a_plain_http_or_private_callback_url(greenhouse, position):
    for url in ("http://app.greenhouse.io/x", "https://127.0.0.1/x", "https://10.0.0.7/x"):
        response = send(greenhouse, send_payload(position, url=url))
        assert response.status_code == 400, url
        assert list(response.json()["errors"]) == ["url"]
    assert not GreenhouseOrder.objects.exists()


def test_send_test_of_an_unknown_test_is_404(greenhouse, org, recruiter, other_org):
    oral = make_position(org, recruiter, written=False)
    rival = make_position(other_org, None)
    for test_id in ("999999", "abc", "\u00b2", "9" * 30, str(oral.pk), str(rival.pk)):
        payload = copy.deepcopy(DOCS_SEND_TEST)
        payload["partner_test_id"] = test_id
        response = send(greenhouse, payload)
        assert response.status_code == 404, test_id
        assert response.json() == {"detail": "No test with this partner_test_id."}
    assert not CandidateSession.objects.exists()
    assert not Candidate.objects.exists()


# -- test_status ------------------------------------------------------------------------------


def test_test_status_through_the_lifecycle(greenhouse, position, interviewer):
    interview_id = send(greenhouse, send_payload(position)).json()["partner_interview_id"]
    session = CandidateSession.objects.get(pk=int(interview_id))
    invitation = session.invitation
    assert status_of(greenhouse, interview_id).json() == {"partner_status": "pending"}

    invitations.takehome_start(invitation=invitation)
    assert status_of(greenhouse, interview_id).json() == {"partner_status": "in_progress"}

    for answer_item in session.items.all():
        invitations.answer_save(
            invitation=invitation, item_id=answer_item.pk, text="Dispatch at L3.", version=0
        )
    invitations.takehome_submit(invitation=invitation)
    assert status_of(greenhouse, interview_id).json() == {"partner_status": "submitted"}

    # No service assigns interviewers after creation yet: the recruiter's step, done directly.
    session.interviewers.add(interviewer)
    session = score(session, interviewer)
    assert session.status == "scored"
    # Greenhouse reads the candidate's verdict for the role (the application, every stage
    # pooled), labelled in words, with the application's page as the profile.
    application = session.application
    application.refresh_from_db()
    result = application.result
    response = status_of(greenhouse, interview_id)
    assert response.status_code == 200
    invitation.refresh_from_db()
    # The profile is a scoped, expiring, revocable report link (tests/shortlists), the same on
    # every poll.
    profile = response.json()["partner_profile_url"]
    assert profile.startswith(f"{settings.SITE_URL}/s/")
    assert status_of(greenhouse, interview_id).json()["partner_profile_url"] == profile
    expected = {
        "partner_status": "complete",
        "partner_profile_url": profile,
        "metadata": {
            "Label": LABELS[result["label"]],
            "Likely above the bar": f"{round(100 * result['p_above'])}%",
            "Band low": result["band"][0],
            "Band high": result["band"][1],
            "Bar": 62.5,
            "Track fit": result["track"]["fit"],
            "Track orientation": result["track"]["orientation"],
            "Level fit": result["level_fit"],
            "Stage": "Take-home",
            "Submitted at": invitation.submitted_at.isoformat(),
        },
    }
    # One take-home stage alone is incomplete here: no number for Greenhouse to filter on.
    assert result["label"] == "incomplete"
    assert response.json() == expected
    body = response.json()
    assert "partner_score" not in body
    assert all(isinstance(v, str | int | float | bool) for v in body["metadata"].values())


def test_test_status_carries_the_score_once_the_application_is_decided(
    greenhouse, position, interviewer
):
    interview_id = send(greenhouse, send_payload(position)).json()["partner_interview_id"]
    session = CandidateSession.objects.get(pk=int(interview_id))
    session.interviewers.add(interviewer)
    session = score(session, interviewer)
    application = session.application
    # A complete verdict (here: forced by storing one) gives Greenhouse its number.
    decided = dict(application.result, label="borderline")
    type(application).objects.filter(pk=application.pk).update(result=decided)
    body = status_of(greenhouse, interview_id).json()
    assert body["partner_status"] == "complete"
    assert body["partner_score"] == decided["score"]
    assert body["metadata"]["Label"] == "Borderline"


def test_test_status_of_a_revoked_or_expired_test(greenhouse, position):
    interview_id = send(greenhouse, send_payload(position)).json()["partner_interview_id"]
    invitation = Invitation.objects.get(session_id=int(interview_id))
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert status_of(greenhouse, interview_id).json() == {"partner_status": "expired"}
    invitations.invitation_revoke(invitation=invitation)
    assert status_of(greenhouse, interview_id).json() == {"partner_status": "cancelled"}


def test_test_status_needs_the_parameter(greenhouse):
    response = greenhouse.get(f"{BASE}/test_status")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid test_status request.",
        "errors": {"partner_interview_id": ["This parameter is required."]},
    }


def test_test_status_of_an_unknown_interview_is_404(greenhouse, org, position):
    ordinary = invitations.invitation_create(
        position=position,
        candidate=services.candidate_create(organization=org, name="Not GH", email="n@x.org"),
        expires_at=timezone.now() + timedelta(days=1),
    ).invitation.session
    for interview_id in ("999999", "abc", "-1", "\u00b2", "9" * 30, str(ordinary.pk)):
        response = status_of(greenhouse, interview_id)
        assert response.status_code == 404, interview_id
        assert response.json() == {"detail": "No test was sent with this partner_interview_id."}


def test_other_organizations_key_gets_404_for_this_organizations_ids(
    greenhouse, position, other_key
):
    interview_id = send(greenhouse, send_payload(position)).json()["partner_interview_id"]
    rival = APIClient()
    rival.credentials(HTTP_AUTHORIZATION=basic_auth(other_key[1]))
    assert status_of(rival, interview_id).status_code == 404
    assert status_of(greenhouse, interview_id).status_code == 200
    response = send(rival, send_payload(position))
    assert response.status_code == 404
    assert CandidateSession.objects.count() == 1


# -- the PATCH when a test is scored ----------------------------------------------------------


@pytest.fixture
def allow_loopback(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def failures_recorded():
    """Eager tasks record a failure on their result instead of raising, as a worker does, so
    each retry runs (eagerly, without the backoff wait); the eager_celery fixture restores it."""
    celery_app.conf.task_eager_propagates = False


def patches(receiver):
    return [(r["method"], r["path"], r["body"]) for r in receiver.records]


PATCH = ("PATCH", "/integrations/testing_partners/take_home_tests/12345", b"")


def test_completing_then_scoring_a_greenhouse_test_sends_an_empty_patch_each_time(
    greenhouse, org_key, position, interviewer, receiver, allow_loopback,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    response = send(greenhouse, send_payload(position, url=receiver.url))
    session = CandidateSession.objects.get(pk=int(response.json()["partner_interview_id"]))
    session.interviewers.add(interviewer)
    assert receiver.records == []
    with django_capture_on_commit_callbacks(execute=True):
        complete(session)  # the candidate submits: Greenhouse hears of it now
    assert patches(receiver) == [PATCH]
    with django_capture_on_commit_callbacks(execute=True):
        score(session, interviewer)
    assert patches(receiver) == [PATCH, PATCH]
    for record in receiver.records:
        headers = {k.lower(): v for k, v in record["headers"].items()}
        assert headers.get("content-length", "0") == "0"
        assert "transfer-encoding" not in headers
        # Greenhouse's example: Basic auth, the customer's key as the user, no password.
        assert headers["authorization"] == basic_auth(org_key[1])
    assert list(
        OutboxMessage.objects.filter(kind="greenhouse.callback").values_list("status", flat=True)
    ) == ["sent", "sent"]


def test_the_callback_is_an_outbox_row_written_with_the_submit(
    greenhouse, position, receiver, allow_loopback
):
    response = send(greenhouse, send_payload(position, url=receiver.url))
    session = CandidateSession.objects.get(pk=int(response.json()["partner_interview_id"]))
    order = GreenhouseOrder.objects.get()
    # No on-commit callbacks run here (the test's transaction never commits): the row is
    # written in the submit's transaction and waits for the dispatch or the sweep.
    complete(session)
    message = OutboxMessage.objects.get(kind="greenhouse.callback")
    assert (message.status, message.payload, message.organization_id) == (
        "pending",
        {"order_id": order.pk},
        order.organization_id,
    )
    assert message.dedupe_key == f"greenhouse:{order.pk}:submitted"
    assert receiver.records == []
    assert outbox_services.message_send(message_id=message.pk) == "sent"
    assert patches(receiver) == [PATCH]
    # Sent once: a second task (or sweep) for the row does nothing.
    assert outbox_services.message_send(message_id=message.pk) is None
    assert len(receiver.records) == 1


def test_the_key_greenhouse_authenticates_with_is_stored_encrypted(greenhouse, org_key, api):
    key, raw = org_key
    assert key.secret_encrypted == ""
    api.get("/api/v1/candidates")  # the Api-Key scheme keeps nothing
    key.refresh_from_db()
    assert key.secret_encrypted == ""
    assert greenhouse.get(f"{BASE}/list_tests").status_code == 200
    key.refresh_from_db()
    assert key.secret_encrypted and raw not in key.secret_encrypted
    assert crypto.decrypt(key.secret_encrypted) == raw
    stored = key.secret_encrypted
    greenhouse.get(f"{BASE}/list_tests")  # later calls write nothing
    key.refresh_from_db()
    assert key.secret_encrypted == stored


def test_a_refused_callback_fails_its_outbox_row_without_calling(
    greenhouse, position, receiver, settings
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    send(greenhouse, send_payload(position, url=receiver.url))
    order = GreenhouseOrder.objects.get()
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    message = outbox.enqueue("greenhouse.callback", {"order_id": order.pk})
    assert outbox_services.message_send(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert "loopback" in message.last_error
    assert receiver.records == []


def test_a_failing_callback_is_retried_by_the_outbox(
    greenhouse, position, receiver, allow_loopback
):
    send(greenhouse, send_payload(position, url=receiver.url))
    order = GreenhouseOrder.objects.get()
    receiver.statuses.extend([503])
    message = outbox.enqueue("greenhouse.callback", {"order_id": order.pk})
    assert outbox_services.message_send(message_id=message.pk) == "pending"
    message.refresh_from_db()
    assert "Greenhouse answered 503 (attempt 1)" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_services.message_send(message_id=message.pk) == "sent"
    assert patches(receiver) == [PATCH, PATCH]


def stored_order(org, position, callback_url: str) -> GreenhouseOrder:
    """An order written straight to the database, with a URL send_test would refuse."""
    session = invitations.invitation_create(
        position=position,
        candidate=services.candidate_create(organization=org, name="X", email="x@x.org"),
        expires_at=timezone.now() + timedelta(days=1),
    ).invitation.session
    return GreenhouseOrder.objects.create(
        organization=org,
        session=session,
        partner_test_id=str(position.pk),
        callback_url=callback_url,
    )


SIX_TO_FOUR_PRIVATE = "2002:0a00:0001::1"  # 6to4 for 10.0.0.1


def test_a_6to4_address_of_a_private_network_is_refused_even_with_loopback_allowed(
    greenhouse, org, position, allow_loopback, monkeypatch
):
    url = f"https://[{SIX_TO_FOUR_PRIVATE}]/integrations/testing_partners/take_home_tests/1"
    assert "is a private address (it embeds 10.0.0.1)" in url_problem(url, https_only=True)
    response = send(greenhouse, send_payload(position, url=url))
    assert response.status_code == 400 and list(response.json()["errors"]) == ["url"]
    # A name that resolves there is refused at send time, before any connection.
    fake_dns(monkeypatch, {"callback.example.com": [SIX_TO_FOUR_PRIVATE]})
    connections = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a) or 1 / 0)
    order = stored_order(org, position, "https://callback.example.com/tests/1")
    with pytest.raises(
        greenhouse_tasks.CallbackRefused, match=r"a private address \(it embeds 10.0.0.1\)"
    ):
        greenhouse_callback(order_id=order.pk)
    assert connections == []


def test_the_patch_goes_to_the_address_that_was_checked(
    greenhouse, position, receiver, allow_loopback, monkeypatch
):
    """DNS rebinding: the name resolves to the (allowed) receiver once, then to a private
    address. The request must connect to the first answer, and ask DNS only once."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    url = f"http://greenhouse-callback.localhost:{port}/integrations/testing_partners/take_home_tests/12345"
    send(greenhouse, send_payload(position, url=url))
    order = GreenhouseOrder.objects.get()
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    lookups = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "greenhouse-callback.localhost":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in next(answers)]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    assert greenhouse_callback(order_id=order.pk) == 200
    assert lookups == ["greenhouse-callback.localhost"]
    headers = {k.lower(): v for k, v in receiver.records[0]["headers"].items()}
    assert headers["host"] == f"greenhouse-callback.localhost:{port}"


def test_scoring_a_session_greenhouse_did_not_order_sends_nothing(
    org, position, interviewer, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    created = invitations.invitation_create(
        position=position,
        candidate=services.candidate_create(organization=org, name="Direct", email="d@x.org"),
        expires_at=timezone.now() + timedelta(days=1),
        interviewers=[interviewer],
    )
    with django_capture_on_commit_callbacks(execute=True):
        score(created.invitation.session, interviewer)
    assert receiver.records == []


def test_a_failing_receiver_makes_the_task_retry_then_give_up(
    greenhouse, position, receiver, allow_loopback, failures_recorded
):
    send(greenhouse, send_payload(position, url=receiver.url))
    order = GreenhouseOrder.objects.get()
    receiver.statuses.extend([500] * 20)
    # Eager apply runs each retry at once (no backoff sleep) and fails after the last one.
    result = greenhouse_tasks.greenhouse_notify.apply(args=[order.pk])
    assert result.state == "FAILURE"
    assert isinstance(result.result, greenhouse_tasks.CallbackFailed)
    assert str(result.result) == "Greenhouse answered 500 (attempt 9)"
    assert greenhouse_tasks.greenhouse_notify.max_retries == 8
    assert [r["method"] for r in receiver.records] == ["PATCH"] * 9


def test_a_receiver_that_recovers_gets_the_patch_on_retry(
    greenhouse, position, receiver, allow_loopback, failures_recorded
):
    send(greenhouse, send_payload(position, url=receiver.url))
    order = GreenhouseOrder.objects.get()
    receiver.statuses.extend([503, 500])
    result = greenhouse_tasks.greenhouse_notify.apply(args=[order.pk])
    assert (result.state, result.result) == ("SUCCESS", 200)
    assert len(receiver.records) == 3


def test_the_task_refuses_a_private_address_without_calling_it(db, org, position, receiver):
    order = stored_order(org, position, receiver.url)
    with pytest.raises(greenhouse_tasks.CallbackRefused):
        greenhouse_tasks.greenhouse_notify.apply(args=[order.pk])
    assert receiver.records == []


def test_url_problem_rules(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False

    def problem(url):
        return url_problem(url, https_only=True)

    assert problem(DOCS_SEND_TEST["url"]) is None
    assert problem("http://app.greenhouse.io/x") == "Use an https:// URL."
    assert "local name" in problem("https://localhost/x")
    assert "local name" in problem("https://greenhouse.internal/x")
    assert "loopback" in problem("https://[::1]/x")
    assert "metadata" in problem("https://169.254.169.254/latest")
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert problem("http://127.0.0.1:8000/x") is None
    # The loopback switch lets loopback through, nothing else: not plain http elsewhere, and no
    # private range, however it is written.
    assert problem("http://10.0.0.7/x") is not None
    assert "private" in problem("https://10.0.0.7/x")


# -- request_errors ---------------------------------------------------------------------------


def test_request_errors_stores_the_report(greenhouse, org):
    response = greenhouse.post(f"{BASE}/request_errors", DOCS_REQUEST_ERRORS, format="json")
    assert response.status_code == 200
    assert response.json() == {"status": 200}
    report = GreenhouseErrorReport.objects.get()
    assert report.organization == org
    assert (report.api_call, report.errors) == (
        "test_status", ["partner_status is 'complete' but partner_profile url is missing"],
    )  # fmt: skip
    assert (report.partner_test_id, report.partner_interview_id, report.candidate_email) == (
        "12345", "299506", "hpotter@hogwarts.edu",
    )  # fmt: skip


def test_request_errors_with_only_the_guaranteed_keys(greenhouse, other_key, other_org):
    rival = APIClient()
    rival.credentials(HTTP_AUTHORIZATION=basic_auth(other_key[1]))
    body = {"api_call": "list_tests", "errors": ["missing key partner_test_name"]}
    assert rival.post(f"{BASE}/request_errors", body, format="json").json() == {"status": 200}
    report = GreenhouseErrorReport.objects.get()
    assert (report.organization, report.api_call, report.partner_test_id) == (
        other_org, "list_tests", "",
    )  # fmt: skip


def test_request_errors_without_api_call_or_errors_is_400(greenhouse):
    response = greenhouse.post(f"{BASE}/request_errors", {"errors": []}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"api_call": ["This field is required."]}
    response = greenhouse.post(f"{BASE}/request_errors", {"api_call": "x"}, format="json")
    assert response.json()["errors"] == {"errors": ["This field is required."]}
    assert not GreenhouseErrorReport.objects.exists()


# -- schema -----------------------------------------------------------------------------------


def test_the_endpoints_are_in_the_openapi_schema(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    paths = {p: schema["paths"][p] for p in schema["paths"] if p.startswith(BASE)}
    assert {p: sorted(ops) for p, ops in paths.items()} == {
        f"{BASE}/list_tests": ["get"],
        f"{BASE}/send_test": ["post"],
        f"{BASE}/test_status": ["get"],
        f"{BASE}/request_errors": ["post"],
    }
    assert sorted(paths[f"{BASE}/send_test"]["post"]["responses"]) == [
        "200",
        "400",
        "401",
        "404",
        "429",
    ]
    assert paths[f"{BASE}/list_tests"]["get"]["security"] == [{"GreenhouseBasicAuth": []}]
    assert schema["components"]["securitySchemes"]["GreenhouseBasicAuth"]["scheme"] == "basic"


def _load_schema():
    # Generated without the database, so it can load at collection (as test_schemathesis does).
    from interviewbank.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application).include(
        path_regex=f"^{BASE}/"
    )


# tests/ats/test_schemathesis.py calls every operation with an Api-Key header, which these
# endpoints refuse (401); this fuzzes them with Greenhouse's Basic credentials. Two checks are
# left out: positive_data_acceptance (a schema-valid http:// callback url or an unknown test id
# is rightly refused) and negative_data_rejection (Greenhouse may add properties, so unknown
# ones are accepted, while apps/ats/schema.py marks every request body additionalProperties
# false).
FUZZ_CHECKS = [
    c
    for c in schemathesis_checks.CHECKS.get_all()
    if c.__name__ not in {"positive_data_acceptance", "negative_data_rejection"}
]


@pytest.fixture
def fuzz_seeded(keep_connection, org, recruiter, org_key):
    make_position(org, recruiter)
    return org_key


@_load_schema().parametrize()
@hypothesis_settings(
    max_examples=int(
        os.environ.get("SCHEMATHESIS_EXAMPLES", "50" if os.environ.get("CI") else "10")
    ),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_greenhouse_endpoints_conform_to_the_schema(case, fuzz_seeded):
    call_and_validate(
        case, headers={"Authorization": basic_auth(fuzz_seeded[1])}, checks=FUZZ_CHECKS
    )
