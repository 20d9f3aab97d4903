"""Outgoing webhooks, signed per Standard Webhooks (https://www.standardwebhooks.com/).

The flow, and the rule each step keeps:

1. ``on_event`` (a listener of ``apps.interviews.events``) runs inside the transaction of the
   change it describes. It serialises the payload once and writes one outbox row
   (``WebhookDelivery``) per active endpoint subscribed to the event: the rows commit or roll
   back with the change. The task is queued only after the commit.
2. ``delivery_attempt`` (the ``deliver_webhook`` task) *claims* a due row in a short
   transaction: it counts the attempt, opens an attempt log row and moves ``next_attempt_at``
   one lease ahead. No transaction stays open during the HTTP call.
3. The POST carries the stored body bytes, ``webhook-id`` (the row's ``message_id``, the same on
   every attempt), ``webhook-timestamp`` and ``webhook-signature``. Then the outcome is recorded:
   2xx delivered, 410 the endpoint is disabled, anything else the next step of the schedule.
4. A worker that dies mid-request leaves the row pending with its lease: once the lease runs
   out, the periodic sweep (``deliveries_due``) queues it again, and the receiver gets the same
   ``webhook-id``. Delivery is at least once; receivers de-duplicate by ``webhook-id``.

Addresses are checked twice: when an endpoint is registered and before every request (the
request then goes to the address that was checked, so DNS cannot swap it in between).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import random
import secrets
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Organization
from apps.interviews.events import EVENTS
from apps.interviews.models import Candidate, CandidateSession

from . import webhook_tasks
from .models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Status = WebhookDelivery.Status

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 32
TIMEOUT_SECONDS = 15
# A claim older than this was lost with its worker: the request timeout plus room for the
# database writes around it. Until then the sweep leaves the row alone (no double send).
LEASE = timedelta(seconds=60)
# Seconds before attempt n+1 once attempt n failed (index n, 1-based attempts): about 3 days.
SCHEDULE_SECONDS = (0, 5, 300, 1800, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 86400)
JITTER = 0.1
# A receiver's Retry-After may push the next attempt later than the schedule, never further.
MAX_RETRY_AFTER_SECONDS = 24 * 3600
SWEEP_BATCH = 500
RESPONSE_SNIPPET_BYTES = 500
USER_AGENT = "InterviewBank-Webhooks/1.0"
INTERRUPTED = "Interrupted: the worker stopped before the response was recorded."

# Cloud instance metadata (AWS, GCP, Azure; AWS over IPv6): never a webhook receiver.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


# -- addresses --------------------------------------------------------------------------------


class UnsafeURL(ValueError):
    """The URL is not one we send webhooks to; the message says why, for the admin."""


@dataclass(frozen=True)
class Target:
    """Where a request goes: the URL's parts and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def address_problem(address: IPAddress) -> str | None:
    """Why we refuse to send to ``address`` (a phrase such as "a private address"), or None.

    Only public addresses are allowed; ``WEBHOOKS_ALLOW_LOOPBACK`` also allows 127.0.0.0/8 and
    ::1, for development and tests that run a receiver on this machine.
    """
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address written as IPv6 (::ffff:10.0.0.1, 6to4) is judged as that address.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return address_problem(embedded)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return None if settings.WEBHOOKS_ALLOW_LOOPBACK else "a loopback address"
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "not a public address"),
    )
    return next((reason for refused, reason in checks if refused), None)


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURL(f"The host {host} could not be resolved ({exc}).") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 zone
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURL(f"The host {host} could not be resolved.")
    return addresses


def _is_literal(host: str, address: IPAddress) -> bool:
    try:
        return ipaddress.ip_address(host) == address
    except ValueError:
        return False


