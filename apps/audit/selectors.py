"""Reads of the audit trail, always for one organization, and the rows the pages show.

Rules it keeps: every query starts from ``entries_for(organization)``; a page costs a constant
number of queries whatever it lists (entries come with their actor and content type, and the
people named in changed values are fetched in one query for the whole page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.urls import reverse

from .models import AuditEntry
from .registry import model_for_slug, tracked_for

# Long texts (a job description) are cut on the page; the entry keeps them whole.
MAX_VALUE = 300
NONE_VALUES = {None, "None", ""}
PAST = {
    AuditEntry.Action.CREATE: "created",
    AuditEntry.Action.UPDATE: "changed",
    AuditEntry.Action.DELETE: "deleted",
    AuditEntry.Action.ACCESS: "viewed",
}


def entries_for(organization) -> QuerySet[AuditEntry]:
    """The organization's history, newest first."""
    return (
        AuditEntry.objects.filter(organization=organization)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def history_of(organization, model: type[Model], key: str) -> QuerySet[AuditEntry]:
    """One object's history in the organization: its own entries and, for an object that
    others hang off (a kit, a session), theirs too."""
    entries = entries_for(organization)
    entry = tracked_for(model)
    if entry is not None and entry.parent is None:
        return entries.filter(scope=f"{model._meta.model_name}:{key}")
    from django.contrib.contenttypes.models import ContentType

    return entries.filter(content_type=ContentType.objects.get_for_model(model), object_pk=key)


def object_in_organization(organization, model: type[Model], key: str) -> Model | None:
    """The tracked object ``key`` names, if it is this organization's; None otherwise
    (another tenant's, a shipped row, gone, or a key that is not one)."""
    from .registry import org_filter

    entry = tracked_for(model)
    if entry is None:
        return None
    lookup = {entry.log_key or "pk": key}
    try:
        return model._default_manager.filter(**org_filter(model, organization), **lookup).first()
    except (ValueError, TypeError, ValidationError):
        return None


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Row:
    entry: AuditEntry
    verb: str
    is_create: bool
    kind: str
    who: str
    history_url: str | None
    changes: list[Change] = field(default_factory=list)
    detail: list[tuple[str, str]] = field(default_factory=list)


def _short(value: Any) -> str:
    text = "—" if value in NONE_VALUES else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _display(model, name: str, value: Any, people: dict[int, str]) -> str:
    if value in NONE_VALUES or model is None:
        return _short(value)
    try:
        fld = model._meta.get_field(name)
    except FieldDoesNotExist:
        return _short(value)
    if fld.is_relation and fld.related_model is get_user_model():
        return people.get(_as_int(value), f"user #{value}")
    if fld.is_relation:
        return f"#{value}"
    if getattr(fld, "choices", None):
        return str(dict(fld.choices).get(value, value))
    if fld.get_internal_type() == "BooleanField":
        return {"True": "yes", "False": "no"}.get(str(value), str(value))
    return _short(value)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name.replace("_", " ")


def _people_named(entries: list[AuditEntry]) -> dict[int, str]:
    """Usernames of everyone a page's changed values name (decided by, created by...): one
    query for the page."""
    user_model = get_user_model()
    ids: set[int] = set()
    for e in entries:
        model = e.content_type.model_class()
        for name, values in (e.changes or {}).items():
            if not isinstance(values, list):
                continue
            try:
                fld = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                continue
            if fld is not None and fld.is_relation and fld.related_model is user_model:
                ids.update(i for i in map(_as_int, values) if i is not None)
    if not ids:
        return {}
    return dict(user_model.objects.filter(pk__in=ids).values_list("pk", "username"))


def rows(entries: list[AuditEntry]) -> list[Row]:
    people = _people_named(entries)
    out = []
    for e in entries:
        model = e.content_type.model_class()
        slug = model._meta.model_name if model is not None else ""
        history_url = (
            reverse("audit:object_history", args=[slug, e.object_pk])
            if model is not None and model_for_slug(slug) is model and e.object_pk
            else None
        )
        row = Row(
            entry=e,
            verb=PAST.get(e.action, e.event),
            is_create=e.action == AuditEntry.Action.CREATE,
            kind=str(model._meta.verbose_name).capitalize() if model else e.content_type.model,
            who=e.actor.get_username() if e.actor else (e.actor_email or "system"),
            history_url=history_url,
        )
        for name, values in (e.changes or {}).items():
            if isinstance(values, dict) and values.get("type") == "m2m":
                said = "added" if values.get("operation") == "add" else "removed"
                objects = ", ".join(str(o) for o in values.get("objects", []))
                row.changes.append(Change(_label(model, name), said, _short(objects)))
            elif isinstance(values, list) and len(values) == 2:
                old, new = (_display(model, name, v, people) for v in values)
                row.changes.append(Change(_label(model, name), old, new))
        if e.action == AuditEntry.Action.EVENT and isinstance(e.additional_data, dict):
            row.detail = [(str(k), _short(v)) for k, v in e.additional_data.items()]
        out.append(row)
    return out
