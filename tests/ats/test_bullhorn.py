"""Bullhorn connector against a fake Bullhorn (tests/ats/fakes/bullhorn.py, a real HTTP server):
connect, token refresh and re-login, candidates in from mapped submission statuses (once per
event), results out as a Note and a PDF file (replaced on rescore), Retry-After, a dead 401,
two organizations on two Bullhorn accounts, and the admin page (tenancy, query counts).

Outbox rows are sent by calling the outbox's own ``message_send`` for each due row (the test's
transaction never commits, so nothing is sent behind the test's back)."""

from __future__ import annotations

import base64
import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone

from apps.accounts import crypto
from apps.ats.bullhorn import inbound, results
from apps.ats.bullhorn import services as bullhorn
from apps.ats.bullhorn.client import Client, _loggable_path
from apps.ats.models import (
    BullhornApplication,
    BullhornCall,
    BullhornConnection,
    BullhornEvent,
    BullhornStatusMapping,
)
from apps.ats.webhooks.delivery import parse_retry_after
from apps.audit.models import AuditEntry
from apps.interviews.models import Application, Candidate, CandidateSession, Invitation
from apps.outbox import services as outbox_services
from apps.outbox.models import OutboxMessage
from tests.factories import MembershipFactory

from .fakes.bullhorn import FakeBullhorn
from .test_greenhouse import make_position, score

pytestmark = pytest.mark.django_db
Status = BullhornConnection.Status
PAGE = "/settings/bullhorn/"


@pytest.fixture
def fake(settings):
    server = FakeBullhorn()
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    settings.BULLHORN_LOGIN_INFO_URL = server.login_info_url
    yield server
    server.close()


@pytest.fixture
def account(fake):
    return fake.add_account()


def run_outbox(*kinds: str) -> list[str | None]:
    """Send every due outbox row (of these kinds), as the worker would, until none is due."""
    outcomes = []
    for _ in range(20):
        rows = OutboxMessage.objects.filter(pk__in=outbox_services.messages_due())
        if kinds:
            rows = rows.filter(kind__in=kinds)
        ids = list(rows.order_by("pk").values_list("pk", flat=True))
        if not ids:
            break
        outcomes += [outbox_services.message_send(message_id=pk) for pk in ids]
    return outcomes


def credentials(account, **overrides) -> dict[str, str]:
    """The connection form's fields for ``account``."""
    return {
        "client_id": account.client_id,
        "client_secret": account.client_secret,
        "username": account.username,
        "password": account.password,
        "note_action": "Assessment",
        **overrides,
    }


def connect(org, account, **overrides) -> BullhornConnection:
    bullhorn.connection_save(organization=org, **credentials(account, **overrides))
    run_outbox(bullhorn.CONNECT_KIND)
    return BullhornConnection.objects.get(organization=org)


@pytest.fixture
def connected(org, org_admin, account):
    connection = connect(org, account)
    assert connection.status == Status.ACTIVE, connection.status_detail
    return connection


@pytest.fixture
def position(org, recruiter):
    return make_position(org, recruiter, title="MES Engineer", client="Contoso")


@pytest.fixture
def mapping(org, position):
    return bullhorn.mapping_create(
        organization=org, status="Technical screen", position=position, send_takehome=True
    )


_ticks = itertools.count()


def poll() -> None:
    """A beat tick of a new poll period (the same period twice queues one poll), then send."""
    inbound.poll_enqueue_due(now=timezone.now() + timedelta(minutes=next(_ticks)))
    run_outbox(bullhorn.POLL_KIND)


def submitted(account, *, status="Technical screen", email="grace@example.com"):
    """A candidate submitted to a job in Bullhorn and moved to ``status``."""
    cid = account.add_candidate(email=email)
    sid = account.add_submission(cid, status="Submitted", job_order_id=555)
    account.set_status(sid, status)
    return cid, sid


# -- connection --------------------------------------------------------------------------------


