"""Outgoing webhooks: address rules, secrets, the outbox, Standard Webhooks signatures checked
by the ``standardwebhooks`` package against the exact bytes a real local receiver got, the
retry schedule, and the org admins' pages behind their tenant wall."""

from __future__ import annotations

import base64
import ipaddress
import random
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from apps.accounts.models import Role
from apps.ats import webhooks
from apps.ats.models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from apps.ats.webhooks import tasks as webhook_tasks
from apps.interviews import events, services
from tests.factories import CandidateSessionFactory, MembershipFactory
from tests.interviews.conftest import rate_all

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status


# -- a real receiver on 127.0.0.1 -------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 in a thread. It records every request (headers and the exact
    body bytes) and answers from ``responses`` in order, then ``default``. With ``hold_first``
    set, the first request waits on that event and gets no answer (a receiver that hangs)."""

    responses: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    default: tuple[int, dict[str, str]] = (200, {})
    hold_first: threading.Event | None = None
    requests: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def by_id(self) -> dict[str, list[Received]]:
        seen: dict[str, list[Received]] = {}
        with self._lock:
            for request in self.requests:
                seen.setdefault(request.headers["webhook-id"], []).append(request)
        return seen

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.hold_first is not None:
            self.hold_first.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that went away (a timed-out or killed sender) is part of these tests.
        pass


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {key.lower(): value for key, value in self.headers.items()}
            with receiver._lock:
                index = len(receiver.requests)
                receiver.requests.append(Received(self.path, headers, body))
                status, extra = (
                    receiver.responses.pop(0) if receiver.responses else receiver.default
                )
            receiver.arrived.set()
            if index == 0 and receiver.hold_first is not None:
                receiver.hold_first.wait(timeout=120)
                return
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format, *args) -> None:
            pass

    return Handler


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def loopback(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def endpoint(org, receiver, loopback):
    return webhooks.endpoint_create(
        organization=org, url=receiver.url + "/hooks", events=list(events.EVENTS)
    )


def verify(secret: str, request: Received) -> dict:
    """Check a request as a receiver would, with the reference package, on the exact bytes."""
    return Webhook(secret).verify(request.body, request.headers)


def make_delivery(endpoint, **fields) -> WebhookDelivery:
    values = {
        "endpoint": endpoint,
        "organization": endpoint.organization,
        "event_type": "candidate.updated",
        "message_id": webhooks.new_message_id(),
        "body": '{"data":{},"type":"candidate.updated"}',
        "next_attempt_at": timezone.now(),
    }
    return WebhookDelivery.objects.create(**{**values, **fields})


def add_candidate(org, name="Priya N", email="priya@example.com"):
    return services.candidate_create(organization=org, name=name, email=email)


def due_now(delivery) -> None:
    """Let time pass until the delivery's next attempt (or its lease) is due."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


# -- addresses --------------------------------------------------------------------------------


def fake_dns(monkeypatch, table: dict[str, list[str]]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in table[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
        ("http://127.8.9.10:8000/hook", "a loopback address"),
        ("http://[::1]:8000/hook", "::1 is a loopback address"),
        ("http://localhost:8000/hook", "localhost resolves to"),
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        ("https://172.16.0.5/hook", "172.16.0.5 is a private address"),
        ("http://192.168.1.20/hook", "192.168.1.20 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[fd00:ec2::254]/latest/", "a cloud metadata address"),
        ("http://169.254.10.10/hook", "a link-local address"),
        ("http://[fe80::1]/hook", "a link-local address"),
        ("http://0.0.0.0/hook", "an unspecified address"),
        ("http://224.0.0.1/hook", "a multicast address"),
        ("http://[::ffff:10.0.0.1]/hook", "::ffff:10.0.0.1 is a private address"),
        ("http://100.64.0.1/hook", "not a public address"),
        ("ftp://93.184.215.14/hook", "Use an http:// or https:// URL"),
        ("http://user:pw@93.184.215.14/hook", "Leave the user name and password out"),
    ],
)
def test_unsafe_urls_are_refused_at_registration_with_a_reason(org, url, reason):
    with pytest.raises(ValidationError) as exc:
        webhooks.endpoint_create(organization=org, url=url, events=["session.scored"])
    assert reason in " ".join(exc.value.message_dict["url"])
    assert not WebhookEndpoint.objects.exists()


