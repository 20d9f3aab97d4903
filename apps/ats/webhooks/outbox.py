"""Endpoints (create, rotate, disable, enable, delete) and domain events -> outbox rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Organization
from apps.interviews.events import EVENTS
from apps.interviews.models import Application, Candidate, CandidateSession
from apps.interviews.verdicts import application_summary

from ..models import WebhookDelivery, WebhookEndpoint
from . import tasks as webhook_tasks
from .addresses import UnsafeURL, check_url
from .signing import new_message_id, new_secret

Status = WebhookDelivery.Status


# -- endpoints --------------------------------------------------------------------------------


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
    """A new secret from now on; the one it replaces keeps verifying for a day
    (``WebhookEndpoint.PREVIOUS_SECRET_VALID``): until then every request, pending deliveries
    included, is signed with both, so the receiver can switch without losing a message. A second
    rotation within the day drops the oldest secret."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + WebhookEndpoint.PREVIOUS_SECRET_VALID
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
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


def _application_data(application: Application) -> dict[str, Any]:
    return {
        "id": application.pk,
        "candidate_id": application.candidate_id,
        "position_id": application.position_id,
        "state": application.state,
        "scored_at": _iso(application.scored_at),
        "result": application_summary(application.result),
    }


def _candidate_data(candidate: Candidate) -> dict[str, Any]:
    return {
        "id": candidate.pk,
        "name": candidate.name,
        "email": candidate.email,
        "external_ids": candidate.external_ids or {},
    }


def event_payload(event: str, obj: CandidateSession | Application | Candidate) -> dict[str, Any]:
    """The Standard Webhooks envelope: ``{"type", "timestamp", "data"}``."""
    if isinstance(obj, CandidateSession):
        data = _session_data(obj)
    elif isinstance(obj, Application):
        data = _application_data(obj)
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

    # A named function, not functools.partial: Django's robust handler logs the callback's
    # __qualname__, which a partial lacks, and its crash skipped every later hook.
    def send() -> None:
        # No publish retries (as apps.outbox.services.dispatch): with the broker down the
        # request answers now instead of waiting out kombu's retries; the sweep sends the row.
        webhook_tasks.deliver_webhook.apply_async((delivery_id,), retry=False)

    transaction.on_commit(send, robust=True)


def on_event(event: str, obj: CandidateSession | Application | Candidate) -> list[WebhookDelivery]:
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