def test_connecting_stores_every_secret_encrypted_and_logs_in(
    client, org, org_admin, account, fake
):
    client.force_login(org_admin)
    response = client.post(PAGE, {**credentials(account), "form_key": "k" * 20})
    assert response.status_code == 302
    run_outbox(bullhorn.CONNECT_KIND)
    connection = BullhornConnection.objects.get(organization=org)
    assert connection.status == Status.ACTIVE
    assert crypto.decrypt(connection.password_encrypted) == account.password
    assert crypto.decrypt(connection.client_secret_encrypted) == account.client_secret
    # The raw row holds neither the secret, the password nor any token Bullhorn issued.
    with db.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {BullhornConnection._meta.db_table}")  # noqa: S608
        raw = " ".join(str(value) for value in cursor.fetchone())
    issued = list(fake.access) + list(fake.refresh) + list(fake.sessions)
    for secret in [account.password, account.client_secret, *issued]:
        assert secret not in raw
    # The documented flow, in order: loginInfo, authorize, token, login, subscribe.
    assert [(r["method"], r["path"]) for r in fake.requests] == [
        ("GET", "/rest-services/loginInfo"),
        ("GET", "/oauth/authorize"),
        ("POST", "/oauth/token"),
        ("POST", "/rest-services/login"),
        ("PUT", f"/rest-services/corp1/event/subscription/interviewbank-{org.pk}"),
    ]
    subscribe = fake.requests[-1]["query"]
    assert subscribe == {
        "type": "entity",
        "names": "Candidate,JobSubmission",
        "eventTypes": "INSERTED,UPDATED",
    }
    # Every call is logged for the organization, without a single query value.
    calls = list(BullhornCall.objects.filter(organization=org).order_by("pk"))
    assert [c.status for c in calls] == [200, 302, 200, 200, 200]
    assert calls[1].path == "/oauth/authorize?action&client_id&password&response_type&username"
    logged = " ".join(c.path for c in calls)
    for secret in [account.password, account.client_secret, account.username, *issued]:
        assert secret not in logged


def test_no_secret_reaches_the_log(org, org_admin, account, fake, caplog):
    caplog.set_level("DEBUG")
    connect(org, account)
    assert "/oauth/authorize?action&client_id&password&response_type&username" in caplog.text
    issued = list(fake.access) + list(fake.refresh) + list(fake.sessions)
    for secret in [account.password, account.client_secret, *issued]:
        assert secret not in caplog.text


def test_a_blank_secret_keeps_the_stored_one(org, connected, account):
    bullhorn.connection_save(
        organization=org,
        client_id=account.client_id,
        username=account.username,
        note_action="Screening",
    )
    run_outbox(bullhorn.CONNECT_KIND)
    connection = BullhornConnection.objects.get(organization=org)
    assert connection.status == Status.ACTIVE
    assert connection.note_action == "Screening"
    assert crypto.decrypt(connection.password_encrypted) == account.password


def test_login_follows_a_307_to_the_right_data_centre(org, org_admin, account, fake):
    fake.redirect_login = True
    connection = connect(org, account)
    assert connection.status == Status.ACTIVE
    assert [r["path"] for r in fake.calls("POST", "login")] == [
        "/rest-services/login",
        "/dc2/rest-services/login",
    ]
    assert [r["path"] for r in fake.calls("GET", "authorize")] == [
        "/oauth/authorize",
        "/dc2/oauth/authorize",
    ]


def test_wrong_credentials_disable_the_connection_and_tell_the_admin(
    org, org_admin, account, client
):
    connection = connect(org, account, password="wrong")
    assert connection.status == Status.DISABLED
    assert "did not accept" in connection.status_detail
    email = OutboxMessage.objects.get(kind="email", organization=org)
    assert email.payload["to"] == [org_admin.email]
    assert email.payload["subject"] == "Bullhorn connection disabled"
    client.force_login(org_admin)
    page = client.get(PAGE).content.decode()
    assert "The Bullhorn connection is disabled." in page


# -- tokens ------------------------------------------------------------------------------------


def test_an_expired_session_and_access_token_are_renewed_with_the_refresh_token(
    org, connected, account, fake
):
    fake.expire_sessions()
    fake.expire_access_tokens()
    fake.requests.clear()
    poll()  # the event GET answers 401: refresh, log in again, repeat the GET
    steps = [(r["method"], r["path"], r["query"].get("grant_type")) for r in fake.requests]
    sub = f"/rest-services/corp1/event/subscription/interviewbank-{org.pk}"
    assert steps == [
        ("GET", sub, None),  # 401: the BhRestToken timed out
        ("POST", "/rest-services/login", None),  # 401: so has the access token
        ("POST", "/oauth/token", "refresh_token"),
        ("POST", "/rest-services/login", None),
        ("GET", sub, None),
    ]
    assert [r["status"] for r in BullhornCall.objects.order_by("-pk")[:5].values("status")][
        ::-1
    ] == [401, 401, 200, 200, 200]
    assert OutboxMessage.objects.get(kind=bullhorn.POLL_KIND).status == "sent"


