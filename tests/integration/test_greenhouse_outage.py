"""The Greenhouse callback survives a broker outage (issue 13): with a Redis of the test's own
stopped, the candidate submits a take-home Greenhouse ordered; the submit succeeds and the PATCH
waits in the outbox. Redis comes back, the beat's sweep runs (twice), and a real worker sends
the PATCH to a loopback receiver exactly once, with Basic auth (the key Greenhouse used).

Reuses the outage machinery of test_outbox_outage (own redis-server, worker subprocess on this
test's PostgreSQL database and a queue of its own)."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from apps.ats.greenhouse import CALLBACK_KIND
from apps.ats.models import OrganizationAPIKey
from apps.interviews.models import CandidateSession
from apps.outbox.models import OutboxMessage
from apps.outbox.tasks import sweep_outbox
from tests.ats.conftest import basic_auth
from tests.ats.test_greenhouse import complete, make_position, receiver, send_payload
from tests.integration.test_outbox_outage import outage_rig, wait_until_sent

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

__all__ = ["receiver"]  # the fixture, imported for this module's tests


def test_a_broker_outage_delays_the_greenhouse_callback_but_loses_and_repeats_nothing(
    require_postgres, org, recruiter, receiver, settings, monkeypatch, tmp_path
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOOPBACK", "1")  # for the worker subprocess
    _, raw_key = OrganizationAPIKey.objects.create_key(name="Greenhouse", organization=org)
    greenhouse = APIClient()
    greenhouse.credentials(HTTP_AUTHORIZATION=basic_auth(raw_key))
    position = make_position(org, recruiter)

    with outage_rig(tmp_path, "greenhouse-outage") as rig:
        log = rig.log
        response = greenhouse.post(
            "/integrations/greenhouse/send_test",
            send_payload(position, url=receiver.url),
            format="json",
        )
        assert response.status_code == 200
        wait_until_sent("the invitation e-mail", log=log)
        session = CandidateSession.objects.get(pk=int(response.json()["partner_interview_id"]))

        rig.redis.stop()  # the outage
        began = time.monotonic()
        complete(session)  # commits; queueing the PATCH fails and is only logged
        submit_seconds = time.monotonic() - began
        callback = OutboxMessage.objects.get(kind=CALLBACK_KIND)
        assert callback.status == OutboxMessage.Status.PENDING
        assert receiver.records == []

        rig.redis.start()
        assert sweep_outbox() >= 1
        assert sweep_outbox() >= 1  # two tasks for the row, one PATCH
        wait_until_sent("the callback after the outage", log=log)
        time.sleep(1.0)  # let the worker take the duplicate task too

    callback.refresh_from_db()
    assert callback.status == OutboxMessage.Status.SENT, log.read_text()[-3000:]
    patches = [r for r in receiver.records if r["method"] == "PATCH"]
    assert len(patches) == 1
    headers = {k.lower(): v for k, v in patches[0]["headers"].items()}
    assert headers["authorization"] == basic_auth(raw_key)
    print(
        f"\ngreenhouse outage: submit took {submit_seconds * 1000:.0f} ms with the broker down; "
        f"after it came back, {len(patches)} PATCH received (callback row {callback.status}, "
        f"{callback.attempts} attempt(s))"
    )
