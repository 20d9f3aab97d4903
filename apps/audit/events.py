"""Audit events that are not a model change: data exports, erasures, report downloads.

Model changes are recorded by django-auditlog (apps.audit registers the models). This module
records the rest in the same log, so an organization's history is one list.

Rules it keeps: an event always belongs to an organization (its target defaults to the
organization itself); its name is a short dotted word ("candidate.exported"); its detail is
JSON and must carry no personal data of an erased candidate. ``scrub`` keeps every entry
(who did what, when) and replaces only the erased values.
"""

from __future__ import annotations

import json
import re
from typing import Any

from auditlog.cid import get_cid
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

ERASED = "[erased]"
EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_SCRUB_BATCH = 500


def remote_addr_of(request) -> str | None:
    """The client's address as the project knows it: REMOTE_ADDR, which a trusted proxy sets
    (X-Forwarded-For from the client is not believed: anyone can write it)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
    from .models import AuditEntry
    from .registry import log_key_for, scope_for

    if organization is None:
        raise ValueError("An audit event belongs to an organization.")
    if not EVENT_NAME.match(action or ""):
        raise ValueError(f"Audit event names are dotted lower-case words, got {action!r}.")
    if detail is not None:
        json.dumps(detail)  # TypeError now, naming the value, rather than at save
    target = organization if target is None else target
    key = log_key_for(target)
    pk = target.pk
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    AuditEntry.objects.create(
        organization=organization,
        actor=actor if is_user else None,
        actor_email=getattr(actor, "email", None) if is_user else None,
        action=AuditEntry.Action.EVENT,
        event=action,
        content_type=ContentType.objects.get_for_model(target),
        object_pk=key,
        object_id=pk if isinstance(pk, int) and key == str(pk) else None,
        object_repr=str(target)[:500],
        scope=scope_for(target),
        additional_data=detail or None,
        remote_addr=remote_addr_of(request),
        cid=get_cid(),
    )


def erasing_pattern(strings) -> re.Pattern | None:
    """One case-insensitive pattern matching any of ``strings`` (longest first, so a name inside
    an e-mail goes with the e-mail), or None when there is nothing to look for. The one rule
    for finding a person's identifiers in free text: the audit log's scrub and apps.privacy's
    erasure both use it."""
    needles = sorted({s.strip() for s in strings if s and s.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in needles), re.IGNORECASE) if needles else None


def scrub_value(value: Any, pattern: re.Pattern | None) -> Any:
    """``value`` (text, or JSON of lists and dicts) with every match of ``pattern`` replaced by
    "[erased]"; dict keys (field names) are kept."""
    return _scrub_value(value, pattern, False)


def _scrub_value(value: Any, pattern: re.Pattern | None, erase_all: bool) -> Any:
    """``value`` with every match of ``pattern`` replaced, or (``erase_all``) every value,
    keeping the JSON's shape: keys, and the kind of an m2m change, stay readable."""
    if isinstance(value, str):
        if erase_all:
            return ERASED if value else value
        return pattern.sub(ERASED, value) if pattern is not None else value
    if isinstance(value, list):
        return [_scrub_value(v, pattern, erase_all) for v in value]
    if isinstance(value, dict):
        if value.get("type") == "m2m":
            return {**value, "objects": _scrub_value(value.get("objects"), pattern, erase_all)}
        return {k: _scrub_value(v, pattern, erase_all) for k, v in value.items()}
    return ERASED if erase_all and value is not None else value


# Every text an entry holds, as PostgreSQL writes it: jsonb as JSON text (non-ASCII characters
# as they are; only '"', '\\' and control characters escaped).
_COULD_NAME_SQL = (
    "concat_ws(' ', object_repr, changes::text, changes_text, serialized_data::text, "
    "additional_data::text) ILIKE ANY(%s)"
)
# ASCII letters that re.IGNORECASE also matches with a non-ASCII character (i: U+0130 and
# U+0131, k: U+212A the Kelvin sign, s: U+017F the long s): ILIKE would not, so they become a
# wildcard.
_FOLDS_BEYOND_ASCII = frozenset("iksIKS")