def test_a_host_name_resolving_to_loopback_names_the_address(org):
    with pytest.raises(ValidationError) as exc:
        webhooks.endpoint_create(
            organization=org, url="http://localhost/", events=["session.scored"]
        )
    message = exc.value.message_dict["url"][0]
    assert "localhost resolves to" in message and "loopback" in message
    assert "only to public addresses" in message


def test_a_name_with_one_private_address_among_public_ones_is_refused(org, monkeypatch):
    fake_dns(monkeypatch, {"hooks.example.com": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(ValidationError) as exc:
        webhooks.endpoint_create(
            organization=org, url="https://hooks.example.com/in", events=["session.scored"]
        )
    assert "hooks.example.com resolves to 10.0.0.7" in exc.value.message_dict["url"][0]


def test_a_public_https_url_is_accepted(org, monkeypatch):
    fake_dns(monkeypatch, {"hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07::1"]})
    endpoint = webhooks.endpoint_create(
        organization=org,
        url="https://hooks.example.com/in?team=7",
        events=["session.scored", "session.created", "session.scored"],
        description=" ATS sync ",
    )
    assert endpoint.events == ["session.created", "session.scored"]
    assert endpoint.description == "ATS sync"
    target = webhooks.check_url(endpoint.url)
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example.com",
        443,
        "/in?team=7",
        "93.184.215.14",
    )


