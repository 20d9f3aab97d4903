"""Kombo's result survives a broker outage: with a Redis of the test's own stopped, the
candidate submits a take-home Kombo ordered; the submit succeeds and the result PUT waits in the
outbox. Redis comes back, the beat's sweep runs (twice: two tasks for the row), and a real
worker PUTs the result to the fake Kombo exactly once, with the organization's key.

Reuses the outage machinery of test_outbox_outage (own redis-server, worker subprocess on this
test's PostgreSQL database and a queue of its own)."""

from __future__ import annotations

import time

import pytest

from apps.ats.kombo import RESULT_KIND
from apps.ats.kombo.packages import package_id
from apps.ats.kombo.schemas import OrderReceived
from apps.ats.kombo.services import connection_save, order_carry_out, order_receive
from apps.ats.models import KomboOrder
from apps.interviews.models import PositionStage
from apps.outbox.models import OutboxMessage
from apps.outbox.tasks import sweep_outbox
from tests.ats.fakes.kombo import FakeKombo, order_event
from tests.ats.test_greenhouse import complete, make_position
from tests.integration.test_outbox_outage import outage_rig, wait_until_sent

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

KEY, INTEGRATION = "kombo-key-outage", "workday:Outage0001"


def test_a_broker_outage_delays_the_kombo_result_but_loses_and_repeats_nothing(
    require_postgres, org, recruiter, settings, monkeypatch, tmp_path
):
    fake = FakeKombo().start()
    fake.account(KEY, INTEGRATION)
    settings.KOMBO_API_URL = fake.url
    monkeypatch.setenv("KOMBO_API_URL", fake.url)  # for the worker subprocess
    position = make_position(org, recruiter)
    stage = PositionStage.objects.create(
        position=position, order=1, name="Take-home", mode="take_home", kit=position.kit
    )

    try:
        with outage_rig(tmp_path, "kombo-outage") as rig:
            log = rig.log
            connection = connection_save(
                organization=org, integration_id=INTEGRATION, region="eu", api_key=KEY,
                webhook_secret="whsec-outage",
            )  # fmt: skip
            event = OrderReceived.model_validate(
                order_event(package_id=package_id(stage), integration_id=INTEGRATION)
            )
            order = order_receive(connection=connection, event=event).order
            order = order_carry_out(order_id=order.pk)
            assert order.status == KomboOrder.Status.CREATED
            wait_until_sent("the packages and the invitation e-mail", log=log)

            rig.redis.stop()  # the outage
            began = time.monotonic()
            complete(order.session)  # commits; queueing the PUT fails and is only logged
            submit_seconds = time.monotonic() - began
            result = OutboxMessage.objects.get(kind=RESULT_KIND)
            assert result.status == OutboxMessage.Status.PENDING
            assert fake.results() == []

            rig.redis.start()
            assert sweep_outbox() >= 1
            assert sweep_outbox() >= 1  # two tasks for the row, one PUT
            wait_until_sent("the Kombo result after the outage", log=log)
            time.sleep(1.0)  # let the worker take the duplicate task too
    finally:
        fake.stop()

    result.refresh_from_db()
    assert result.status == OutboxMessage.Status.SENT, log.read_text()[-3000:]
    puts = fake.results(order.kombo_order_id)
    assert len(puts) == 1, fake.refused
    assert puts[0].headers["authorization"] == f"Bearer {KEY}"
    assert puts[0].body["status"] == "COMPLETED" and "score" not in puts[0].body
    assert len(fake.packages()) >= 1 and fake.refused == []
    print(
        f"\nkombo outage: submit took {submit_seconds * 1000:.0f} ms with the broker down; "
        f"after it came back, {len(puts)} result PUT received (row {result.status}, "
        f"{result.attempts} attempt(s))"
    )
