"""Audit events of an organization's partner connections (Bullhorn, Kombo), in the audit log
(apps.audit.events): who saved a connection and what changed, who disconnected it, and when a
partner's refusal disabled it.

The connection rows themselves are not tracked field by field: most of their saves are
bookkeeping (polls, tokens, publish times) and their secrets never reach the log. An event
names the secrets that were replaced, never their values.
"""

from __future__ import annotations

from typing import Any

from apps.audit import events


def snapshot(connection, fields: tuple[str, ...]) -> dict[str, Any]:
    """The non-secret settings of ``connection`` before a save (empty for a new one)."""
    if connection is None or connection.pk is None:
        return {}
    return {name: getattr(connection, name) for name in fields}


def connection_saved(
    *, partner: str, connection, before: dict[str, Any], replaced: list[str], user, request=None
) -> None:
    """``<partner>.connection_saved``: created or not, the settings that changed (old and new
    values: they are not secrets) and the names of the secrets replaced."""
    changed = {
        name: [old, getattr(connection, name)]
        for name, old in before.items()
        if getattr(connection, name) != old
    }
    events.record(
        organization=connection.organization,
        actor=user,
        action=f"{partner}.connection_saved",
        detail={"created": not before, "changed": changed, "secrets_replaced": sorted(replaced)},
        request=request,
    )


def connection_event(
    *, partner: str, connection, what: str, user=None, request=None, **detail: Any
) -> None:
    """``<partner>.<what>`` (``disconnected``, ``disabled``): by ``user``, or by the system."""
    events.record(
        organization=connection.organization,
        actor=user,
        action=f"{partner}.{what}",
        detail=detail or None,
        request=request,
    )
