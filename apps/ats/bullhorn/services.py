"""Bullhorn connector services: the connection (save, connect, disable), the status
mappings, and what the other modules share (outbox kinds, settings, the subscription).
Candidates come in through ``inbound.py``; results go out through ``results.py``.

Rules kept here:

- Credentials and tokens are stored only encrypted (``apps.accounts.crypto``); a blank secret
  on the form keeps the stored one, and new credentials start a new session.
- An admin's disconnect deletes the credentials and tokens (the connection stays, disabled,
  with what it brought in); every save, disconnect and disable is an audit event.
- Connecting logs in with the full OAuth flow and subscribes to Candidate and JobSubmission
  INSERTED/UPDATED events; Bullhorn refusing the credentials disables the connection.
- A 401 that a fresh login cannot cure disables the connection and e-mails the org's admins
  once (outbox, kind "email"); the page shows a banner until an admin saves the credentials
  again, which re-queues every result not yet written.
- A mapping's status is unique per organization (case-insensitive, spaces collapsed) and
  points at one of the organization's positions.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps import outbox
from apps.accounts import crypto
from apps.accounts.models import Membership, Organization, Role
from apps.interviews.models import Position
from apps.interviews.services import invitations
from apps.outbox.email import PreparedEmail

from .. import trail
from ..models import (
    BullhornConnection,
    BullhornStatusMapping,
)
from .client import AuthDead, Client

logger = logging.getLogger(__name__)
Status = BullhornConnection.Status

CONNECT_KIND = "bullhorn.connect"
UNSUBSCRIBE_KIND = "bullhorn.unsubscribe"
POLL_KIND = "bullhorn.poll"
RESULT_KIND = "bullhorn.result"
SUBSCRIPTION_ENTITIES = "Candidate,JobSubmission"
SUBSCRIPTION_EVENTS = "INSERTED,UPDATED"
MAX_EVENTS = 100  # Bullhorn's documented maximum per request
BATCHES_PER_POLL = 5
POLL_LEASE = timedelta(minutes=5)
SUBMISSION_FIELDS = "id,status,candidate,jobOrder"
CANDIDATE_FIELDS = "id,firstName,lastName,email,phone"


# The settings an audit entry shows old and new values of (none is a secret).
AUDITED_SETTINGS = ("client_id", "username", "note_action")
# The credentials the disconnect's last call (the unsubscribe) carries in its outbox row.
UNSUBSCRIBE_SECRETS = ("client_secret_encrypted", "password_encrypted")
# Everything that lets InterviewBank call Bullhorn: deleted by a disconnect.
CREDENTIAL_FIELDS = (
    "client_secret_encrypted",
    "password_encrypted",
    "access_token_encrypted",
    "refresh_token_encrypted",
    "rest_token_encrypted",
)

MISSING_SECRET = "Enter the client secret Bullhorn gave you."  # noqa: S105 - a message
MISSING_PASSWORD = "Enter the API user's password."  # noqa: S105 - a message


def takehome_days() -> int:
    return int(getattr(settings, "BULLHORN_TAKEHOME_DAYS", 7))


def poll_seconds() -> int:
    return int(getattr(settings, "BULLHORN_POLL_SECONDS", 60))


# -- connection --------------------------------------------------------------------------------


@transaction.atomic
def connection_save(
    *,
    organization: Organization,
    client_id: str,
    username: str,
    note_action: str,
    client_secret: str = "",
    password: str = "",
    user=None,
    request=None,
) -> BullhornConnection:
    """Create or update the organization's connection and queue the login that checks it.

    A blank secret or password keeps the stored one (the page never shows them back); after a
    disconnect none is stored, so both are needed again. New credentials start a new session
    (old tokens are dropped) and re-enable a disabled connection; results that could not be
    written meanwhile are queued again. The audit log records who saved what
    (``bullhorn.connection_saved``: the settings changed, the names of the secrets replaced)."""
    connection = (
        BullhornConnection.objects.select_for_update().filter(organization=organization).first()
    )
    errors = {}
    if not client_secret and not (connection and connection.client_secret_encrypted):
        errors["client_secret"] = MISSING_SECRET
    if not password and not (connection and connection.password_encrypted):
        errors["password"] = MISSING_PASSWORD
    if errors:
        raise ValidationError(errors)
    before = trail.snapshot(connection, AUDITED_SETTINGS)
    connection = connection or BullhornConnection(organization=organization)
    connection.client_id = client_id.strip()
    connection.username = username.strip()
    connection.note_action = note_action.strip() or "Assessment"
    if client_secret:
        connection.client_secret_encrypted = crypto.encrypt(client_secret)
    if password:
        connection.password_encrypted = crypto.encrypt(password)
    connection.status = Status.PENDING
    connection.status_detail = "Logging in to Bullhorn…"
    connection.disabled_at = None
    connection.paused_until = None
    for name in ("oauth_url", "login_rest_url", "rest_url"):
        setattr(connection, name, "")
    for name in ("access_token_encrypted", "refresh_token_encrypted", "rest_token_encrypted"):
        setattr(connection, name, "")
    connection.access_expires_at = connection.rest_token_expires_at = None
    connection.full_clean(exclude=["organization"])
    connection.save()
    trail.connection_saved(
        partner="bullhorn",
        connection=connection,
        before=before,
        replaced=[n for n, v in (("client_secret", client_secret), ("password", password)) if v],
        user=user,
        request=request,
    )
    outbox.enqueue(CONNECT_KIND, {"connection_id": connection.pk}, organization=organization)
    return connection


@transaction.atomic
def connection_disconnect(*, connection: BullhornConnection, user, request=None) -> None:
    """Stop using the organization's Bullhorn: the stored credentials and tokens are deleted
    (nothing can call Bullhorn any more: polls, logins and result writes stop), except one last
    call that removes our event subscription (``connection_unsubscribe``); the mappings,
    events, calls and candidates already brought in stay. Entering the credentials again
    reconnects and writes the results missed meanwhile."""
    now = timezone.now()
    if connection.subscription_id and connection.has_credentials:
        # The last call: remove our event subscription from Bullhorn. The credentials travel,
        # encrypted, in that outbox row only (secret payload keys, blanked once it is sent).
        outbox.enqueue(
            UNSUBSCRIBE_KIND,
            {
                "connection_id": connection.pk,
                **{name: getattr(connection, name) for name in UNSUBSCRIBE_SECRETS},
            },
            organization=connection.organization,
        )
    BullhornConnection.objects.filter(pk=connection.pk).update(
        status=Status.DISABLED,
        status_detail=f"Disconnected by {getattr(user, 'email', '') or 'an admin'}.",
        disabled_at=now,
        paused_until=None,
        polling_until=None,
        pending_request_id=None,
        **dict.fromkeys(CREDENTIAL_FIELDS, ""),
        access_expires_at=None,
        rest_token_expires_at=None,
        updated_at=now,
    )
    trail.connection_event(
        partner="bullhorn", connection=connection, what="disconnected", user=user, request=request
    )


def connection_connect(*, connection_id: int) -> BullhornConnection | None:
    """Log in with the stored credentials and subscribe to events; the connection is then
    active (or disabled, when Bullhorn refuses the credentials)."""
    connection = BullhornConnection.objects.filter(pk=connection_id).first()
    if connection is None or not connection.has_credentials:
        return connection  # disconnected after the login was queued
    client = Client(connection)
    try:
        client.log_in(full=True)
        subscribe(client)
    except AuthDead as exc:
        connection_disable(connection=client.connection, reason=str(exc))
        return client.connection
    BullhornConnection.objects.filter(pk=connection.pk).update(
        status=Status.ACTIVE, status_detail="", updated_at=timezone.now()
    )
    from .results import results_requeue  # results imports this module

    results_requeue(connection.organization_id)
    connection.refresh_from_db()
    return connection


def connection_unsubscribe(*, connection_id: int, secrets: dict[str, str]) -> str:
    """The disconnect's last call: log in with the credentials the outbox row carried (kept in
    memory only: the client never stores tokens on a disconnected connection) and delete our
    event subscription. Nothing to do once the connection is connected again."""
    connection = BullhornConnection.objects.filter(pk=connection_id).first()
    if connection is None or connection.has_credentials or not connection.subscription_id:
        return "nothing to unsubscribe"
    if not all(secrets.get(name) for name in UNSUBSCRIBE_SECRETS):
        return "no credentials to unsubscribe with"
    for name in UNSUBSCRIBE_SECRETS:
        setattr(connection, name, secrets[name])
    client = Client(connection)
    client.log_in(full=True)
    client.delete(f"event/subscription/{connection.subscription_id}")
    BullhornConnection.objects.filter(
        pk=connection.pk, subscription_id=connection.subscription_id
    ).update(subscription_id="", subscribed_at=None)
    return "unsubscribed"


def subscription_id_for(connection: BullhornConnection) -> str:
    return connection.subscription_id or f"interviewbank-{connection.organization_id}"


def subscribe(client: Client) -> None:
    connection = client.connection
    sub_id = subscription_id_for(connection)
    client.put(
        f"event/subscription/{sub_id}",
        type="entity",
        names=SUBSCRIPTION_ENTITIES,
        eventTypes=SUBSCRIPTION_EVENTS,
    )
    BullhornConnection.objects.filter(pk=connection.pk).update(
        subscription_id=sub_id, subscribed_at=timezone.now()
    )
    connection.subscription_id, connection.subscribed_at = sub_id, timezone.now()


def admin_emails(organization_id: int) -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(organization_id=organization_id, role=Role.ADMIN)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


@transaction.atomic
def connection_disable(*, connection: BullhornConnection, reason: str) -> bool:
    """Stop calling Bullhorn with credentials it refuses, and tell the org's admins once (an
    e-mail through the outbox). False when the connection was already disabled."""
    now = timezone.now()
    changed = (
        BullhornConnection.objects.filter(pk=connection.pk)
        .exclude(status=Status.DISABLED)
        .update(status=Status.DISABLED, status_detail=reason[:2000], disabled_at=now)
    )
    if not changed:
        return False
    trail.connection_event(
        partner="bullhorn", connection=connection, what="disabled", reason=reason[:500]
    )
    recipients = admin_emails(connection.organization_id)
    if recipients:
        page = settings.SITE_URL + reverse("bullhorn:connection")
        email = PreparedEmail(
            to=recipients,
            subject="Bullhorn connection disabled",
            body=(
                "InterviewBank can no longer log in to your Bullhorn and has stopped calling "
                f"it.\n\nBullhorn said: {reason}\n\nCandidates are not brought in and results "
                "are not written back until an admin enters the credentials again on "
                f"{page}\n"
            ),
        )
        outbox.enqueue(
            "email",
            email.payload(),
            organization=connection.organization,
            dedupe_key=f"bullhorn-disabled:{connection.pk}:{int(now.timestamp())}",
        )
    logger.warning("Bullhorn connection %s disabled: %s", connection.pk, reason)
    return True


# -- mappings ----------------------------------------------------------------------------------


def mapping_create(
    *, organization: Organization, status: str, position: Position, send_takehome: bool
) -> BullhornStatusMapping:
    status = " ".join(status.split())
    if position.organization_id != organization.pk:
        raise ValidationError({"position": "Choose one of your positions."})
    if not status:
        raise ValidationError({"status": "Enter the Bullhorn status text."})
    if BullhornStatusMapping.objects.filter(
        organization=organization, status__iexact=status
    ).exists():
        raise ValidationError({"status": f"The status “{status}” is already mapped."})
    if send_takehome and not invitations.takehome_questions(position):
        raise ValidationError(
            {"send_takehome": "This position's kit has no written or scenario questions."}
        )
    mapping = BullhornStatusMapping(
        organization=organization, status=status, position=position, send_takehome=send_takehome
    )
    mapping.full_clean(exclude=["organization", "position"])
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:
        raise ValidationError({"status": f"The status “{status}” is already mapped."}) from None
    return mapping


def mapping_for(organization_id: int, status: str | None) -> BullhornStatusMapping | None:
    if not status:
        return None
    return (
        BullhornStatusMapping.objects.filter(
            organization_id=organization_id, status__iexact=" ".join(str(status).split())
        )
        .select_related("position__organization")
        .first()
    )


def as_id(value) -> int | None:
    if isinstance(value, dict):
        value = value.get("id")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
