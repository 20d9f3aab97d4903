"""Nothing lost when the broker fails: a Redis of the test's own is stopped, take-homes are
submitted and invitations created through the real views (every request answers normally),
Redis comes back, the beat's sweep runs, and a real worker sends every e-mail exactly once, and
calls Greenhouse back exactly once for the take-home it ordered (a local HTTP receiver).

The worker is a subprocess (``celery worker --pool=solo``) on this test's PostgreSQL database,
the test's Redis and a queue of its own, with the file-based e-mail backend writing into a
temporary folder; the test then reads the files and counts every Message-ID. The sweep is run
twice, so every row has two tasks queued: the claim must let only one of them send.
"""

from __future__ import annotations

import email
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.ats.greenhouse import CALLBACK_KIND
from apps.ats.greenhouse.services import greenhouse_send_test
from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.services import invitations
from apps.outbox import services as outbox_services
from apps.outbox.email import message_id
from apps.outbox.models import OutboxMessage
from apps.outbox.tasks import sweep_outbox
from interviewbank.celery import app
from tests.conftest import missing_service
from tests.factories import make_kit
from tests.takehome.conftest import start

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

SUBMITS = int(os.environ.get("OUTAGE_SUBMITS", "50"))
INVITES = 2
WAIT_SECONDS = 120
Status = OutboxMessage.Status


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """``redis-server --port N --save ''`` of this test's own, stopped and started at will."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            missing_service("this test needs redis-server (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def broker(url: str, queue: str):
    """Point this process's Celery app at ``url`` with tasks on ``queue``, not eager. (Celery
    reads CELERY_BROKER_URL from the environment before its configuration.)"""
    old = (app.conf.broker_url, app.conf.task_default_queue, app.conf.task_always_eager)
    old_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url, app.conf.task_default_queue, app.conf.task_always_eager = url, queue, False
    app._pool = None  # the pools were made for the old URL
    app.amqp._producer_pool = None
    # An earlier test's outage must not make this broker look down (the dispatch would leave
    # the row to a sweep this test does not run): the greenhouse test timed out on exactly that.
    outbox_services.broker_reconfigured()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_default_queue, app.conf.task_always_eager = old
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env
        app._pool = None
        app.amqp._producer_pool = None
        outbox_services.broker_reconfigured()


@dataclass(frozen=True)
class Rig:
    """A test's own broker and worker: ``redis`` can be stopped (the outage) and started again;
    the worker writes e-mails into ``mail_dir`` and its log into ``log``."""

    redis: RedisServer
    queue: str
    mail_dir: Path
    log: Path


@contextmanager
def outage_rig(tmp_path: Path, name: str):
    """A redis-server of the test's own, a real worker on a queue of its own, and this process
    pointed at them (``broker``); both stopped however the test ends."""
    redis_server = RedisServer()
    queue = f"{name}-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"
    redis_server.start()
    worker = start_worker(redis_server.url, queue, mail_dir, log)
    try:
        with broker(redis_server.url, queue):
            yield Rig(redis_server, queue, mail_dir, log)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        redis_server.stop()


def _test_database_url() -> str:
    return (
        urlsplit(os.environ["DATABASE_URL"])
        ._replace(path="/" + connection.settings_dict["NAME"])
        .geturl()
    )


def start_worker(broker_url: str, queue: str, mail_dir: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "interviewbank.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the tokens in the outbox are encrypted with it
        "FIELD_ENCRYPTION_KEY": ",".join(settings.FIELD_ENCRYPTION_KEY),
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SITE_URL": settings.SITE_URL,
        "WEBHOOKS_ALLOW_LOOPBACK": "1",  # the Greenhouse callback goes to a local receiver
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "interviewbank", "worker", "--pool=solo",
        "-Q", queue, "-n", f"{queue}@%h", "--loglevel=INFO",
        "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def wait_until_sent(what: str, *, log: Path | None = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if not OutboxMessage.objects.filter(status=Status.PENDING).exists():
            return
        time.sleep(0.2)
    pending = list(
        OutboxMessage.objects.filter(status=Status.PENDING).values_list(
            "kind", "attempts", "next_attempt_at"
        )
    )
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {WAIT_SECONDS} s waiting for {what}; pending: {pending}\n{tail}")


class PatchReceiver:
    """Greenhouse's side of the callback: an HTTP server on 127.0.0.1 recording each request."""

    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []  # (method, path, authorization)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                receiver.requests.append(
                    (self.command, self.path, self.headers.get("Authorization", ""))
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PATCH = do_POST = do_GET = _record

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/take_home_tests/98765"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def read_mail(folder: Path) -> list[email.message.Message]:
    """Every message the file-based backend wrote (one or more per file)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                messages.append(email.message_from_string(chunk))
    return messages


@pytest.fixture
def th_position(require_postgres, org, recruiter):
    kit = make_kit(3)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    return services.position_create(
        organization=org, created_by=recruiter, client_company="Contoso", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="Shop floor execution.", kit=kit,
    )  # fmt: skip


def test_a_broker_outage_loses_no_email_and_sends_none_twice(
    client, org, recruiter, interviewer, th_position, tmp_path, settings
):
    settings.TAKEHOME_RATE_LIMIT_PER_MINUTE = 10 * SUBMITS  # every candidate is on 127.0.0.1
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    greenhouse = PatchReceiver()
    try:
        with outage_rig(tmp_path, "outbox-outage") as rig:
            mail_dir = rig.mail_dir
            # Before the outage: take-homes are sent out and their links mailed as usual.
            created = [
                invitations.invitation_create(
                    position=th_position,
                    candidate=services.candidate_create(
                        organization=org, name=f"Candidate {n}", email=f"c{n}@example.com"
                    ),
                    expires_at=timezone.now() + timedelta(days=3),
                    created_by=recruiter,
                    interviewers=[interviewer],
                )
                for n in range(SUBMITS)
            ]
            # And one take-home that Greenhouse ordered (no interviewers, no creator).
            gh_candidate = {
                "first_name": "Gail",
                "last_name": "Hus",
                "email": "gail@example.com",
                "greenhouse_profile_url": "https://app.greenhouse.io/people/1",
            }
            data = {
                "partner_test_id": str(th_position.pk),
                "candidate": gh_candidate,
                "url": greenhouse.url,
            }
            greenhouse_send_test(organization=org, position=th_position, data=data, payload=data)
            sweep_outbox()  # the beat, in case an earlier test left this process's breaker open
            wait_until_sent("the e-mails before the outage", log=tmp_path / "worker.log")
            before = OutboxMessage.objects.count()
            (gail,) = [m for m in read_mail(mail_dir) if m["To"] == "gail@example.com"]
            gail_token = gail.get_payload().split("/t/")[1].split("/")[0]

            rig.redis.stop()  # the outage: the worker loses its broker and waits
            slowest = 0.0
            for one in created:
                candidate = type(client)()
                began = time.monotonic()
                start(candidate, one.token)
                response = candidate.post("/takehome/submit/", {"confirm": "1"})
                slowest = max(slowest, (time.monotonic() - began) / 2)
                assert response.status_code == 302, response.content[:500]
            candidate = type(client)()
            start(candidate, gail_token)
            assert candidate.post("/takehome/submit/", {"confirm": "1"}).status_code == 302
            client.force_login(recruiter)
            url = reverse("interviews:invitation_create", args=[th_position.pk])
            for n in range(INVITES):
                form = client.get(url)
                keys = [k for k, _ in form.context["form"].fields["questions"].choices]
                candidate = services.candidate_create(
                    organization=org, name=f"Invitee {n}", email=f"i{n}@example.com"
                )
                began = time.monotonic()
                response = client.post(
                    url,
                    {
                        "candidate": candidate.pk,
                        "expires_at": (timezone.now() + timedelta(days=2)).strftime(
                            "%Y-%m-%dT%H:%M"
                        ),
                        "questions": keys[:1],
                        "form_key": form.context["form_key"],
                    },
                )
                slowest = max(slowest, time.monotonic() - began)
                assert response.status_code == 302, response.content[:500]

            during = list(OutboxMessage.objects.filter(status=Status.PENDING).order_by("pk"))
            assert len(during) == OutboxMessage.objects.count() - before
            by_kind = Counter(row.kind for row in during)

            rig.redis.start()  # back, empty: nothing queued during the outage is there
            # The beat's sweep, twice: two tasks per row, yet one e-mail each.
            assert sweep_outbox() == len(during)
            assert sweep_outbox() == len(during)
            wait_until_sent("the e-mails of the outage", log=tmp_path / "worker.log")
            time.sleep(1.0)  # let the worker take the duplicate tasks too
            assert sweep_outbox() == 0
    finally:
        greenhouse.stop()

    log = (tmp_path / "worker.log").read_text(errors="replace")
    rows = list(OutboxMessage.objects.order_by("pk"))
    unsent = [
        (r.pk, r.kind, r.status, r.attempts, r.last_error) for r in rows if r.status != "sent"
    ]
    assert unsent == [], log[-3000:]
    received = Counter(m["Message-ID"] for m in read_mail(mail_dir))
    expected = {message_id(row) for row in rows if row.kind != CALLBACK_KIND}
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    print(
        f"\noutbox outage: {SUBMITS} submits and {INVITES} invites answered during the outage "
        f"(slowest request {slowest * 1000:.0f} ms); {len(during)} outbox rows queued meanwhile "
        f"({dict(by_kind)}); of {len(expected)} e-mails in all, {sum(received.values())} "
        f"received, {duplicates} duplicates, {len(expected - set(received))} lost; Greenhouse "
        f"callbacks: {len(greenhouse.requests)} received"
    )
    assert set(received) == expected and duplicates == 0
    assert by_kind["takehome.invitation_email"] == INVITES
    submitted = [r for r in during if (r.dedupe_key or "").startswith("takehome-submitted:")]
    assert len(submitted) == SUBMITS + 1
    # Greenhouse's take-home: its recruiters and admins were told, and Greenhouse was called
    # back once (one PATCH, though two tasks were queued for its row).
    (gh_notice,) = [r for r in submitted if "Gail Hus" in r.payload["subject"]]
    assert gh_notice.payload["to"] == [recruiter.email]
    assert by_kind[CALLBACK_KIND] == 1
    assert [(method, path) for method, path, _ in greenhouse.requests] == [
        ("PATCH", urlsplit(greenhouse.url).path)
    ]
    assert all(r.attempts == 1 for r in rows)
    # The tokens were mailed, and they are no longer in the outbox, even encrypted.
    assert all(r.payload.get("token", "") == "" for r in rows)