def test_the_access_token_is_refreshed_before_it_expires(org, connected, fake):
    # The session is due for renewal and the access token expires within the margin: the
    # client refreshes it first instead of logging in with a token about to die.
    BullhornConnection.objects.filter(pk=connected.pk).update(
        rest_token_expires_at=timezone.now() - timedelta(seconds=1),
        access_expires_at=timezone.now() + timedelta(seconds=30),
    )
    fake.requests.clear()
    poll()
    assert [(r["method"], r["path"]) for r in fake.requests][:3] == [
        ("POST", "/oauth/token"),
        ("POST", "/rest-services/login"),
        ("GET", f"/rest-services/corp1/event/subscription/interviewbank-{org.pk}"),
    ]
    assert fake.requests[0]["query"]["grant_type"] == "refresh_token"


def test_a_used_up_refresh_token_falls_back_to_the_full_login(org, connected, fake):
    fake.expire_sessions()
    fake.expire_access_tokens()
    fake.revoke_refresh_tokens()  # e.g. another worker refreshed first
    fake.requests.clear()
    poll()
    assert OutboxMessage.objects.get(kind=bullhorn.POLL_KIND).status == "sent"
    assert [r["path"] for r in fake.calls("GET", "/oauth/authorize")] == ["/oauth/authorize"]
    assert BullhornConnection.objects.get(pk=connected.pk).status == Status.ACTIVE


def test_a_401_that_a_fresh_login_cannot_cure_disables_and_notifies_once(
    org, org_admin, connected, account, fake, mapping
):
    account.password = "rotated-by-the-customer"
    fake.expire_sessions()
    fake.expire_access_tokens()
    fake.revoke_refresh_tokens()
    poll()
    connection = BullhornConnection.objects.get(pk=connected.pk)
    assert connection.status == Status.DISABLED
    assert OutboxMessage.objects.get(kind=bullhorn.POLL_KIND).status == "failed"
    emails = OutboxMessage.objects.filter(kind="email", organization=org)
    assert [e.payload["to"] for e in emails] == [[org_admin.email]]
    run_outbox("email")
    assert [m.subject for m in mail.outbox] == ["Bullhorn connection disabled"]
    # A disabled connection is not polled, so nothing more is called or e-mailed.
    fake.requests.clear()
    poll()
    assert fake.requests == []
    assert emails.count() == 1


# -- candidates in -----------------------------------------------------------------------------


def test_a_submission_at_a_mapped_status_brings_candidate_application_and_takehome(
    org, connected, account, fake, mapping, position
):
    cid, sid = submitted(account)
    poll()
    candidate = Candidate.objects.get(organization=org)
    assert candidate.external_ids == {"bullhorn": str(cid)}
    assert (candidate.name, candidate.email) == ("Grace Hopper", "grace@example.com")
    application = Application.objects.get(candidate=candidate)
    assert application.position == position
    session = CandidateSession.objects.get(application=application)
    assert session.mode == CandidateSession.Mode.TAKE_HOME
    invitation = Invitation.objects.get(session=session)
    assert invitation.email == "grace@example.com"
    assert OutboxMessage.objects.filter(
        kind="takehome.invitation_email", payload__invitation_id=invitation.pk
    ).exists()
    link = BullhornApplication.objects.get(application=application)
    assert (link.candidate_id, link.submission_id, link.job_order_id) == (cid, sid, 555)
    event = BullhornEvent.objects.get(organization=org)
    assert event.outcome == f"application {application.pk} for MES Engineer; take-home sent"
    connection = BullhornConnection.objects.get(pk=connected.pk)
    assert (connection.last_request_id, connection.pending_request_id) == (1, None)


def test_an_unmapped_status_and_candidate_events_create_nothing(org, connected, account, mapping):
    cid, _ = submitted(account, status="Client interview")
    account.event("Candidate", cid, "UPDATED", ["phone"])
    poll()
    assert not Candidate.objects.filter(organization=org).exists()
    assert sorted(BullhornEvent.objects.values_list("outcome", flat=True)) == [
        "Candidate UPDATED: not a candidate of ours",
        "status “Client interview” is not mapped",
    ]


def test_a_repeated_event_and_a_second_update_create_nothing_twice(
    org, connected, account, mapping
):
    _, sid = submitted(account)
    poll()
    repeated = dict(account.batches[1][0])
    account.pending_events.append(repeated)  # the same event delivered again
    account.set_status(sid, "Technical screen")  # another update at the same status
    poll()
    assert Candidate.objects.filter(organization=org).count() == 1
    assert Application.objects.filter(organization=org).count() == 1
    assert CandidateSession.objects.filter(organization=org).count() == 1
    assert Invitation.objects.filter(organization=org).count() == 1
    assert OutboxMessage.objects.filter(kind="takehome.invitation_email").count() == 1
    assert BullhornEvent.objects.filter(organization=org).count() == 2
    assert "take-home already sent" in BullhornEvent.objects.first().outcome


