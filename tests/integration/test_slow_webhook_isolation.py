"""One slow webhook receiver no longer holds up e-mails (issue 13): webhooks run on their own
queue, served by their own worker. A receiver hangs inside a delivery; meanwhile an e-mail is
queued and the default-queue worker sends it while that delivery is still in flight.

Two worker subprocesses on this test's PostgreSQL database and broker, each on a queue of its
own (named per test, so no other worker on this Redis takes the tasks), routed the way
CELERY_TASK_ROUTES routes webhooks and everything else."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import transaction

from apps import outbox
from apps.ats import webhooks
from apps.ats.models import WebhookDelivery
from apps.interviews import services
from apps.outbox.models import OutboxMessage
from interviewbank.celery import app
from tests.ats.test_webhooks import Receiver
from tests.integration.test_outbox_outage import start_worker, wait_until_sent
from tests.integration.test_webhook_worker import (
    WorkerProcess,
    _forget_queue,
    _reset_router,
    stop_process,
)

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queues(require_postgres, require_redis):
    """(default queue, webhooks queue), fresh, with the routes pointing at them."""
    assert not app.conf.task_always_eager
    tag = uuid.uuid4().hex[:10]
    default, hooks = f"default-{tag}", f"webhooks-{tag}"
    old_queue, old_routes = app.conf.task_default_queue, app.conf.task_routes
    app.conf.task_default_queue = default
    app.conf.task_routes = {pattern: {"queue": hooks} for pattern in settings.CELERY_TASK_ROUTES}
    _reset_router()
    yield default, hooks
    app.conf.task_default_queue, app.conf.task_routes = old_queue, old_routes
    _reset_router()
    _forget_queue(default)
    _forget_queue(hooks)


def test_an_email_goes_out_while_a_webhook_receiver_hangs(org, queues, settings, tmp_path):
    default, hooks = queues
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    receiver = Receiver(hold_first=threading.Event()).start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    mail_worker = start_worker(settings.CELERY_BROKER_URL, default, mail_dir, tmp_path / "mail.log")
    hook_worker = WorkerProcess(hooks, tmp_path / "hooks.log")
    try:
        webhooks.endpoint_create(
            organization=org, url=receiver.url + "/slow", events=["candidate.updated"]
        )
        services.candidate_create(organization=org, name="Kim Lee", email="kim@example.com")
        if not receiver.arrived.wait(timeout=90):
            pytest.fail("the webhook never arrived\n" + hook_worker.log.read_text()[-3000:])
        hung_at = time.monotonic()
        delivery = WebhookDelivery.objects.get()

        with transaction.atomic():
            outbox.enqueue(
                "email",
                {"to": ["ops@example.com"], "subject": "Submitted", "body": "A take-home is in."},
                organization=org,
            )
        wait_until_sent("the e-mail", log=tmp_path / "mail.log")
        waited = time.monotonic() - hung_at
        # The webhook is still stuck in its request: the e-mail did not wait for it.
        assert webhooks.delivery_in_flight(delivery)
        assert receiver.hold_first is not None and not receiver.hold_first.is_set()
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
        assert len(list(mail_dir.glob("*.log"))) == 1
    finally:
        receiver.stop()  # releases the hung request
        stop_process(mail_worker)
        hook_worker.stop()
    print(
        f"\nslow webhook: the e-mail was sent {waited:.1f} s after the webhook receiver hung, "
        f"while that delivery was still in flight (webhook timeouts: connect "
        f"{webhooks.CONNECT_TIMEOUT_SECONDS} s, read {webhooks.READ_TIMEOUT_SECONDS} s)"
    )
