"""Claiming, sending and recording deliveries; the retry schedule and the sweep."""

from __future__ import annotations

import http.client
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from .addresses import TIMEOUT_SECONDS, UnsafeURL, check_url, http_post
from .outbox import endpoint_disable, queue_delivery
from .signing import signed_headers

Status = WebhookDelivery.Status
# A claim older than this was lost with its worker: the request timeout plus room for the
# database writes around it. Until then the sweep leaves the row alone (no double send).
LEASE = timedelta(seconds=60)
# Seconds before attempt n+1 once attempt n failed (index n, 1-based attempts): about 3 days.
SCHEDULE_SECONDS = (0, 5, 300, 1800, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 86400)
JITTER = 0.1
# A receiver's Retry-After may push the next attempt later than the schedule, never further.
MAX_RETRY_AFTER_SECONDS = 24 * 3600
SWEEP_BATCH = 500
INTERRUPTED = "Interrupted: the worker stopped before the response was recorded."


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


# -- delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempt_id: int
    attempt_number: int
    endpoint_id: int
    message_id: str
    url: str
    secrets: tuple[str, ...]  # the signing secrets: two during a rotation
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
        secrets=tuple(delivery.endpoint.signing_secrets(now=now)),
        body=delivery.body.encode("utf-8"),
    )


def _send(claim: Claim) -> tuple[int | None, str, float | None]:
    """One request: (status code, error or response snippet, Retry-After seconds)."""
    try:
        target = check_url(claim.url)
    except UnsafeURL as exc:
        return None, str(exc), None
    headers = signed_headers(
        secret=claim.secrets, msg_id=claim.message_id, body=claim.body, timestamp=int(time.time())
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