def _like_patterns(strings) -> list[str]:
    """ILIKE patterns that match wherever ``erasing_pattern(strings)`` can (and more): each
    character that ILIKE could compare differently from the pattern becomes ``_`` (any one
    character: non-ASCII ones, whose case ILIKE may fold otherwise, LIKE's own ``%`` and
    ``_``, and the letters above), and each that JSON text escapes into two characters or
    more (``"``, ``\\``, control characters) becomes ``%``."""
    out = []
    for needle in {s.strip() for s in strings if s and s.strip()}:
        chars = []
        for char in needle:
            if char in '"\\' or ord(char) < 32:
                chars.append("%")
            elif ord(char) > 126 or char in "%_" or char in _FOLDS_BEYOND_ASCII:
                chars.append("_")
            else:
                chars.append(char)
        out.append(f"%{''.join(chars)}%")
    return sorted(out)


def scrub(
    *, organization, strings: list[str], objects: list[Any] | None = None, narrow: bool = True
) -> int:
    """Erasure support: remove every occurrence of `strings` (a candidate's name, e-mail, phone,
    answer texts...) from the organization's audit history, and the changed values recorded for
    `objects`, keeping the entries themselves (who did what, when) with the values replaced by
    "[erased]". Returns how many entries changed.

    Call it last in the erasure's transaction: the erasure's own saves and deletes are logged
    too, with the values they had. Strings match case-insensitively. On PostgreSQL the database
    first narrows the entries to those whose text could hold one of the strings (``_could_name``,
    a superset of what the pattern matches), so an erasure reads a handful of rows rather than
    the organization's whole history; elsewhere every entry is read, in batches. Either way the
    pattern, in Python, decides what is replaced. ``narrow=False`` reads every entry anyway
    (bench/erasure.py measures both)."""
    from .models import AuditEntry
    from .registry import log_key_for

    pattern = erasing_pattern(strings)
    whole = Q(pk__in=[])
    for obj in objects or []:
        whole |= Q(content_type=ContentType.objects.get_for_model(obj), object_pk=log_key_for(obj))
    if pattern is None and not objects:
        return 0
    fields = ["object_repr", "changes", "changes_text", "serialized_data", "additional_data"]
    changed = 0
    with transaction.atomic():
        entries = AuditEntry.objects.filter(organization=organization).only("pk", *fields)
        erase_ids = set(entries.filter(whole).values_list("pk", flat=True)) if objects else set()
        if pattern is None:
            entries = entries.filter(pk__in=erase_ids)
        elif narrow and connection.vendor == "postgresql":
            entries = entries.alias(
                # A constant SQL text; the patterns are a bound parameter.
                could_name=RawSQL(  # noqa: S611
                    _COULD_NAME_SQL, [_like_patterns(strings)], BooleanField()
                )
            ).filter(Q(could_name=True) | Q(pk__in=erase_ids))
        last_pk = 0
        while True:
            # Keyset batches, no open cursor: rows are rewritten while the scan goes on.
            page = list(entries.filter(pk__gt=last_pk).order_by("pk")[:_SCRUB_BATCH])
            if not page:
                break
            last_pk = page[-1].pk
            dirty = []
            for entry in page:
                erase_all = entry.pk in erase_ids
                before = [getattr(entry, f) for f in fields]
                entry.object_repr = _scrub_value(entry.object_repr, pattern, erase_all)
                entry.changes = _scrub_value(entry.changes, pattern, erase_all)
                entry.changes_text = _scrub_value(entry.changes_text, pattern, erase_all)
                entry.serialized_data = (
                    None if erase_all else _scrub_value(entry.serialized_data, pattern, False)
                )
                entry.additional_data = _scrub_value(entry.additional_data, pattern, False)
                if [getattr(entry, f) for f in fields] != before:
                    dirty.append(entry)
            if dirty:
                AuditEntry.objects.bulk_update(dirty, fields)
                changed += len(dirty)
    return changed
