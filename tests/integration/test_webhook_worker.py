"""Outgoing webhooks through real Celery workers on Redis and PostgreSQL.

1. A worker in this process (celery's ``start_worker``): a scored session reaches each of two
   endpoints exactly once, every request verified with ``standardwebhooks``.
2. A worker in a subprocess is SIGKILLed while its request hangs at the receiver. The row stays
   pending with its lease; once the lease is over, the sweep queues it for a second worker, and
   the receiver gets the same ``webhook-id`` again: nothing lost.

The tests use a queue of their own on the real broker, so no other worker on this Redis (a dev
worker, another run) takes their tasks, and they take none of others'. Loopback only; every
wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.accounts.models import Role
from apps.ats import webhooks
from apps.ats.models import WebhookDelivery
from apps.ats.webhooks import tasks as webhook_tasks
from apps.interviews import services
from interviewbank.celery import app
from tests.ats.test_webhooks import Receiver, verify
from tests.factories import CandidateSessionFactory, MembershipFactory
from tests.interviews.conftest import rate_all

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

Status = WebhookDelivery.Status
WAIT_SECONDS = 60


def wait_until(condition: Callable[[], bool], what: str, *, log: Path | None = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {WAIT_SECONDS} s waiting for {what}\n{tail}")


@pytest.fixture
def services_up(require_postgres, require_redis):
    assert not app.conf.task_always_eager


@pytest.fixture
def queue(services_up):
    """A fresh queue on the real broker for this test's tasks (see the module docstring)."""
    name = f"webhook-test-{uuid.uuid4().hex[:12]}"
    old_queue, old_routes = app.conf.task_default_queue, app.conf.task_routes
    # Webhook tasks are routed to the "webhooks" queue (CELERY_TASK_ROUTES): send them, and
    # everything else, to this test's queue instead.
    app.conf.task_default_queue = name
    app.conf.task_routes = {pattern: {"queue": name} for pattern in settings.CELERY_TASK_ROUTES}
    _reset_router()
    assert app.amqp.router.route({}, webhook_tasks.deliver_webhook.name)["queue"].name == name
    yield name
    app.conf.task_default_queue, app.conf.task_routes = old_queue, old_routes
    _reset_router()
    _forget_queue(name)


def _reset_router() -> None:
    """Celery caches the routing table and router; rebuild them from the current conf."""
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def _forget_queue(name: str) -> None:
    """Drop the queue and the unacked copy a killed worker left in kombu's Redis bookkeeping,
    which would otherwise come back into this queue after the visibility timeout."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        # The queue, and the exchange of the same name that Celery made for it.
        client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
        for tag, raw in client.hgetall("unacked").items():
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key == name:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


def queue_length(name: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(name)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    running = Receiver().start()
    yield running
    running.stop()


def delivered(*deliveries: WebhookDelivery) -> Callable[[], bool]:
    pks = [d.pk for d in deliveries]
    return lambda: (
        WebhookDelivery.objects.filter(pk__in=pks, status=Status.DELIVERED).count() == len(pks)
    )


def test_a_scored_session_makes_exactly_one_delivery_per_endpoint(org, receiver, queue):
    first = webhooks.endpoint_create(
        organization=org, url=receiver.url + "/first", events=["session.scored"]
    )
    second = webhooks.endpoint_create(
        organization=org, url=receiver.url + "/second", events=["session.scored"]
    )
    user = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
    user2 = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
    session = CandidateSessionFactory(organization=org, interviewers=[user, user2], n_items=2)

    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30
    ):
        rate_all(session, user, 3)  # one of two scorecards: not scored yet
        rate_all(session, user2, 4)  # the session is scored: the event fires once
        rows = list(WebhookDelivery.objects.all())
        assert sorted(d.endpoint_id for d in rows) == sorted([first.pk, second.pk])
        wait_until(delivered(*rows), "both deliveries")
        # A sweep after the fact must find nothing more to send.
        webhook_tasks.sweep_webhooks.delay()
        wait_until(lambda: queue_length(queue) == 0, "the sweep to be taken")
        time.sleep(1)  # let the worker finish what it took

    session.refresh_from_db()
    assert session.status == "scored"
    assert WebhookDelivery.objects.filter(status=Status.DELIVERED).count() == 2
    received = receiver.by_id()
    assert sorted(received) == sorted(d.message_id for d in rows)
    assert all(len(requests) == 1 for requests in received.values())
    secrets_by_path = {"/first": first.secret, "/second": second.secret}
    for request in receiver.requests:
        payload = verify(secrets_by_path[request.path], request)
        assert payload["type"] == "session.scored" and payload["data"]["id"] == session.pk
    assert sorted(r.path for r in receiver.requests) == ["/first", "/second"]


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name: the subprocess sees this test's rows."""
    return (
        urlsplit(os.environ["DATABASE_URL"])
        ._replace(path="/" + connection.settings_dict["NAME"])
        .geturl()
    )


class WorkerProcess:
    """``celery -A interviewbank worker --pool=solo`` on the test database and our queue."""

    def __init__(self, queue: str, log: Path):
        self.log = log
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "interviewbank.settings_test",
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "WEBHOOKS_ALLOW_LOOPBACK": "1",
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            sys.executable, "-m", "celery", "-A", "interviewbank", "worker", "--pool=solo",
            "-Q", queue, "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO",
            "--without-mingle", "--without-gossip", "--without-heartbeat",
        ]  # fmt: skip
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.process)
        self._log_file.close()


def stop_process(process: subprocess.Popen) -> None:
    """A warm shutdown of a worker subprocess; killed if it does not stop within 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_a_worker_killed_mid_delivery_leads_to_a_redelivery_with_the_same_id(
    org, receiver, queue, tmp_path
):
    endpoint = webhooks.endpoint_create(
        organization=org, url=receiver.url + "/hooks", events=["candidate.updated"]
    )
    receiver.hold_first = threading.Event()  # the first request hangs: the worker is inside it

    first = WorkerProcess(queue, tmp_path / "worker-1.log")
    try:
        services.candidate_create(organization=org, name="Kim Lee", email="kim@example.com")
        delivery = WebhookDelivery.objects.get()
        if not receiver.arrived.wait(timeout=WAIT_SECONDS):
            pytest.fail("the first worker never sent the request\n" + first.log.read_text())
        first.kill()
    finally:
        first.stop()
    assert first.process.returncode == -signal.SIGKILL

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 1)
    # Until the lease runs out, the sweep leaves the row alone: the request might still land.
    assert delivery.next_attempt_at > timezone.now()
    assert webhooks.deliveries_due() == []
    # Let the lease run out rather than wait for it (webhooks.LEASE, a minute).
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())

    second = WorkerProcess(queue, tmp_path / "worker-2.log")
    try:
        # The beat's sweep, run here so its tasks go to this test's queue.
        assert webhook_tasks.sweep_webhooks() == 1
        wait_until(delivered(delivery), "the redelivery", log=second.log)
    finally:
        second.stop()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        Status.DELIVERED,
        2,
        200,
    )
    interrupted, sent = delivery.attempt_log.all()
    assert interrupted.error == webhooks.INTERRUPTED and sent.status_code == 200
    assert WebhookDelivery.objects.count() == 1
    killed, redelivered = receiver.requests
    assert killed.headers["webhook-id"] == redelivered.headers["webhook-id"] == delivery.message_id
    assert killed.body == redelivered.body == delivery.body.encode()
    for request in (killed, redelivered):
        assert verify(endpoint.secret, request)["data"]["name"] == "Kim Lee"
