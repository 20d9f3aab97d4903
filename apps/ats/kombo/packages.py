"""Our assessment packages on Kombo: one per take-home stage of an organization's positions.

Kombo's ``PUT /assessment/packages`` replaces the whole list (packages left out are marked
deleted), so every publish sends all of the organization's packages as they are at send time.
A plan change (a position or one of its stages saved or deleted) writes one outbox row per
connection and time window (``dedupe_key`` ``kombo-packages:<connection>:<window>``, sent when
the window closes), so fifty edits in a minute publish once, with the last state.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from apps import outbox
from apps.interviews.models import Position, PositionStage

from ..models import KomboConnection
from . import client
from .schemas import PackagesBody

KIND = "kombo.packages"
PACKAGE_PREFIX = "ib-stage-"
# Edits closer together than this publish once. A few seconds' margin after the window closes
# lets a transaction that started inside it commit before the row reads the plans.
WINDOW_SECONDS = 60
MARGIN_SECONDS = 5


def window_seconds() -> int:
    return int(getattr(settings, "KOMBO_PUBLISH_WINDOW_SECONDS", WINDOW_SECONDS))


def package_id(stage: PositionStage) -> str:
    return f"{PACKAGE_PREFIX}{stage.pk}"


def stage_pk(package: str) -> int | None:
    """The stage a package id we published names, or None for any other string."""
    rest = package.removeprefix(PACKAGE_PREFIX)
    if rest == package or not rest.isdigit() or len(rest) > 18:
        return None
    return int(rest)


def package_name(stage: PositionStage) -> str:
    """The name the hiring client sees in its ATS: the role, the client, the stage."""
    position = stage.position
    return f"{position.title} ({position.client_company}): {stage.name}"


def takehome_stages(organization_id: int) -> list[PositionStage]:
    return list(
        PositionStage.objects.filter(
            position__organization_id=organization_id, mode=PositionStage.Mode.TAKE_HOME
        )
        .select_related("position", "kit")
        .order_by("position__title", "position_id", "order", "pk")
    )


def packages_body(organization_id: int) -> dict:
    packages = []
    for stage in takehome_stages(organization_id):
        minutes = stage.expected_minutes
        description = f"Written take-home: {stage.kit.name}" + (
            f", about {minutes} minutes." if minutes else "."
        )
        packages.append(
            {
                "id": package_id(stage),
                "type": "SKILLS_TEST",
                "name": package_name(stage),
                "description": description,
            }
        )
    return PackagesBody.model_validate({"packages": packages}).model_dump(mode="json")


def publish_now(connection: KomboConnection) -> None:
    """Publish at once (a connection just saved, or the admin's button)."""
    outbox.enqueue(KIND, {"connection_id": connection.pk}, organization=connection.organization)


def publish_soon(*, organization_id: int) -> None:
    """One publish at the end of the current window, however many edits come before it."""
    connection = (
        KomboConnection.objects.filter(organization_id=organization_id)
        .select_related("organization")
        .first()
    )
    if connection is None or not connection.has_credentials:
        return
    window = window_seconds()
    bucket = int(timezone.now().timestamp() // window) + 1
    outbox.enqueue(
        KIND,
        {"connection_id": connection.pk},
        organization=connection.organization,
        dedupe_key=f"kombo-packages:{connection.pk}:{bucket}",
        send_after=datetime.fromtimestamp(bucket * window + MARGIN_SECONDS, tz=UTC),
    )


def _connection_of(message) -> KomboConnection:
    """The connection an outbox row names (GiveUp when it was removed)."""
    connection = (
        KomboConnection.objects.filter(pk=message.payload["connection_id"])
        .select_related("organization")
        .first()
    )
    if connection is None:
        raise outbox.GiveUp("the Kombo connection was removed")
    return connection


def send(message) -> None:
    """The outbox handler: PUT the organization's packages as they are now."""
    connection = _connection_of(message)
    body = packages_body(connection.organization_id)
    try:
        client.put_packages(connection, body)
    except outbox.GiveUp as exc:
        KomboConnection.objects.filter(pk=connection.pk).update(last_error=str(exc)[:2000])
        raise
    KomboConnection.objects.filter(pk=connection.pk).update(
        packages_published_at=timezone.now(),
        packages_published=len(body["packages"]),
        last_error="",
    )


# -- plan changes -----------------------------------------------------------------------------
# The interviews app announces no "plan changed" event, so model signals stand in for one: they
# run inside the save's transaction, so the outbox row commits (or rolls back) with the edit.


def _part_of_a_plan_edit(kwargs: dict) -> bool:
    """A delete counts only when a position or stage was deleted, not when it goes with a
    deleted organization (or anything else): that cascade must not write new rows."""
    origin = kwargs.get("origin")
    if origin is None:  # a save
        return True
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model in (Position, PositionStage)


def _position_changed(sender, instance: Position, **kwargs) -> None:
    if _part_of_a_plan_edit(kwargs):
        publish_soon(organization_id=instance.organization_id)


def _stage_changed(sender, instance: PositionStage, **kwargs) -> None:
    if not _part_of_a_plan_edit(kwargs):
        return
    connection = (
        KomboConnection.objects.filter(organization__positions=instance.position_id)
        .values_list("organization_id", flat=True)
        .first()
    )
    if connection is not None:
        publish_soon(organization_id=connection)


def watch_plans() -> None:
    post_save.connect(_position_changed, sender=Position, dispatch_uid="kombo-position-saved")
    post_delete.connect(_position_changed, sender=Position, dispatch_uid="kombo-position-deleted")
    post_save.connect(_stage_changed, sender=PositionStage, dispatch_uid="kombo-stage-saved")
    post_delete.connect(_stage_changed, sender=PositionStage, dispatch_uid="kombo-stage-deleted")


UNPUBLISH_KIND = "kombo.unpublish"
#: The payload key holding the (encrypted) API key the disconnect took off the connection:
#: blanked by the outbox once the row is sent or failed.
UNPUBLISH_SECRET = "api_key_encrypted"  # noqa: S105 - a payload key, not a secret


def unpublish_on_disconnect(connection: KomboConnection) -> None:
    """Queue the disconnect's last call: the package list emptied in the client's ATS, so its
    recruiters cannot order a take-home that nobody would receive. The key travels in the
    outbox row (encrypted), the only place it is still kept, until that row is sent."""
    outbox.cancel_pending(KIND, "Kombo was disconnected", connection_id=connection.pk)
    outbox.enqueue(
        UNPUBLISH_KIND,
        {"connection_id": connection.pk, UNPUBLISH_SECRET: connection.api_key_encrypted},
        organization=connection.organization,
    )


def unpublish(message) -> None:
    """The outbox handler: PUT an empty package list with the key the row carries."""
    connection = _connection_of(message)
    if connection.has_credentials:
        raise outbox.GiveUp("Kombo was connected again: its packages are published anew")
    key = (message.payload or {}).get(UNPUBLISH_SECRET) or ""
    if not key:
        raise outbox.GiveUp("no key to unpublish with")
    client.put_packages(connection, {"packages": []}, key_encrypted=key)