def test_a_batch_that_failed_half_way_is_fetched_again_by_request_id(
    org, connected, account, fake, mapping
):
    submitted(account, email="a@example.com")
    submitted(account, email="b@example.com")
    # Events: [a, b]. The entity GETs of event a succeed, then Bullhorn throttles event b.
    original = fake._rest
    calls = {"n": 0}

    def flaky(acct, method, parts, query, body):
        if parts[:2] == ["entity", "JobSubmission"]:
            calls["n"] += 1
            if calls["n"] == 2:
                return 503, {"errorMessage": "busy"}, {"Retry-After": "0"}
        return original(acct, method, parts, query, body)

    fake._rest = flaky
    poll()
    connection = BullhornConnection.objects.get(pk=connected.pk)
    assert connection.pending_request_id == 1
    assert Candidate.objects.filter(organization=org).count() == 1
    OutboxMessage.objects.filter(kind=bullhorn.POLL_KIND).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    run_outbox(bullhorn.POLL_KIND)
    gets = fake.calls("GET", "event/subscription")
    assert [g["query"].get("requestId") for g in gets] == [None, "1"]
    assert sorted(Candidate.objects.values_list("email", flat=True)) == [
        "a@example.com",
        "b@example.com",
    ]
    assert BullhornEvent.objects.filter(organization=org).count() == 2
    connection.refresh_from_db()
    assert (connection.pending_request_id, connection.last_request_id) == (None, 1)


def test_a_lost_subscription_is_made_again(org, connected, account, mapping):
    account.subscriptions.clear()
    poll()
    assert f"interviewbank-{org.pk}" in account.subscriptions
    submitted(account)
    poll()
    assert Candidate.objects.filter(organization=org).count() == 1


def test_an_existing_candidate_is_matched_by_bullhorn_id_then_email(
    org, connected, account, mapping, recruiter
):
    from apps.interviews import services

    known = services.candidate_create(organization=org, name="Grace H.", email="Grace@Example.com")
    cid, _ = submitted(account)
    poll()
    known.refresh_from_db()
    assert known.external_ids == {"bullhorn": str(cid)}
    assert Candidate.objects.filter(organization=org).count() == 1


# -- results out -------------------------------------------------------------------------------


@pytest.fixture
def brought_in(org, connected, account, mapping, interviewer):
    cid, _ = submitted(account)
    poll()
    session = CandidateSession.objects.get(organization=org)
    session.interviewers.add(interviewer)
    return cid, session


def test_a_candidate_corrected_in_bullhorn_is_corrected_here(org, account, brought_in):
    cid, session = brought_in
    account.candidates[cid].update(firstName="Grace B.", phone="+1 555 0100")
    account.event("Candidate", cid, "UPDATED", ["firstName", "phone"])
    poll()
    candidate = Candidate.objects.get(pk=session.candidate_id)
    assert (candidate.name, candidate.phone) == ("Grace B. Hopper", "+1 555 0100")
    event = BullhornEvent.objects.filter(entity_name="Candidate").get()
    assert event.outcome == f"candidate {candidate.pk}: name, phone updated"
    # The same values again change nothing.
    account.event("Candidate", cid, "UPDATED", ["phone"])
    poll()
    assert BullhornEvent.objects.filter(entity_name="Candidate").latest("pk").outcome == (
        f"candidate {candidate.pk}: nothing changed"
    )


def test_an_e_mail_another_candidate_has_is_refused_and_said(org, account, brought_in):
    from apps.interviews import services as interview_services

    cid, session = brought_in
    other = interview_services.candidate_create(
        organization=org, name="Linus", email="linus@example.com"
    )
    account.candidates[cid].update(email="LINUS@example.com", firstName="G.")
    account.event("Candidate", cid, "UPDATED", ["email"])
    poll()
    candidate = Candidate.objects.get(pk=session.candidate_id)
    assert (candidate.email, candidate.name) == ("grace@example.com", "Grace Hopper")
    outcome = BullhornEvent.objects.filter(entity_name="Candidate").get().outcome
    assert "already belongs to another candidate, Linus" in outcome
    assert Candidate.objects.get(pk=other.pk).email == "linus@example.com"


