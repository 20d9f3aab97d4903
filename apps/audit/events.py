"""Audit events that are not a model change: data exports, erasures, report downloads.

Model changes are recorded by django-auditlog (apps.audit registers the models). This module
records the rest in the same log, so an organization's history is one list.
"""

from __future__ import annotations

from typing import Any


def record(
    *,
    organization,
    actor,
    action: str,
    target: Any = None,
    detail: dict[str, Any] | None = None,
    request=None,
) -> None:
    """Record that `actor` (a user, or None for the system) did `action` (a short dotted name,
    e.g. "candidate.exported", "candidate.erased") in `organization`, on `target` (a model
    instance or None), with `detail` (JSON-able, no personal data of an erased candidate).
    `request` gives the remote address when there is one."""
    # Stub until the audit trail lands (helper A replaces this body).
    return None


def scrub(*, organization, strings: list[str], objects: list[Any] | None = None) -> int:
    """Erasure support: remove every occurrence of `strings` (a candidate's name, e-mail, phone,
    answer texts...) from the organization's audit history, and the changed values recorded for
    `objects`, keeping the entries themselves (who did what, when) with the values replaced by
    "[erased]". Returns how many entries changed."""
    # Stub until the audit trail lands (helper A replaces this body).
    return 0
