"""The Bullhorn write-back survives a broker outage: a real Celery worker (subprocess, this
test's PostgreSQL database, a redis-server of the test's own) connects to a fake Bullhorn, polls
its event subscription and brings a candidate in with a take-home. Then Redis stops, and the
take-home is scored while it is down: the scoring succeeds and the write-back waits in the
outbox. Redis comes back, the beat's sweep runs twice (two tasks for the row), and Bullhorn gets
exactly one Note and one PDF file.

Reuses the outage machinery of test_outbox_outage (own redis-server, worker, queue)."""

from __future__ import annotations

import time

import pytest

from apps.ats.bullhorn import inbound
from apps.ats.bullhorn import services as bullhorn
from apps.ats.models import BullhornConnection
from apps.interviews.models import CandidateSession
from apps.outbox.models import OutboxMessage
from apps.outbox.tasks import sweep_outbox
from tests.ats.fakes.bullhorn import FakeBullhorn
from tests.ats.test_greenhouse import make_position, score
from tests.integration.test_outbox_outage import outage_rig, wait_until_sent

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def wait_for_row(kind: str, log, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not OutboxMessage.objects.filter(kind=kind, status=OutboxMessage.Status.PENDING):
            return
        time.sleep(0.2)
    pytest.fail(f"the {kind} row was not sent\n{log.read_text()[-3000:]}")


def test_a_broker_outage_delays_the_bullhorn_result_but_loses_and_repeats_nothing(
    require_postgres, org, org_admin, recruiter, interviewer, settings, monkeypatch, tmp_path
):
    fake = FakeBullhorn()
    account = fake.add_account()
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    settings.BULLHORN_LOGIN_INFO_URL = fake.login_info_url
    monkeypatch.setenv("BULLHORN_LOGIN_INFO_URL", fake.login_info_url)  # for the worker
    position = make_position(org, recruiter)
    bullhorn.mapping_create(
        organization=org, status="Technical screen", position=position, send_takehome=True
    )

    try:
        with outage_rig(tmp_path, "bullhorn-outage") as rig:
            log = rig.log
            bullhorn.connection_save(
                organization=org,
                client_id=account.client_id,
                client_secret=account.client_secret,
                username=account.username,
                password=account.password,
                note_action="Assessment",
            )
            wait_until_sent("the connect", log=log)
            connection = BullhornConnection.objects.get(organization=org)
            assert connection.status == BullhornConnection.Status.ACTIVE, log.read_text()[-3000:]

            cid = account.add_candidate(email="grace@example.com")
            sid = account.add_submission(cid, job_order_id=555)
            account.set_status(sid, "Technical screen")
            assert inbound.poll_enqueue_due() == 1
            wait_for_row(bullhorn.POLL_KIND, log)
            # The invitation e-mail the worker wrote was queued on the worker's default queue,
            # which this test's worker does not serve: the sweep (as the beat would) sends it.
            sweep_outbox()
            wait_until_sent("the invitation e-mail", log=log)
            session = CandidateSession.objects.get(organization=org)
            session.interviewers.add(interviewer)

            rig.redis.stop()  # the outage
            began = time.monotonic()
            score(session, interviewer)  # commits; queueing the write-back fails, only logged
            score_seconds = time.monotonic() - began
            result = OutboxMessage.objects.get(kind=bullhorn.RESULT_KIND)
            assert result.status == OutboxMessage.Status.PENDING
            assert account.notes == [] and account.files == {}

            rig.redis.start()
            assert sweep_outbox() >= 1
            assert sweep_outbox() >= 1  # two tasks for the row, one write-back
            wait_until_sent("the write-back after the outage", log=log)
            time.sleep(1.0)  # let the worker take the duplicate task too
    finally:
        fake.close()

    result.refresh_from_db()
    assert result.status == OutboxMessage.Status.SENT, log.read_text()[-3000:]
    assert len(account.notes) == 1
    assert account.notes[0]["personReference"] == {"id": cid}
    assert len(account.live_files(cid)) == 1
    assert len(fake.calls("PUT", "/entity/Note")) == 1
    print(
        f"\nbullhorn outage: scoring took {score_seconds * 1000:.0f} ms with the broker down; "
        f"after it came back, {len(account.notes)} Note and {len(account.files)} file written "
        f"(row {result.status}, {result.attempts} attempt(s))"
    )
