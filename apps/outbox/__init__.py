"""The transactional outbox: every e-mail, webhook-like call and partner callback leaves here.

A side effect is written as an ``OutboxMessage`` row in the caller's transaction, so it exists
exactly when the change that caused it committed. After commit the row's task is queued; if the
broker is down that is logged and nothing else happens (a request never fails because of it):
the beat's ``sweep_outbox`` (every 30 s) sends every due row later. Sending claims the row with
a conditional UPDATE (status and lease), so two workers or a redelivered task never send one
row twice.

API for other apps (``from apps import outbox``)::

    outbox.register("email", handler, secret_keys=("token",))
        # in AppConfig.ready(); handler(message: OutboxMessage) -> None sends it.
        # Raise outbox.RetryLater (or any exception) to try again with backoff
        # (RetryLater(msg, after_seconds=30): not before then, e.g. a Retry-After),
        # outbox.GiveUp to fail the row for good. secret_keys: payload keys blanked once the
        # row is sent or failed (store secrets there only encrypted: apps.accounts.crypto).
    outbox.enqueue("email", {"to": [...], "subject": ..., "body": ...},
                   organization=org, dedupe_key="takehome-submitted:42", send_after=None)
        # -> OutboxMessage; the same dedupe_key twice is a no-op (returns the first row).
    outbox.cancel_pending("takehome.invitation_email", reason, invitation_id=7)
        # pending rows of that kind whose payload matches -> failed (e.g. a re-send supersedes).

Prepared e-mails use kind ``"email"`` (payload ``to``, ``subject``, ``body``), sent by
``apps.outbox.email`` with a Message-ID stable for the row. The app depends only on
``apps.accounts``; the apps that produce messages import it, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from apps.accounts.models import Organization

    from .models import OutboxMessage


class RetryLater(Exception):
    """The handler could not send now (network, remote 5xx): try again after a backoff.

    ``after_seconds`` (e.g. a 429/503 answer's Retry-After) is the earliest retry: the row is
    not tried again before it, nor before the usual backoff, whichever is later."""

    def __init__(self, message: str = "", *, after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.after_seconds = after_seconds


class GiveUp(Exception):
    """The message can never be sent (gone, superseded, refused): fail the row, no retry."""


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Callable[[OutboxMessage], None]
    secret_keys: tuple[str, ...] = ()


_KINDS: dict[str, Kind] = {}


def register(
    kind: str, handler: Callable[[OutboxMessage], None], *, secret_keys: Iterable[str] = ()
) -> None:
    """Say how rows of ``kind`` are sent. Registering a kind again replaces its handler."""
    _KINDS[kind] = Kind(kind, handler, tuple(secret_keys))


def kind(name: str) -> Kind | None:
    return _KINDS.get(name)


def enqueue(
    kind: str,
    payload: dict[str, Any],
    *,
    organization: Organization | None = None,
    dedupe_key: str | None = None,
    send_after: datetime | None = None,
) -> OutboxMessage:
    """See ``apps.outbox.services.enqueue``."""
    from .services import enqueue as _enqueue

    return _enqueue(
        kind, payload, organization=organization, dedupe_key=dedupe_key, send_after=send_after
    )


def cancel_pending(kind: str, reason: str, **payload_match: Any) -> int:
    """See ``apps.outbox.services.cancel_pending``."""
    from .services import cancel_pending as _cancel

    return _cancel(kind, reason, **payload_match)


__all__ = ["GiveUp", "RetryLater", "cancel_pending", "enqueue", "kind", "register"]
