"""Writing, claiming and sending outbox rows (the API is described in the package docstring)."""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.accounts.models import Organization

from . import GiveUp, RetryLater, kind
from .models import OutboxMessage

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status

# Longer than the task's hard time limit (CELERY_TASK_TIME_LIMIT, 300 s), so a lease never runs
# out while its worker may still be sending.
LEASE = timedelta(minutes=6)
MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
SWEEP_BATCH = 500


def enqueue(
    kind: str,
    payload: dict[str, Any],
    *,
    organization: Organization | None = None,
    dedupe_key: str | None = None,
    send_after: datetime | None = None,
) -> OutboxMessage:
    """Write the row in the caller's transaction and queue its task after commit.

    The same ``dedupe_key`` twice is a no-op that returns the first row. A broker outage at
    commit time is logged, never raised: the sweep sends the row once the broker is back.
    """
    fields = {
        "organization": organization,
        "kind": kind,
        "payload": payload,
        "dedupe_key": dedupe_key or None,
        "next_attempt_at": send_after or timezone.now(),
    }
    if dedupe_key:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():  # a savepoint: a lost race must not spoil the caller's
                message = OutboxMessage.objects.create(**fields)
        except IntegrityError:
            return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    else:
        message = OutboxMessage.objects.create(**fields)
    if send_after is None or send_after <= timezone.now():
        dispatch(message.pk)
    return message


# After the broker refused a task, this process leaves queueing to the sweep for a while, so
# that during an outage only one request in that time pays for a connection attempt. The
# verdict is about the broker this process points at: whoever points it elsewhere (the outage
# tests' harness) resets it with ``broker_reconfigured()``.
BROKER_PAUSE_SECONDS = 10.0
_broker_down_until = 0.0


def broker_reconfigured() -> None:
    """Forget that the broker was down: the process now points at another broker."""
    global _broker_down_until
    _broker_down_until = 0.0


def dispatch(message_id: int) -> None:
    """Queue ``send_message`` once the current transaction commits; never raise."""

    # A named function (not a partial or lambda): Django's robust on_commit logs its name.
    def queue_outbox_message() -> None:
        global _broker_down_until
        from .tasks import send_message

        if time.monotonic() < _broker_down_until:
            return  # the broker was down a moment ago: the sweep sends the row
        try:
            # No publish retries: with the broker down the request must answer now, and the
            # sweep sends the row later anyway.
            send_message.apply_async((message_id,), retry=False)
        except (OperationalError, OSError):
            _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.warning(
                "outbox: could not queue message %s (broker down?); the sweep will send it",
                message_id,
                exc_info=True,
            )
        except Exception:  # e.g. an eager task that failed: the row stays pending
            logger.exception("outbox: queueing message %s failed; the sweep retries it", message_id)

    transaction.on_commit(queue_outbox_message, robust=True)


def cancel_pending(kind_name: str, reason: str, **payload_match: Any) -> int:
    """Fail the pending rows of ``kind_name`` whose payload has these values (e.g. an e-mail a
    re-send superseded); returns how many. A row a worker is sending right now may still go
    out: handlers re-check what they send against the current state."""
    rows = OutboxMessage.objects.filter(
        kind=kind_name,
        status=Status.PENDING,
        **{f"payload__{k}": v for k, v in payload_match.items()},
    )
    cancelled = 0
    for message in rows.only("pk", "kind", "payload"):
        cancelled += OutboxMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(
            status=Status.FAILED,
            last_error=reason[:2000],
            claimed_until=None,
            payload=_without_secrets(message),
        )
    return cancelled


def _without_secrets(message: OutboxMessage) -> dict[str, Any]:
    registered = kind(message.kind)
    secret_keys = registered.secret_keys if registered else ()
    return {k: ("" if k in secret_keys else v) for k, v in (message.payload or {}).items()}


def _due(now: datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def messages_due(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of pending rows that are due and not leased to a worker, oldest first."""
    return list(
        OutboxMessage.objects.filter(_due(timezone.now()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 120 s, ... up to an hour, with ±20% jitter so retries do not march together."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1), BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _claim(message_id: int) -> OutboxMessage | None:
    """Take a due row for one attempt with one conditional UPDATE, or None when it is not due,
    leased to another worker, or final. Only one of two racing claims updates the row."""
    now = timezone.now()
    taken = OutboxMessage.objects.filter(_due(now), pk=message_id).update(
        claimed_until=now + LEASE, attempts=F("attempts") + 1
    )
    if not taken:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def message_send(*, message_id: int) -> str | None:
    """Send one row if it is due: its status afterwards, or None when nothing was done."""
    message = _claim(message_id)
    if message is None:
        return None
    registered = kind(message.kind)
    now = timezone.now()
    fields: dict[str, Any]
    try:
        if registered is None:
            raise LookupError(f"no handler registered for outbox kind {message.kind!r}")
        registered.handler(message)
    except GiveUp as exc:
        fields = {"status": Status.FAILED, "last_error": _error(exc)}
    except Exception as exc:  # anything else: try again later, up to MAX_ATTEMPTS
        logger.warning("outbox: %s failed (attempt %s): %s", message, message.attempts, exc)
        if message.attempts >= MAX_ATTEMPTS:
            fields = {"status": Status.FAILED, "last_error": _error(exc)}
        else:
            wait = backoff(message.attempts)
            after = exc.after_seconds if isinstance(exc, RetryLater) else None
            if after is not None and after > 0:
                wait = max(wait, timedelta(seconds=min(after, BACKOFF_MAX_SECONDS)))
            fields = {"next_attempt_at": now + wait, "last_error": _error(exc)}
    else:
        fields = {"status": Status.SENT, "sent_at": now, "last_error": ""}
    if fields.get("status") in (Status.SENT, Status.FAILED):
        fields["payload"] = _without_secrets(message)
    # Conditional on our claim: if our lease ran out and another worker took the row, its
    # outcome stands.
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status=Status.PENDING, attempts=message.attempts
    ).update(claimed_until=None, **fields)
    if not updated:
        logger.warning("outbox: %s changed while it was being sent; outcome dropped", message)
    return fields.get("status", Status.PENDING)


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