def test_bullhorn_never_gives_an_erased_or_unknown_candidate_data(org, account, fake, brought_in):
    from apps.privacy.services import erase_candidate

    cid, session = brought_in
    erase_candidate(candidate=session.candidate, actor=None, reason="asked")
    erased = Candidate.objects.get(pk=session.candidate_id)
    stranger = account.add_candidate(first="Nobody", email="nobody@example.com")
    account.candidates[cid].update(firstName="Grace", phone="+1 555 0199")
    account.event("Candidate", cid, "UPDATED", ["phone"])
    account.event("Candidate", stranger, "UPDATED", ["phone"])
    looked_up = len(fake.calls("GET", "entity/Candidate/"))
    poll()
    again = Candidate.objects.get(pk=erased.pk)
    assert (again.name, again.email, again.phone) == (erased.name, erased.email, erased.phone)
    assert not Candidate.objects.filter(email_normalized="nobody@example.com").exists()
    outcomes = set(
        BullhornEvent.objects.filter(entity_name="Candidate").values_list("outcome", flat=True)
    )
    assert outcomes == {"Candidate UPDATED: not a candidate of ours"}
    assert len(fake.calls("GET", "entity/Candidate/")) == looked_up  # neither was looked up


def test_when_scored_a_note_and_the_pdf_report_appear_on_the_candidate(
    org, account, brought_in, interviewer
):
    cid, session = brought_in
    score(session, interviewer)
    row = OutboxMessage.objects.get(kind=bullhorn.RESULT_KIND)
    assert row.payload == {"application_id": session.application_id}
    run_outbox(bullhorn.RESULT_KIND)
    row.refresh_from_db()
    assert row.status == "sent", row.last_error
    application = Application.objects.get(pk=session.application_id)
    [note] = account.notes
    assert note["action"] == "Assessment"
    assert note["personReference"] == {"id": cid}
    assert note["jobOrder"] == {"id": 555}
    comments = note["comments"]
    assert comments.startswith("InterviewBank result: MES Engineer (Contoso)")
    label = application.result["label"]
    from apps.interviews.verdicts import LABELS

    assert f"Label: {LABELS[label]}" in comments
    assert "How likely above the bar: " in comments
    assert "Band: " in comments and "Track fit: " in comments and "Level fit: " in comments
    assert "/share/" in comments or "Report: http" in comments
    [pdf] = account.live_files(cid)
    assert pdf["externalID"] == f"interviewbank-application-{application.pk}"
    assert pdf["fileType"] == "SAMPLE" and pdf["contentType"] == "application/pdf"
    assert base64.b64decode(pdf["fileContent"]).startswith(b"%PDF")
    link = BullhornApplication.objects.get(application=application)
    assert (link.note_id, link.file_id) == (note["id"], pdf["id"])


def test_a_rescore_replaces_the_file_and_an_unchanged_result_writes_nothing(
    org, account, brought_in, interviewer, fake
):
    cid, session = brought_in
    score(session, interviewer)
    run_outbox(bullhorn.RESULT_KIND)
    [first] = account.live_files(cid)
    first_content = first["fileContent"]
    # A correction changes the result: a new Note, and the same file updated in place.
    application = Application.objects.get(pk=session.application_id)
    changed = {**application.result, "label": "below_bar", "p_above": 0.05}
    Application.objects.filter(pk=application.pk).update(result=changed)
    results.result_enqueue(application)
    run_outbox(bullhorn.RESULT_KIND)
    assert len(account.notes) == 2
    assert "Label: Below the bar" in account.notes[1]["comments"]
    [replaced] = account.live_files(cid)
    assert replaced["id"] == first["id"]
    assert replaced["externalID"] == f"interviewbank-application-{application.pk}"
    assert [r["method"] for r in fake.calls(path_part="/file/Candidate/")] == ["PUT", "POST"]
    assert replaced["fileContent"] != first_content  # the new label is in the new PDF
    # The same result again (a retry, a rescore that changed nothing): no call at all.
    fake.requests.clear()
    results.result_enqueue(application)
    run_outbox(bullhorn.RESULT_KIND)
    assert fake.requests == []
    assert len(account.notes) == 2


def test_a_file_deleted_in_bullhorn_is_attached_again(org, account, brought_in, interviewer):
    cid, session = brought_in
    score(session, interviewer)
    run_outbox(bullhorn.RESULT_KIND)
    [first] = account.live_files(cid)
    first["deleted"] = True  # a recruiter deleted it in Bullhorn
    application = Application.objects.get(pk=session.application_id)
    Application.objects.filter(pk=application.pk).update(
        result={**application.result, "p_above": 0.5}
    )
    results.result_enqueue(application)
    run_outbox(bullhorn.RESULT_KIND)
    [second] = account.live_files(cid)
    assert second["id"] != first["id"]
    assert BullhornApplication.objects.get(application=application).file_id == second["id"]


