"""Kombo connection and orders: saving the keys, checking a webhook's signature, storing an
order once, and carrying it out (candidate, application, take-home invitation) or cancelling it.

Signature (docs.kombo.dev/webhooks, "Validate the data"): every webhook POST carries
``X-Kombo-Signature``, the HMAC-SHA256 of the raw request body keyed with the Kombo webhook
secret, digested as base64url without '=' padding. Kombo documents no timestamp header and no
tolerance window, so replays are made harmless instead: an order id is stored once per
organization (unique constraint) and each action on it is an outbox row with a dedupe key.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps import outbox
from apps.accounts import crypto
from apps.accounts.models import Organization
from apps.interviews import services as interviews
from apps.interviews.models import CandidateSession, Invitation, PositionStage
from apps.interviews.services import invitations

from .. import trail
from ..models import KomboConnection, KomboOrder
from . import packages
from .schemas import OrderReceived

logger = logging.getLogger(__name__)
ORDER_KIND = "kombo.order"
SIGNATURE_HEADER = "X-Kombo-Signature"
CLOSED = ("CANCELLED", "REJECTED")


def test_days() -> int:
    return int(getattr(settings, "KOMBO_TEST_DAYS", 7))


# -- connection -------------------------------------------------------------------------------


@transaction.atomic
def connection_save(
    *,
    organization: Organization,
    integration_id: str,
    region: str,
    api_key: str = "",
    webhook_secret: str = "",
    user=None,
    request=None,
) -> KomboConnection:
    """Create or update the organization's connection. A blank key or secret keeps the stored
    one (they are never shown again); a new connection needs both. Publishes the packages. The
    audit log records who saved what (``kombo.connection_saved``: the settings changed, the
    names of the secrets replaced)."""
    connection = (
        KomboConnection.objects.select_for_update().filter(organization=organization).first()
    )
    before = trail.snapshot(connection, ("integration_id", "region"))
    errors = {}
    if not api_key and not (connection and connection.api_key_encrypted):
        errors["api_key"] = "Enter the Kombo API key."
    if not webhook_secret and not (connection and connection.webhook_secret_encrypted):
        errors["webhook_secret"] = "Enter the Kombo webhook secret."  # noqa: S105 - a message
    if errors:
        raise ValidationError(errors)
    reconnecting = connection is not None and not connection.has_credentials
    connection = connection or KomboConnection(organization=organization, created_by=user)
    if reconnecting:
        connection.last_error = ""  # "Disconnected by ..."
    connection.integration_id = integration_id.strip()
    connection.region = region
    if api_key:
        connection.api_key_encrypted = crypto.encrypt(api_key.strip())
    if webhook_secret:
        connection.webhook_secret_encrypted = crypto.encrypt(webhook_secret.strip())
    connection.full_clean(exclude=["api_key_encrypted", "webhook_secret_encrypted"])
    connection.save()
    trail.connection_saved(
        partner="kombo",
        connection=connection,
        before=before,
        replaced=[n for n, v in (("api_key", api_key), ("webhook_secret", webhook_secret)) if v],
        user=user,
        request=request,
    )
    packages.publish_now(connection)
    if reconnecting:
        results_requeue(connection)
    return connection


def results_requeue(connection: KomboConnection) -> int:
    """After a reconnect: one result PUT for every order whose take-home was submitted or
    scored (each built from the state at send time), so what happened while disconnected
    reaches the ATS. Returns how many were queued."""
    from .results import KIND as RESULT_KIND  # results imports client, which imports models

    Session = CandidateSession.Status
    orders = KomboOrder.objects.filter(
        connection=connection,
        status=KomboOrder.Status.CREATED,
        session__status__in=(Session.SUBMITTED, Session.SCORED),
    )
    count = 0
    for order_id in orders.values_list("pk", flat=True):
        outbox.enqueue(RESULT_KIND, {"order_id": order_id}, organization=connection.organization)
        count += 1
    return count


@transaction.atomic
def connection_disconnect(*, connection: KomboConnection, user, request=None) -> None:
    """Stop using Kombo: the stored API key and webhook secret are deleted, so nothing calls
    Kombo (packages, order sync, results) and the webhook URL answers 404; one last call empties
    the package list in the client's ATS (``packages.unpublish_on_disconnect``). The orders and
    what they made stay; entering the key and secret again reconnects (same webhook URL) and
    sends the results of the take-homes submitted or scored meanwhile."""
    who = getattr(user, "email", "") or "an admin"
    packages.unpublish_on_disconnect(connection)
    KomboConnection.objects.filter(pk=connection.pk).update(
        api_key_encrypted="",
        webhook_secret_encrypted="",
        last_error=f"Disconnected by {who}.",
        updated_at=timezone.now(),
    )
    trail.connection_event(
        partner="kombo", connection=connection, what="disconnected", user=user, request=request
    )


# -- the webhook ------------------------------------------------------------------------------


def expected_signature(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signature_valid(connection: KomboConnection, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    try:
        secret = crypto.decrypt(connection.webhook_secret_encrypted)
    except crypto.InvalidToken:
        logger.warning("Kombo connection %s: the webhook secret no longer decrypts", connection.pk)
        return False
    return hmac.compare_digest(expected_signature(secret, body), signature.strip().rstrip("="))


@dataclass(frozen=True)
class Received:
    order: KomboOrder
    created: bool


@transaction.atomic
def order_receive(*, connection: KomboConnection, event: OrderReceived) -> Received:
    """Store the order once (the same order id again finds the stored row) and queue the work:
    an open order is carried out, a cancelled or rejected one cancels what it made. Fast: the
    candidate, application and invitation are made by the outbox task."""
    data = event.data
    fields = {
        "organization_id": connection.organization_id,
        "connection": connection,
        "kombo_order_id": data.id,
        "package_id": data.package_id,
        "kombo_status": data.status,
        "payload": event.model_dump(mode="json"),
        "status": KomboOrder.Status.CANCELLED
        if data.status in CLOSED
        else KomboOrder.Status.RECEIVED,
    }
    try:
        with transaction.atomic():
            order = KomboOrder.objects.create(**fields)
        created = True
    except IntegrityError:
        order = KomboOrder.objects.select_for_update().get(
            organization_id=connection.organization_id, kombo_order_id=data.id
        )
        created = False
    if created and data.status == "OPEN":
        outbox.enqueue(
            ORDER_KIND,
            {"order_id": order.pk, "action": "create"},
            organization=connection.organization,
            dedupe_key=f"kombo-order:{order.pk}:create",
        )
    elif not created and data.status in CLOSED:
        order_closed(order=order, kombo_status=data.status)
    return Received(order, created)


def order_closed(*, order: KomboOrder, kombo_status: str) -> bool:
    """Kombo says the order is cancelled or rejected (a webhook, or ``sync``): queue the
    cancellation once. False when it was already known."""
    if order.kombo_status in CLOSED:
        return False
    KomboOrder.objects.filter(pk=order.pk).update(kombo_status=kombo_status)
    order.kombo_status = kombo_status
    outbox.enqueue(
        ORDER_KIND,
        {"order_id": order.pk, "action": "cancel"},
        organization=order.organization,
        dedupe_key=f"kombo-order:{order.pk}:cancel",
    )
    return True


# -- the outbox task --------------------------------------------------------------------------


def _stage_for(order: KomboOrder) -> PositionStage | None:
    pk = packages.stage_pk(order.package_id)
    if pk is None:
        return None
    return (
        PositionStage.objects.filter(
            pk=pk,
            position__organization_id=order.organization_id,
            mode=PositionStage.Mode.TAKE_HOME,
        )
        .select_related("position__organization", "kit")
        .first()
    )


def _candidate_for(order: KomboOrder, data: dict):
    organization = order.organization
    email = data["email"].strip()
    name = " ".join(
        part.strip() for part in (data.get("first_name"), data.get("last_name")) if part
    )
    candidate = interviews.candidate_duplicate(organization=organization, email=email)
    if candidate is None:
        try:
            with transaction.atomic():
                candidate = interviews.candidate_create(
                    organization=organization,
                    name=name or email,
                    email=email,
                    phone=data.get("phone") or "",
                )
        except (IntegrityError, ValidationError):
            # Made a moment ago by another order for the same person: use that one.
            candidate = interviews.candidate_duplicate(organization=organization, email=email)
            if candidate is None:
                raise
    if data.get("remote_id"):
        with contextlib.suppress(ValidationError):  # the first remote id stays
            interviews.candidate_link_external(
                candidate=candidate, ats="kombo", external_id=str(data["remote_id"])
            )
    return candidate


def _fail(order: KomboOrder, reason: str) -> None:
    KomboOrder.objects.filter(pk=order.pk).update(
        status=KomboOrder.Status.FAILED, error=reason[:2000], processed_at=timezone.now()
    )
    logger.warning("Kombo order %s failed: %s", order.kombo_order_id, reason)


@transaction.atomic
def order_carry_out(*, order_id: int) -> KomboOrder | None:
    """Make the order's candidate (or find them by e-mail), the application and the take-home
    invitation of the ordered stage, once: the order row is locked and only a ``received``
    order is carried out. A package that is not one of this organization's take-home stages,
    or a stage the invitation rules refuse, fails the order with the reason (shown to admins)."""
    order = (
        KomboOrder.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk=order_id)
        .first()
    )
    if order is None or order.status != KomboOrder.Status.RECEIVED:
        return order
    stage = _stage_for(order)
    if stage is None:
        _fail(order, f"Package {order.package_id!r} is not one of our take-home stages.")
        return order
    data = order.payload["data"]
    try:
        with transaction.atomic():
            candidate = _candidate_for(order, data["candidate"])
            created = invitations.invitation_create(
                position=stage.position,
                candidate=candidate,
                stage=stage,
                expires_at=timezone.now() + timedelta(days=test_days()),
                email=data["candidate"]["email"].strip(),
            )
    except ValidationError as exc:
        _fail(order, "; ".join(exc.messages))
        return order
    KomboOrder.objects.filter(pk=order.pk).update(
        session=created.invitation.session,
        stage=stage,
        status=KomboOrder.Status.CREATED,
        processed_at=timezone.now(),
        error="",
    )
    order.refresh_from_db()
    return order


@transaction.atomic
def order_cancel(*, order_id: int) -> KomboOrder | None:
    """Kombo cancelled or rejected the order: revoke its invitation (the existing revoke rule:
    a submitted take-home stays submitted) and mark the order cancelled."""
    order = KomboOrder.objects.select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        return None
    invitation = None
    if order.session_id is not None:
        invitation = Invitation.objects.filter(session_id=order.session_id).first()
    if invitation is not None:
        invitations.invitation_revoke(invitation=invitation)
    KomboOrder.objects.filter(pk=order.pk).update(
        status=KomboOrder.Status.CANCELLED, processed_at=timezone.now()
    )
    order.refresh_from_db()
    return order


def order_send(message) -> None:
    """The outbox handler of ``kombo.order`` rows."""
    action = message.payload.get("action")
    if action == "create":
        order_carry_out(order_id=message.payload["order_id"])
    elif action == "cancel":
        order_cancel(order_id=message.payload["order_id"])
    else:
        raise outbox.GiveUp(f"unknown Kombo order action {action!r}")