def check_url(url: str) -> Target:
    """Parse ``url`` and resolve its host; raise UnsafeURL unless every address is allowed.

    Every address must pass, not just one: a name that also resolves to a private address is
    refused, since the connection could go to either.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Use an http:// or https:// URL.")
    if not parts.hostname:
        raise UnsafeURL("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(
            "Leave the user name and password out of the URL: receivers check the signature."
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("The URL's port is not a number between 1 and 65535.") from None
    host = parts.hostname
    addresses = _resolve(host, port)
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            shown = host if _is_literal(host, address) else f"{host} resolves to {address}, which"
            raise UnsafeURL(
                f"Refused: {shown} is {problem}. Webhooks are sent only to public addresses."
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, str(addresses[0]))


# -- endpoints --------------------------------------------------------------------------------


def new_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes: the HMAC key, shown to the admin once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = set(events)
    unknown = sorted(chosen - set(EVENTS))
    if unknown:
        raise ValidationError({"events": f"Unknown event: {', '.join(unknown)}."})
    if not chosen:
        raise ValidationError({"events": "Choose at least one event."})
    return [event for event in EVENTS if event in chosen]


def endpoint_create(
    *, organization: Organization, url: str, events: Iterable[str], description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint with a fresh secret. Raises ValidationError ("url", "events")."""
    endpoint = WebhookEndpoint(
        organization=organization,
        url=url.strip(),
        events=_clean_events(events),
        description=description.strip(),
        secret=new_secret(),
    )
    endpoint.full_clean()
    try:
        check_url(endpoint.url)
    except UnsafeURL as exc:
        raise ValidationError({"url": str(exc)}, code="unsafe_url") from None
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret from now on: pending deliveries are signed with it when they are sent."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    """Stop sending: the endpoint's pending deliveries become ``disabled`` (an admin can retry
    them one by one after enabling it again)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_reason=reason[:200]
    )
    endpoint.deliveries.filter(status=Status.PENDING).update(status=Status.DISABLED)
    endpoint.is_active, endpoint.disabled_reason = False, reason[:200]
    return endpoint


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.is_active, endpoint.disabled_reason = True, ""
    endpoint.save(update_fields=["is_active", "disabled_reason"])
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint with its delivery log (the database cascades)."""
    endpoint.delete()


# -- events -> outbox -------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _session_data(session: CandidateSession) -> dict[str, Any]:
    result = session.result or None
    return {
        "id": session.pk,
        "status": session.status,
        "mode": session.mode,
        "candidate_id": session.candidate_id,
        "position_id": session.position_id,
        "scored_at": _iso(session.scored_at),
        "result": None
        if not result
        else {
            "label": result.get("label"),
            "score": result.get("score"),
            "band": result.get("band"),
        },
    }


def _candidate_data(candidate: Candidate) -> dict[str, Any]:
    return {
        "id": candidate.pk,
        "name": candidate.name,
        "email": candidate.email,
        "external_ids": candidate.external_ids or {},
    }


def event_payload(event: str, obj: CandidateSession | Candidate) -> dict[str, Any]:
    """The Standard Webhooks envelope: ``{"type", "timestamp", "data"}``."""
    if isinstance(obj, CandidateSession):
        data = _session_data(obj)
    elif isinstance(obj, Candidate):
        data = _candidate_data(obj)
    else:
        raise TypeError(f"no webhook payload for {type(obj).__name__}")
    return {"type": event, "timestamp": _iso(timezone.now()), "data": data}


def serialize(payload: dict[str, Any]) -> str:
    """Compact, ASCII-only JSON: the text stored is byte for byte the body signed and sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True, sort_keys=True)


def queue_delivery(delivery_id: int) -> None:
    """Queue the task once the current transaction commits. ``robust``: a broker outage must
    not fail the change that already committed; the sweep sends the row later."""
    transaction.on_commit(partial(webhook_tasks.deliver_webhook.delay, delivery_id), robust=True)


def on_event(event: str, obj: CandidateSession | Candidate) -> list[WebhookDelivery]:
    """Write the outbox rows for ``event`` (in the caller's transaction) and queue them."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            organization_id=obj.organization_id, is_active=True
        ).only("pk", "events")
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    body = serialize(event_payload(event, obj))
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=endpoint.pk,
            organization_id=obj.organization_id,
            event_type=event,
            message_id=new_message_id(),
            body=body,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )
    for delivery in deliveries:
        queue_delivery(delivery.pk)
    return deliveries


# -- signing ----------------------------------------------------------------------------------


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key being the
    base64-decoded part of the secret after ``whsec_`` (Standard Webhooks, "Signature scheme")."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(*, secret: str, msg_id: str, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


# -- the schedule -----------------------------------------------------------------------------


def retry_delay(
    attempt: int, *, retry_after: float | None = None, rng: random.Random | None = None
) -> timedelta | None:
    """How long to wait after failed attempt number ``attempt`` (1-based); None: give up.

    The schedule's step +-10% (jitter spreads the retries of many deliveries that failed
    together), or the receiver's Retry-After when it asks for later, up to a day.
    """
    if attempt >= len(SCHEDULE_SECONDS):
        return None
    seconds = SCHEDULE_SECONDS[attempt] * (rng or random).uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None and retry_after > seconds:
        seconds = max(seconds, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return timedelta(seconds=seconds)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delay-seconds or an HTTP date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or timezone.now())).total_seconds())


# -- HTTP -------------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that passed ``check_url``, not to a fresh DNS answer."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the URL's host name, as usual.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int
    retry_after: str | None
    text: str


def http_post(target: Target, body: bytes, headers: dict[str, str]) -> Response:
    """POST without following redirects; reads at most a snippet of the answer for the log.
    Each network step (connect, send, each read) times out after TIMEOUT_SECONDS."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        target.host, target.port, address=target.address, timeout=TIMEOUT_SECONDS
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(RESPONSE_SNIPPET_BYTES).decode("utf-8", "replace")
        return Response(response.status, response.getheader("retry-after"), text)
    finally:
        connection.close()


# -- delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempt_id: int
    attempt_number: int
    endpoint_id: int
    message_id: str
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    status: str  # the delivery's status after this attempt
    status_code: int | None
    error: str
    retry_in: float | None  # seconds until the next attempt, when one is scheduled