def test_429_with_retry_after_is_not_retried_before_the_delay(
    org, account, brought_in, interviewer, fake
):
    cid, session = brought_in
    score(session, interviewer)
    fake.throttle_once(429, "120")
    fake.requests.clear()
    before = timezone.now()
    run_outbox(bullhorn.RESULT_KIND)
    row = OutboxMessage.objects.get(kind=bullhorn.RESULT_KIND)
    assert row.status == "pending"
    assert row.next_attempt_at >= before + timedelta(seconds=120)
    assert "429" in row.last_error
    assert len(fake.requests) == 1  # the throttled Note, nothing else
    connection = BullhornConnection.objects.get(organization=org)
    assert connection.paused_until >= before + timedelta(seconds=120)
    # Before the delay: the row is not due, no poll is queued, a forced attempt calls nothing.
    assert row.pk not in outbox_services.messages_due()
    assert inbound.poll_enqueue_due() == 0
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox_services.message_send(message_id=row.pk) == "pending"
    assert len(fake.requests) == 1
    # After the delay it goes through.
    later = timezone.now() - timedelta(seconds=1)
    BullhornConnection.objects.filter(pk=connection.pk).update(paused_until=later)
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=later)
    run_outbox(bullhorn.RESULT_KIND)
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(account.notes) == 1 and len(account.live_files(cid)) == 1


def test_reconnecting_writes_the_results_missed_while_disabled(
    org, account, brought_in, interviewer, fake
):
    cid, session = brought_in
    BullhornConnection.objects.filter(organization=org).update(status=Status.DISABLED)
    score(session, interviewer)  # not queued: the connection is disabled
    assert not OutboxMessage.objects.filter(kind=bullhorn.RESULT_KIND).exists()
    connect(org, account)
    run_outbox(bullhorn.RESULT_KIND)
    assert len(account.notes) == 1 and len(account.live_files(cid)) == 1


def test_retry_after_as_an_http_date():
    now = timezone.now().replace(microsecond=0)
    stamp = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    # One parser for every partner (apps.ats.webhooks.delivery.parse_retry_after).
    assert parse_retry_after(stamp, now=now) == 90
    assert parse_retry_after("30") == 30
    assert parse_retry_after("soon") is None


def test_a_log_path_keeps_parameter_names_only():
    assert (
        _loggable_path("https://x/oauth/token?client_secret=abc&grant_type=refresh_token")
        == "/oauth/token?client_secret&grant_type"
    )


# -- two organizations -------------------------------------------------------------------------


def test_another_organizations_account_never_sees_our_rows(
    org, other_org, org_admin, outsider, fake, recruiter, interviewer
):
    ours, theirs = fake.add_account("corp1", "ours.api"), fake.add_account("corp2", "theirs.api")
    connect(org, ours)
    connect(other_org, theirs)
    our_position = make_position(org, recruiter)
    their_position = make_position(other_org, outsider, title="MOM Architect")
    bullhorn.mapping_create(
        organization=org, status="Technical screen", position=our_position, send_takehome=True
    )
    bullhorn.mapping_create(
        organization=other_org, status="Technical screen", position=their_position,
        send_takehome=False,
    )  # fmt: skip
    # The same person in both Bullhorns, with the same e-mail.
    submitted(ours, email="same@example.com")
    their_cid, _ = submitted(theirs, email="same@example.com")
    poll()
    ours_candidate = Candidate.objects.get(organization=org)
    theirs_candidate = Candidate.objects.get(organization=other_org)
    assert ours_candidate.pk != theirs_candidate.pk
    assert theirs_candidate.external_ids == {"bullhorn": str(their_cid)}
    assert Application.objects.get(candidate=theirs_candidate).position == their_position
    assert not CandidateSession.objects.filter(organization=other_org).exists()
    # Each organization's calls went to its own corporation with its own session only.
    our_tokens = {
        crypto.decrypt(BullhornConnection.objects.get(organization=org).rest_token_encrypted)
    }
    for request in fake.requests:
        if "/rest-services/corp1/" in request["path"]:
            assert request["headers"]["BhRestToken"] in our_tokens
    assert not BullhornCall.objects.filter(organization=org, path__contains="corp2").exists()
    assert not BullhornCall.objects.filter(organization=other_org, path__contains="corp1").exists()
    # Our result goes to our Bullhorn only.
    session = CandidateSession.objects.get(organization=org)
    session.interviewers.add(interviewer)
    score(session, interviewer)
    run_outbox(bullhorn.RESULT_KIND)
    assert len(ours.notes) == 1 and theirs.notes == []
    assert theirs.files == {}