def test_an_unresolvable_host_is_refused(org, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(ValidationError) as exc:
        webhooks.endpoint_create(
            organization=org, url="https://nowhere.example/", events=["session.scored"]
        )
    assert "could not be resolved" in exc.value.message_dict["url"][0]


def test_the_loopback_setting_allows_loopback_only(org, loopback):
    assert webhooks.endpoint_create(
        organization=org, url="http://127.0.0.1:9/hook", events=["session.scored"]
    )
    assert webhooks.address_problem(ipaddress.ip_address("::1")) is None
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://[fe80::1]/"):
        with pytest.raises(ValidationError):
            webhooks.endpoint_create(organization=org, url=url, events=["session.scored"])


def test_events_must_be_known_and_at_least_one(org, loopback):
    with pytest.raises(ValidationError) as exc:
        webhooks.endpoint_create(organization=org, url="http://127.0.0.1/", events=[])
    assert "Choose at least one event." in exc.value.message_dict["events"]
    with pytest.raises(ValidationError) as exc:
        webhooks.endpoint_create(organization=org, url="http://127.0.0.1/", events=["session.x"])
    assert "Unknown event: session.x." in exc.value.message_dict["events"]


# -- secrets and signatures -------------------------------------------------------------------


def test_secrets_are_whsec_and_32_random_bytes():
    secrets_made = {webhooks.new_secret() for _ in range(200)}
    assert len(secrets_made) == 200
    raw = [base64.b64decode(s.removeprefix("whsec_"), validate=True) for s in secrets_made]
    assert all(s.startswith("whsec_") for s in secrets_made)
    assert {len(r) for r in raw} == {32}
    # 6400 random bytes cover nearly every byte value; a broken generator would not.
    assert len(set(b"".join(raw))) > 240


def test_each_endpoint_gets_its_own_secret_and_rotation_replaces_it(org, loopback):
    one = webhooks.endpoint_create(
        organization=org, url="http://127.0.0.1/a", events=["session.scored"]
    )
    two = webhooks.endpoint_create(
        organization=org, url="http://127.0.0.1/b", events=["session.scored"]
    )
    assert one.secret != two.secret
    old = one.secret
    webhooks.endpoint_rotate_secret(endpoint=one)
    one.refresh_from_db()
    assert one.secret != old and one.secret.startswith("whsec_")


def test_after_a_rotation_requests_carry_both_signatures_for_24_hours(endpoint, receiver):
    old = endpoint.secret
    before = timezone.now()
    webhooks.endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    new = endpoint.secret
    assert new != old and endpoint.previous_secret == old
    until = endpoint.previous_secret_expires_at
    assert before + timedelta(hours=24) <= until <= timezone.now() + timedelta(hours=24)
    # Just before the day is over both sign; just after, only the new one.
    assert endpoint.signing_secrets(now=until - timedelta(seconds=1)) == [new, old]
    assert endpoint.signing_secrets(now=until + timedelta(seconds=1)) == [new]

    delivery = make_delivery(endpoint)
    assert webhooks.delivery_attempt(delivery_id=delivery.pk).status == Status.DELIVERED
    (request,) = receiver.requests
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    # A receiver with either secret accepts the request (the reference package).
    for secret in (new, old):
        assert verify(secret, request) == {"data": {}, "type": "candidate.updated"}

    # A day later the old secret no longer verifies.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    later = make_delivery(endpoint)
    assert webhooks.delivery_attempt(delivery_id=later.pk).status == Status.DELIVERED
    second = receiver.requests[1]
    assert len(second.headers["webhook-signature"].split(" ")) == 1
    assert verify(new, second) == {"data": {}, "type": "candidate.updated"}
    with pytest.raises(WebhookVerificationError):
        verify(old, second)


def test_a_second_rotation_within_the_day_drops_the_oldest_secret(endpoint):
    first = endpoint.secret
    webhooks.endpoint_rotate_secret(endpoint=endpoint)
    second = endpoint.secret
    webhooks.endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets() == [endpoint.secret, second]
    assert first not in endpoint.signing_secrets()


def test_the_endpoint_page_says_until_when_the_previous_secret_verifies(admin_client, endpoint):
    detail = reverse("webhooks:detail", args=[endpoint.pk])
    assert b"One secret." in admin_client.get(detail).content
    rotated = admin_client.post(reverse("webhooks:rotate", args=[endpoint.pk]), follow=True)
    endpoint.refresh_from_db()
    until = timezone.localtime(endpoint.previous_secret_expires_at).strftime("%Y-%m-%d %H:%M")
    assert f"Until {until}".encode() in rotated.content
    page = admin_client.get(detail).content.decode()
    assert f"Rotated: until {until}" in page and "either verifies" in page
    assert endpoint.previous_secret not in page  # secrets are never shown again
    assert endpoint.secret not in page


def test_signature_matches_the_standard_webhooks_reference():
    secret = webhooks.new_secret()
    body = '{"data":{"name":"Zoë"},"type":"candidate.updated"}'.encode()
    timestamp = 1_700_000_000
    ours = webhooks.sign(secret, "msg_abc", timestamp, body)
    reference = Webhook(secret).sign(
        "msg_abc", datetime.fromtimestamp(timestamp, tz=UTC), body.decode()
    )
    assert ours == reference and ours.startswith("v1,")


# -- the outbox -------------------------------------------------------------------------------


def test_events_write_one_outbox_row_per_subscribed_active_endpoint(
    org, other_org, loopback, django_capture_on_commit_callbacks
):
    scored = webhooks.endpoint_create(
        organization=org, url="http://127.0.0.1/s", events=["session.scored"]
    )
    everything = webhooks.endpoint_create(
        organization=org, url="http://127.0.0.1/e", events=list(events.EVENTS)
    )
    paused = webhooks.endpoint_create(
        organization=org, url="http://127.0.0.1/p", events=list(events.EVENTS)
    )
    webhooks.endpoint_disable(endpoint=paused, reason="test")
    foreign = webhooks.endpoint_create(
        organization=other_org, url="http://127.0.0.1/f", events=list(events.EVENTS)
    )

    with django_capture_on_commit_callbacks() as callbacks:
        candidate = add_candidate(org)
    rows = WebhookDelivery.objects.all()
    assert [(d.endpoint, d.event_type) for d in rows] == [(everything, "candidate.updated")]
    assert len(callbacks) == 1  # the task is queued after the commit, not before
    assert not WebhookDelivery.objects.filter(endpoint__in=[scored, paused, foreign]).exists()
    delivery = rows.get()
    assert delivery.organization == org and delivery.status == Status.PENDING
    assert delivery.message_id.startswith("msg_") and delivery.attempts == 0
    assert webhooks.deliveries_due() == [delivery.pk]
    import json

    payload = json.loads(delivery.body)
    assert payload["type"] == "candidate.updated"
    assert payload["data"] == {
        "id": candidate.pk,
        "name": "Priya N",
        "email": "priya@example.com",
        "external_ids": {},
    }
    assert payload["timestamp"].endswith("Z")


def test_the_outbox_row_rolls_back_with_the_change(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        add_candidate(org)
        assert WebhookDelivery.objects.count() == 1  # written inside the transaction
        raise RuntimeError("the change fails after the event")
    assert WebhookDelivery.objects.count() == 0
    assert callbacks == []
    assert receiver.requests == []


def test_a_scored_session_sends_its_result_summary(
    org, receiver, loopback, django_capture_on_commit_callbacks
):
    endpoint = webhooks.endpoint_create(
        organization=org, url=receiver.url, events=["session.scored"]
    )
    user = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
    session = CandidateSessionFactory(organization=org, interviewers=[user], n_items=2)
    assert not WebhookDelivery.objects.exists()  # created/updated events: not subscribed
    with django_capture_on_commit_callbacks(execute=True):
        rate_all(session, user, 3)
    session.refresh_from_db()
    assert session.status == "scored"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event_type, delivery.status) == ("session.scored", Status.DELIVERED)
    (request,) = receiver.requests
    payload = verify(endpoint.secret, request)
    assert payload["type"] == "session.scored"
    assert payload["data"]["id"] == session.pk
    assert payload["data"]["status"] == "scored" and payload["data"]["mode"] == "live"
    assert payload["data"]["candidate_id"] == session.candidate_id
    assert payload["data"]["position_id"] == session.position_id
    assert payload["data"]["result"] == {
        "label": session.result["label"],
        "score": session.result["score"],
        "band": session.result["band"],
    }


# -- delivery to a real receiver --------------------------------------------------------------


def test_delivery_is_signed_per_standard_webhooks_on_the_exact_bytes(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_candidate(org, name="Zoë Ångström", email="zoe@example.com")
    delivery = WebhookDelivery.objects.get()
    (request,) = receiver.requests
    assert request.path == "/hooks"
    assert request.body == delivery.body.encode()  # stored once, sent as is
    assert verify(endpoint.secret, request)["data"]["name"] == "Zoë Ångström"
    assert request.headers["webhook-id"] == delivery.message_id
    assert request.headers["content-type"] == "application/json"
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(webhooks.new_secret()).verify(request.body, request.headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(endpoint.secret).verify(request.body + b" ", request.headers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        Status.DELIVERED,
        1,
        200,
    )
    assert delivery.delivered_at is not None
    (attempt,) = delivery.attempt_log.all()
    assert attempt.status_code == 200 and attempt.error == ""


def test_a_500_then_a_200_keeps_the_same_webhook_id(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.responses = [(500, {})]
    with django_capture_on_commit_callbacks(execute=True):
        add_candidate(org)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        Status.PENDING,
        1,
        500,
    )
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 3.5 < wait <= 5.5  # the second step: 5 s +-10%
    assert webhook_tasks.sweep_webhooks.delay().get() == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    due_now(delivery)
    assert webhook_tasks.sweep_webhooks.delay().get() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.attempts == 2
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    assert first.body == second.body
    for request in (first, second):
        verify(endpoint.secret, request)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]


def test_410_disables_the_endpoint_and_its_pending_deliveries(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    waiting = make_delivery(endpoint, next_attempt_at=timezone.now() + timedelta(hours=1))
    receiver.responses = [(410, {})]
    with django_capture_on_commit_callbacks(execute=True):
        add_candidate(org)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "410" in endpoint.disabled_reason
    gone = WebhookDelivery.objects.exclude(pk=waiting.pk).get()
    assert (gone.status, gone.last_status_code) == (Status.DISABLED, 410)
    waiting.refresh_from_db()
    assert waiting.status == Status.DISABLED
    add_candidate(org, name="Next", email="next@example.com")
    assert WebhookDelivery.objects.count() == 2  # a disabled endpoint gets no new rows


def test_retry_after_is_honoured_when_it_asks_for_later(
    org, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.responses = [(503, {"Retry-After": "3600"}), (429, {"Retry-After": "1"})]
    with django_capture_on_commit_callbacks(execute=True):
        add_candidate(org)
    delivery = WebhookDelivery.objects.get()
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 3590 < wait <= 3600
    due_now(delivery)
    webhooks.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 250 < wait <= 330  # Retry-After: 1 is sooner than the schedule's 5 min: schedule wins
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 429]


def test_the_last_failure_gives_up(endpoint, receiver):
    receiver.default = (500, {})
    delivery = make_delivery(endpoint, attempts=len(webhooks.SCHEDULE_SECONDS) - 1)
    outcome = webhooks.delivery_attempt(delivery_id=delivery.pk)
    assert outcome.status == Status.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 10)
    assert webhooks.deliveries_due() == []


def test_a_timeout_is_a_failed_attempt(endpoint, receiver, monkeypatch):
    monkeypatch.setattr(webhooks.addresses, "TIMEOUT_SECONDS", 0.3)
    receiver.hold_first = threading.Event()
    delivery = make_delivery(endpoint)
    outcome = webhooks.delivery_attempt(delivery_id=delivery.pk)
    assert outcome.status == Status.PENDING and outcome.status_code is None
    assert "Timed out" in outcome.error
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and "Timed out" in delivery.last_error


def test_a_refused_address_at_send_time_sends_nothing(endpoint, receiver, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    delivery = make_delivery(endpoint)
    outcome = webhooks.delivery_attempt(delivery_id=delivery.pk)
    assert "loopback" in outcome.error and outcome.status == Status.PENDING
    assert receiver.requests == []
    assert "loopback" in delivery.attempt_log.get().error


def test_attempts_are_idempotent(endpoint, receiver):
    later = make_delivery(endpoint, next_attempt_at=timezone.now() + timedelta(minutes=5))
    done = make_delivery(endpoint, status=Status.DELIVERED)
    assert webhooks.delivery_attempt(delivery_id=later.pk) is None
    assert webhooks.delivery_attempt(delivery_id=done.pk) is None
    assert webhooks.delivery_attempt(delivery_id=999_999) is None
    assert receiver.requests == []


def test_a_delivery_lost_with_its_worker_is_sent_again_after_the_lease(endpoint, receiver):
    delivery = make_delivery(endpoint)
    claim = webhooks._claim(delivery.pk)  # the worker claims, then dies before any outcome
    assert claim is not None and webhooks._claim(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert webhooks.delivery_in_flight(delivery)
    assert webhooks.deliveries_due() == []  # no second send while the first may still run

    due_now(delivery)  # the lease runs out
    assert webhooks.deliveries_due() == [delivery.pk]
    webhook_tasks.sweep_webhooks.delay()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 2)
    (request,) = receiver.requests
    assert request.headers["webhook-id"] == claim.message_id == delivery.message_id
    interrupted, sent = delivery.attempt_log.all()
    assert interrupted.error == webhooks.INTERRUPTED and sent.status_code == 200


def test_a_late_failure_does_not_undo_a_later_success(endpoint, receiver):
    delivery = make_delivery(endpoint)
    stale = webhooks._claim(delivery.pk)
    due_now(delivery)
    webhooks.delivery_attempt(delivery_id=delivery.pk)
    webhooks._record(stale, 500, "late", None, 15_000)
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.last_status_code == 200


# -- the schedule -----------------------------------------------------------------------------


def test_the_schedule_spans_about_three_days_with_ten_attempts():
    assert webhooks.SCHEDULE_SECONDS[:4] == (0, 5, 300, 1800)
    assert len(webhooks.SCHEDULE_SECONDS) == 10
    total = timedelta(seconds=sum(webhooks.SCHEDULE_SECONDS))
    assert timedelta(days=3) <= total <= timedelta(days=3.5)


def test_retry_delays_stay_within_ten_percent_and_vary():
    rng = random.Random(7)
    for attempt in range(1, 10):
        step = webhooks.SCHEDULE_SECONDS[attempt]
        delays = {webhooks.retry_delay(attempt, rng=rng).total_seconds() for _ in range(200)}
        assert min(delays) >= step * 0.9 and max(delays) <= step * 1.1
        assert len(delays) > 100  # jitter: retries of many deliveries spread out
    assert webhooks.retry_delay(10) is None


def test_retry_after_only_pushes_later_and_at_most_a_day():
    assert webhooks.retry_delay(1, retry_after=600).total_seconds() == 600
    assert webhooks.retry_delay(5, retry_after=1).total_seconds() >= 5 * 3600 * 0.9
    assert webhooks.retry_delay(1, retry_after=10**9).total_seconds() == 24 * 3600


def test_retry_after_is_read_as_seconds_or_an_http_date():
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    assert webhooks.parse_retry_after("120", now=now) == 120
    in_an_hour = format_datetime(now + timedelta(hours=1), usegmt=True)
    assert webhooks.parse_retry_after(in_an_hour, now=now) == 3600
    assert (
        webhooks.parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now)
        == 0
    )
    assert webhooks.parse_retry_after("soon", now=now) is None
    # An HTTP date in "-0000" parses as naive: read as UTC, not a TypeError.
    naive = format_datetime((now + timedelta(minutes=2)).replace(tzinfo=None))
    assert webhooks.parse_retry_after(naive, now=now) == 120
    assert webhooks.parse_retry_after(None, now=now) is None


# -- retry now --------------------------------------------------------------------------------


def test_retry_now_sends_a_failed_delivery_again(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    delivery = make_delivery(endpoint, status=Status.FAILED, attempts=10)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.delivery_retry(delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 11)
    assert receiver.requests[0].headers["webhook-id"] == delivery.message_id


def test_retry_now_is_refused_while_in_flight_delivered_or_disabled(endpoint):
    in_flight = make_delivery(endpoint)
    webhooks._claim(in_flight.pk)
    with pytest.raises(ValidationError, match="in progress"):
        webhooks.delivery_retry(delivery=in_flight)
    with pytest.raises(ValidationError, match="already succeeded"):
        webhooks.delivery_retry(delivery=make_delivery(endpoint, status=Status.DELIVERED))
    webhooks.endpoint_disable(endpoint=endpoint, reason="test")
    with pytest.raises(ValidationError, match="enable it"):
        webhooks.delivery_retry(delivery=make_delivery(endpoint, status=Status.DISABLED))


# -- the admin pages --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, org_admin):
    client.force_login(org_admin)
    return client


@pytest.fixture
def foreign(other_org, loopback):
    endpoint = webhooks.endpoint_create(
        organization=other_org,
        url="http://127.0.0.1:9/rival-secret-hook",
        events=["session.scored"],
    )
    return endpoint, make_delivery(endpoint, status=Status.FAILED)


def test_only_org_admins_see_the_pages(client, recruiter, endpoint):
    assert client.get(reverse("webhooks:list")).status_code == 302  # to the login page
    client.force_login(recruiter)
    for url in (
        reverse("webhooks:list"),
        reverse("webhooks:create"),
        reverse("webhooks:detail", args=[endpoint.pk]),
    ):
        assert client.get(url).status_code == 404


def test_the_list_shows_the_organizations_endpoints_only(admin_client, endpoint, foreign):
    page = admin_client.get(reverse("webhooks:list"))
    assert page.status_code == 200
    assert endpoint.url.encode() in page.content
    assert b"rival-secret-hook" not in page.content


def test_creating_an_endpoint_shows_the_secret_once(admin_client, org, loopback):
    response = admin_client.post(
        reverse("webhooks:create"),
        {
            "url": "http://127.0.0.1:9/in",
            "events": ["session.scored", "candidate.updated"],
            "description": "ATS",
            "form_key": "k" * 20,
        },
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(organization=org)
    assert response.redirect_chain == [(reverse("webhooks:detail", args=[endpoint.pk]), 302)]
    assert endpoint.events == ["session.scored", "candidate.updated"]
    assert endpoint.secret.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    detail = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk]))
    assert endpoint.secret.encode() not in detail.content


def test_an_unsafe_url_is_refused_on_the_form(admin_client):
    response = admin_client.post(
        reverse("webhooks:create"),
        {"url": "http://10.0.0.8/in", "events": ["session.scored"], "form_key": "k" * 20},
    )
    assert response.status_code == 400
    assert "10.0.0.8 is a private address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_codes_errors_and_a_retry_button(admin_client, endpoint):
    delivery = make_delivery(endpoint, status=Status.FAILED, attempts=1, last_status_code=503)
    WebhookDeliveryAttempt.objects.create(
        delivery=delivery, status_code=503, error="upstream busy", duration_ms=12
    )
    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert delivery.message_id in page
    assert "HTTP 503" in page and "upstream busy" in page and "Failed (gave up)" in page
    assert reverse("webhooks:retry", args=[delivery.pk]) in page


def test_retry_now_button_queues_the_delivery(
    admin_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    delivery = make_delivery(endpoint, status=Status.FAILED, attempts=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("webhooks:retry", args=[delivery.pk]))
    assert response.status_code == 302 and response.url == reverse(
        "webhooks:detail", args=[endpoint.pk]
    )
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    assert len(receiver.requests) == 1
    refused = admin_client.post(reverse("webhooks:retry", args=[delivery.pk]), follow=True)
    assert "already succeeded" in refused.content.decode()


def test_disable_enable_rotate_and_delete(admin_client, endpoint):
    detail = reverse("webhooks:detail", args=[endpoint.pk])
    pending = make_delivery(endpoint)
    assert admin_client.post(reverse("webhooks:disable", args=[endpoint.pk])).url == detail
    endpoint.refresh_from_db()
    pending.refresh_from_db()
    assert not endpoint.is_active and pending.status == Status.DISABLED
    admin_client.post(reverse("webhooks:enable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_reason == ""

    old = endpoint.secret
    form_key = admin_client.get(detail).context["form_key"]
    rotated = admin_client.post(
        reverse("webhooks:rotate", args=[endpoint.pk]), {"form_key": form_key}, follow=True
    )
    endpoint.refresh_from_db()
    assert rotated.redirect_chain == [(detail, 302)]
    assert endpoint.secret != old and endpoint.secret.encode() in rotated.content
    assert rotated["Cache-Control"] == "no-store"

    assert admin_client.get(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 200
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()  # GET only asks
    admin_client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert not WebhookDelivery.objects.exists()


def test_reposting_rotate_rotates_the_secret_once(admin_client, endpoint):
    """A reload or a double click of "Rotate the secret" sends the same form key again: the
    secret changes once, so the previous one keeps verifying (a second rotation drops it)."""
    detail = reverse("webhooks:detail", args=[endpoint.pk])
    rotate = reverse("webhooks:rotate", args=[endpoint.pk])
    old = endpoint.secret
    data = {"form_key": admin_client.get(detail).context["form_key"]}
    first = admin_client.post(rotate, data)
    endpoint.refresh_from_db()
    new = endpoint.secret
    second = admin_client.post(rotate, data)
    assert first["Location"] == second["Location"] == detail
    endpoint.refresh_from_db()
    assert endpoint.secret == new != old and endpoint.previous_secret == old
    shown = admin_client.get(detail)
    assert new in shown.content.decode() and shown["Cache-Control"] == "no-store"
    page = admin_client.get(detail)
    assert new not in page.content.decode()  # shown once
    # A malformed key rotates nothing; the page's fresh key rotates again, on purpose.
    assert admin_client.post(rotate, {"form_key": "bad"})["Location"] == detail
    endpoint.refresh_from_db()
    assert endpoint.secret == new
    admin_client.post(rotate, {"form_key": page.context["form_key"]})
    endpoint.refresh_from_db()
    assert endpoint.secret != new and endpoint.previous_secret == new


def test_actions_need_post(admin_client, endpoint):
    for name in ("disable", "enable", "rotate"):
        assert admin_client.get(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 405


def test_another_organizations_endpoint_and_deliveries_are_404(admin_client, foreign):
    endpoint, delivery = foreign
    secret = endpoint.secret
    for name in ("detail", "delete"):
        assert admin_client.get(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 404
    for name in ("disable", "enable", "rotate", "delete"):
        assert admin_client.post(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 404
    assert admin_client.post(reverse("webhooks:retry", args=[delivery.pk])).status_code == 404
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert endpoint.is_active and endpoint.secret == secret
    assert delivery.status == Status.FAILED


@pytest.mark.parametrize("n", [1, 50])
def test_delivery_log_query_count_is_constant(
    admin_client, endpoint, django_assert_max_num_queries, n
):
    for _ in range(n):
        delivery = make_delivery(endpoint, attempts=2, last_status_code=500)
        WebhookDeliveryAttempt.objects.create(delivery=delivery, status_code=500, error="boom")
        WebhookDeliveryAttempt.objects.create(delivery=delivery, status_code=500, error="boom")
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk]))
    assert len(response.context["page"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_endpoint_list_query_count_is_constant(
    admin_client, org, loopback, django_assert_max_num_queries, n
):
    for i in range(n):
        endpoint = webhooks.endpoint_create(
            organization=org, url=f"http://127.0.0.1:9/{i}", events=["session.scored"]
        )
        make_delivery(endpoint)
    with django_assert_max_num_queries(6):
        response = admin_client.get(reverse("webhooks:list"))
    assert len(response.context["endpoints"]) == n