def _claim(delivery_id: int) -> Claim | None:
    """Take a due pending row for one attempt, or None (not due, taken, done or disabled).

    A short transaction: the row lock (skipped when another worker holds it) only decides who
    sends. The claim itself is the lease in ``next_attempt_at`` and the attempt number.
    """
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.is_active:
            delivery.status = Status.DISABLED
            delivery.save(update_fields=["status"])
            return None
        # An attempt left without an outcome belongs to a worker that died mid-request.
        delivery.attempt_log.filter(status_code__isnull=True, error="").update(error=INTERRUPTED)
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        attempt = WebhookDeliveryAttempt.objects.create(delivery=delivery)
    return Claim(
        delivery_id=delivery.pk,
        attempt_id=attempt.pk,
        attempt_number=delivery.attempts,
        endpoint_id=delivery.endpoint_id,
        message_id=delivery.message_id,
        url=delivery.endpoint.url,
        secret=delivery.endpoint.secret,
        body=delivery.body.encode("utf-8"),
    )


def _send(claim: Claim) -> tuple[int | None, str, float | None]:
    """One request: (status code, error or response snippet, Retry-After seconds)."""
    try:
        target = check_url(claim.url)
    except UnsafeURL as exc:
        return None, str(exc), None
    headers = signed_headers(
        secret=claim.secret, msg_id=claim.message_id, body=claim.body, timestamp=int(time.time())
    )
    try:
        response = http_post(target, claim.body, headers)
    except TimeoutError:
        return None, f"Timed out after {TIMEOUT_SECONDS} s.", None
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000], None
    if 200 <= response.status < 300:
        return response.status, "", None
    return response.status, response.text, parse_retry_after(response.retry_after)


def _record(
    claim: Claim, status_code: int | None, error: str, retry_after: float | None, ms: int
) -> Outcome:
    now = timezone.now()
    fields: dict[str, Any] = {"last_status_code": status_code, "last_error": error}
    retry_in = None
    if status_code is not None and 200 <= status_code < 300:
        fields.update(status=Status.DELIVERED, delivered_at=now)
    elif status_code == 410:
        fields.update(status=Status.DISABLED)
    else:
        delay = retry_delay(claim.attempt_number, retry_after=retry_after)
        if delay is None:
            fields.update(status=Status.FAILED)
        else:
            retry_in = delay.total_seconds()
            fields.update(next_attempt_at=now + delay)
    with transaction.atomic():
        WebhookDeliveryAttempt.objects.filter(pk=claim.attempt_id).update(
            status_code=status_code, duration_ms=ms, error=error
        )
        rows = WebhookDelivery.objects.filter(pk=claim.delivery_id)
        if fields.get("status") == Status.DELIVERED:
            # A success is a fact whoever holds the claim now (the receiver has the message).
            rows = rows.exclude(status=Status.DELIVERED)
        else:
            # Otherwise only the current claim decides: if the lease ran out and another
            # attempt began, or an admin disabled the endpoint, that state stands.
            rows = rows.filter(status=Status.PENDING, attempts=claim.attempt_number)
        updated = rows.update(**fields)
        if status_code == 410 and updated:
            endpoint_disable(
                endpoint=WebhookEndpoint.objects.get(pk=claim.endpoint_id),
                reason=f"The endpoint answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC.",
            )
    status = fields.get("status", Status.PENDING)
    return Outcome(status=status, status_code=status_code, error=error, retry_in=retry_in)


def delivery_attempt(*, delivery_id: int) -> Outcome | None:
    """Send a due delivery once and record the outcome; None when there was nothing to do
    (idempotent: a duplicate or late task finds the row not due, taken or finished)."""
    claim = _claim(delivery_id)
    if claim is None:
        return None
    started = time.monotonic()
    status_code, error, retry_after = _send(claim)
    ms = int((time.monotonic() - started) * 1000)
    return _record(claim, status_code, error, retry_after, ms)


def deliveries_due(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Pending rows whose time has come, oldest first: scheduled retries, rows whose task was
    lost (broker down at commit) and rows whose worker died (their lease ran out)."""
    return list(
        WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def delivery_in_flight(delivery: WebhookDelivery, *, now: datetime | None = None) -> bool:
    """An attempt is running now: claimed, lease not over, no outcome recorded yet."""
    return (
        delivery.status == Status.PENDING
        and delivery.next_attempt_at > (now or timezone.now())
        and delivery.attempt_log.filter(status_code__isnull=True, error="").exists()
    )


def delivery_retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """ "Retry now": an admin sends a pending, failed or disabled delivery again, at once, with
    the same ``webhook-id``. One more failure after the schedule ran out marks it failed."""
    with transaction.atomic():
        locked = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .get(pk=delivery.pk)
        )
        if locked.status == Status.DELIVERED:
            raise ValidationError("This delivery already succeeded.")
        if not locked.endpoint.is_active:
            raise ValidationError("The endpoint is disabled: enable it before retrying.")
        if delivery_in_flight(locked):
            raise ValidationError("An attempt is in progress right now; its result comes soon.")
        locked.status = Status.PENDING
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "next_attempt_at"])
        queue_delivery(locked.pk)
    return locked