def test_a_client_never_reads_another_organizations_tokens(org, other_org, fake):
    ours, theirs = fake.add_account("corp1", "ours.api"), fake.add_account("corp2", "theirs.api")
    connect(org, ours)
    connect(other_org, theirs)
    client = Client(BullhornConnection.objects.get(organization=org))
    assert client.get(f"event/subscription/interviewbank-{org.pk}", maxEvents=1) is None
    assert fake.requests[-1]["path"].startswith("/rest-services/corp1/")


# -- the admin page ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["recruiter", "interviewer"])
def test_only_the_organizations_admins_see_the_page(client, request, who, org, connected):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"client_id": "x", "username": "y"}).status_code == 404


def test_another_organizations_admin_sees_only_their_own_connection(
    client, org, connected, outsider, account
):
    client.force_login(outsider)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert account.client_id not in page.content.decode()
    assert "Not connected." in page.content.decode()


def test_another_organizations_mapping_is_404(client, org, outsider, mapping):
    client.force_login(outsider)
    url = reverse("bullhorn:mapping_delete", args=[mapping.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    assert BullhornStatusMapping.objects.filter(pk=mapping.pk).exists()


def test_a_mapping_cannot_point_at_another_organizations_position(
    client, org, org_admin, other_org, outsider
):
    theirs = make_position(other_org, outsider, title="Theirs")
    client.force_login(org_admin)
    response = client.post(
        reverse("bullhorn:mapping_add"),
        {"status": "Technical screen", "position": theirs.pk, "form_key": "m" * 20},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not BullhornStatusMapping.objects.exists()


def test_mappings_are_added_once_and_removed_after_confirming(client, org, org_admin, position):
    client.force_login(org_admin)
    data = {
        "status": "Technical  screen",
        "position": position.pk,
        "send_takehome": "on",
        "form_key": "n" * 20,
    }
    assert client.post(reverse("bullhorn:mapping_add"), data).status_code == 302
    assert client.post(reverse("bullhorn:mapping_add"), data).status_code == 302  # double click
    mapping = BullhornStatusMapping.objects.get()
    assert (mapping.status, mapping.send_takehome) == ("Technical screen", True)
    again = client.post(reverse("bullhorn:mapping_add"), {**data, "form_key": "o" * 20})
    assert again.status_code == 400
    assert "already mapped" in again.content.decode()
    url = reverse("bullhorn:mapping_delete", args=[mapping.pk])
    assert client.post(url).status_code == 400  # not confirmed
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert not BullhornStatusMapping.objects.exists()


def test_connecting_without_a_secret_the_first_time_is_a_400(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(
        PAGE, {"client_id": "c", "username": "u", "note_action": "A", "form_key": "p" * 20}
    )
    assert response.status_code == 400
    assert "Enter the client secret" in response.content.decode()
    assert not BullhornConnection.objects.exists()


def test_saving_the_connection_is_an_audit_event_naming_the_secrets_not_their_values(
    client, org, org_admin, account
):
    client.force_login(org_admin)
    data = credentials(account)
    assert client.post(PAGE, {**data, "form_key": "a" * 20}).status_code == 302
    changed = {**data, "client_secret": "", "password": "", "note_action": "Screening"}
    assert client.post(PAGE, {**changed, "form_key": "b" * 20}).status_code == 302
    first, second = AuditEntry.objects.filter(event="bullhorn.connection_saved").order_by("pk")
    assert (first.actor, first.organization) == (org_admin, org)
    assert first.additional_data == {
        "created": True,
        "changed": {},
        "secrets_replaced": ["client_secret", "password"],
    }
    assert second.additional_data == {
        "created": False,
        "changed": {"note_action": ["Assessment", "Screening"]},
        "secrets_replaced": [],
    }
    logged = str([e.additional_data for e in AuditEntry.objects.all()])
    assert account.client_secret not in logged and account.password not in logged


def test_a_disabled_connection_is_an_audit_event_of_the_system(org, org_admin, account):
    connect(org, account, password="wrong")
    entry = AuditEntry.objects.get(event="bullhorn.disabled")
    assert entry.actor is None and entry.organization == org
    assert "did not accept" in entry.additional_data["reason"]


def test_disconnecting_asks_then_deletes_the_credentials_and_stops_every_call(
    client, org, org_admin, account, fake, brought_in, interviewer
):
    cid, session = brought_in
    client.force_login(org_admin)
    url = reverse("bullhorn:disconnect")
    assert url in client.get(PAGE).content.decode()
    asked = client.get(url)
    assert asked.status_code == 200 and "Disconnect Bullhorn?" in asked.content.decode()
    assert client.post(url).status_code == 400  # not confirmed: nothing changes
    assert BullhornConnection.objects.get(organization=org).has_credentials

    assert client.post(url, {"confirm": "yes"}).status_code == 302

    connection = BullhornConnection.objects.get(organization=org)
    assert connection.status == Status.DISABLED
    for name in bullhorn.CREDENTIAL_FIELDS:
        assert getattr(connection, name) == "", name
    # One last call, with the credentials the outbox row carried: our event subscription is
    # deleted in Bullhorn, no token is stored, and the row forgets the credentials.
    subscription = f"interviewbank-{org.pk}"
    assert subscription in account.subscriptions
    assert run_outbox(bullhorn.UNSUBSCRIBE_KIND) == ["sent"]
    assert subscription not in account.subscriptions
    assert fake.calls("DELETE", f"event/subscription/{subscription}")
    connection.refresh_from_db()
    for name in bullhorn.CREDENTIAL_FIELDS:
        assert getattr(connection, name) == "", name
    assert connection.subscription_id == ""
    row = OutboxMessage.objects.get(kind=bullhorn.UNSUBSCRIBE_KIND)
    assert all(row.payload[name] == "" for name in bullhorn.UNSUBSCRIBE_SECRETS)
    assert AuditEntry.objects.get(event="bullhorn.disconnected").actor == org_admin
    page = client.get(PAGE).content.decode()
    assert "Bullhorn is disconnected." in page and f"Disconnected by {org_admin.email}" in page
    assert "refused our login" not in page and url not in page
    assert client.get(url).status_code == 404  # nothing left to disconnect
    # Nothing calls Bullhorn any more: no poll, no result, no queued login.
    calls = len(fake.requests)
    poll()
    score(session, interviewer)
    run_outbox()
    assert bullhorn.connection_connect(connection_id=connection.pk).status == Status.DISABLED
    assert len(fake.requests) == calls
    assert Application.objects.filter(pk=session.application_id).exists()  # kept
    # Reconnecting needs both secrets again, then writes the result missed meanwhile.
    form = {"client_id": account.client_id, "username": account.username, "note_action": "A"}
    again = client.post(PAGE, {**form, "form_key": "c" * 20})
    assert again.status_code == 400
    assert "Enter the client secret" in again.content.decode()
    connect(org, account)
    run_outbox(bullhorn.RESULT_KIND)
    assert len(account.notes) == 1 and len(account.live_files(cid)) == 1


def test_reconnecting_before_the_unsubscribe_is_sent_keeps_the_subscription(
    org, org_admin, connected, account
):
    bullhorn.connection_disconnect(connection=connected, user=org_admin)
    connect(org, account)
    assert run_outbox(bullhorn.UNSUBSCRIBE_KIND) == ["sent"]  # nothing to do: connected again
    assert f"interviewbank-{org.pk}" in account.subscriptions
    assert BullhornConnection.objects.get(organization=org).status == Status.ACTIVE


@pytest.mark.parametrize("who", ["recruiter", "interviewer", "outsider"])
def test_only_the_organizations_admins_can_disconnect(client, request, who, org, connected):
    client.force_login(request.getfixturevalue(who))
    url = reverse("bullhorn:disconnect")
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    assert BullhornConnection.objects.get(organization=org).has_credentials


def test_the_organization_page_links_the_bullhorn_page(client, org_admin):
    client.force_login(org_admin)
    assert PAGE in client.get("/accounts/organization/").content.decode()


def _fill(org, position, n: int) -> None:
    BullhornStatusMapping.objects.bulk_create(
        BullhornStatusMapping(organization=org, status=f"Status {i}", position=position)
        for i in range(n)
    )
    BullhornEvent.objects.bulk_create(
        BullhornEvent(organization=org, event_id=f"e{i}", entity_name="JobSubmission", outcome="x")
        for i in range(n)
    )
    BullhornCall.objects.bulk_create(
        BullhornCall(organization=org, method="GET", path=f"/call-{i}", status=200)
        for i in range(n)
    )


@pytest.mark.parametrize("n", [1, 50])
def test_the_page_costs_a_constant_number_of_queries(
    client, org, org_admin, connected, position, n, django_assert_max_num_queries
):
    from apps.ats.bullhorn.views import EVENTS_SHOWN

    _fill(org, position, n)
    MembershipFactory(organization=org)
    client.force_login(org_admin)
    client.get(PAGE)  # the session is read and cached once
    with django_assert_max_num_queries(14):
        response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    # Every mapping (with its position) and call row; the events the page keeps (20).
    assert page.count("<td>Status ") == n
    assert page.count(f"<td>{position.title} ({position.client_company})</td>") == n
    assert page.count("<code>GET /call-") == n
    assert page.count("<td>JobSubmission ") == min(n, EVENTS_SHOWN)
