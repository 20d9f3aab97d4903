"""Webhooks run on a queue of their own with short timeouts, and every worker command consumes
the queues it must: one slow receiver can no longer hold up e-mails (issue 13)."""

from __future__ import annotations

import re
import shlex
import socket
import threading
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from apps.ats import webhooks
from apps.ats.greenhouse import tasks as greenhouse_tasks
from apps.ats.models import WebhookDelivery
from apps.ats.webhooks import tasks as webhook_tasks
from apps.outbox import tasks as outbox_tasks
from interviewbank.celery import app

from .test_webhooks import make_delivery

BASE = Path(settings.BASE_DIR)


def queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_webhook_tasks_go_to_the_webhooks_queue_and_keep_their_names():
    # The names are those of the old flat modules, so messages queued before a deploy still run.
    assert webhook_tasks.deliver_webhook.name == "apps.ats.webhook_tasks.deliver_webhook"
    assert webhook_tasks.sweep_webhooks.name == "apps.ats.webhook_tasks.sweep_webhooks"
    assert greenhouse_tasks.greenhouse_notify.name == "apps.ats.greenhouse_tasks.greenhouse_notify"
    for task in (webhook_tasks.deliver_webhook, webhook_tasks.sweep_webhooks):
        assert queue_of(task.name) == "webhooks"
    assert queue_of(greenhouse_tasks.greenhouse_notify.name) == "webhooks"
    # E-mails and the rest of the outbox stay on the default queue.
    assert queue_of(outbox_tasks.send_message.name) == settings.CELERY_TASK_DEFAULT_QUEUE
    # What a worker and the beat see: every app's tasks module, as autodiscovery imports them.
    app.loader.import_default_modules()
    beat_tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert webhook_tasks.sweep_webhooks.name in beat_tasks
    assert all(name in app.tasks for name in beat_tasks)


def _queues_of(command: str) -> set[str]:
    args = shlex.split(command)
    for flag in ("-Q", "--queues"):
        if flag in args:
            return set(args[args.index(flag) + 1].split(","))
    return {settings.CELERY_TASK_DEFAULT_QUEUE}


def test_every_queue_is_consumed_by_a_compose_worker_of_its_own():
    services = yaml.safe_load((BASE / "docker-compose.yml").read_text())["services"]
    workers = {
        name: _queues_of(service["command"])
        for name, service in services.items()
        if " worker" in service.get("command", "")
    }
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    needed = routed | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert set().union(*workers.values()) >= needed
    # No worker serves webhooks and the default queue together (that is what blocked e-mails).
    for queues in workers.values():
        assert not ({"webhooks", settings.CELERY_TASK_DEFAULT_QUEUE} <= queues)


def test_the_readme_names_a_worker_command_for_each_queue():
    readme = (BASE / "README.md").read_text()
    commands = re.findall(r"celery -A interviewbank worker[^\n`]*", readme)
    consumed = set().union(*(_queues_of(c) for c in commands)) if commands else set()
    assert consumed >= {"webhooks", settings.CELERY_TASK_DEFAULT_QUEUE}


def test_outbound_timeouts_are_short_and_inside_the_claims_lease():
    addresses = webhooks.addresses
    assert addresses.CONNECT_TIMEOUT_SECONDS <= 5
    assert addresses.READ_TIMEOUT_SECONDS <= 10
    assert addresses.TIMEOUT_SECONDS <= 20
    assert webhooks.LEASE.total_seconds() > addresses.TIMEOUT_SECONDS
    assert webhooks.LEASE.total_seconds() > webhook_tasks.TIME_LIMIT_SECONDS


@pytest.fixture
def trickler():
    """A receiver that answers 200 and then sends its body one byte every 0.1 s: each read
    succeeds, so only an overall deadline stops it."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
                for _ in range(100):
                    if stop.is_set():
                        break
                    try:
                        conn.sendall(b"x")
                    except OSError:
                        break
                    time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    stop.set()
    thread.join(timeout=5)
    server.close()


@pytest.mark.django_db
def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline(
    org, trickler, settings, monkeypatch
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    monkeypatch.setattr(webhooks.addresses, "TIMEOUT_SECONDS", 0.5)
    endpoint = webhooks.endpoint_create(organization=org, url=trickler, events=["session.scored"])
    delivery = make_delivery(endpoint)
    started = time.monotonic()
    outcome = webhooks.delivery_attempt(delivery_id=delivery.pk)
    assert time.monotonic() - started < 3
    assert outcome.status == WebhookDelivery.Status.PENDING and outcome.status_code is None
    assert "Timed out" in outcome.error
