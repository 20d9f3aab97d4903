"""How a tracked model is logged: which organization an entry belongs to, which fields never
reach the log, and when a save is not worth an entry.

The list of tracked models lives once, in ``apps/audit/apps.py`` (``TRACKED``); this module turns
each :class:`Tracked` into a django-auditlog registration and answers, for any logged instance,
its organization (by following ``org_path`` from the row itself) and its key in the log.

Rules it keeps:
- a field whose name says it is a secret (``SECRET_WORDS``) is never logged, on any tracked
  model, even if its registration forgets to exclude it;
- rows without an organization (the shipped bank, imported by ``import_bank``) are not logged:
  no tenant can see them and the import would write thousands of entries;
- an organization being deleted takes its history with it: nothing is logged for it while
  its rows cascade away.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Model

# Words in a field's name that say it holds a secret or its hash: webhook secrets, hashed API
# keys, sealed tokens, encrypted partner credentials. Checked on every tracked model; a date,
# number or flag *about* a secret (previous_secret_expires_at) is not one.
SECRET_WORDS = frozenset(
    {"secret", "password", "passwd", "token", "hash", "hashed", "encrypted", "sealed", "cipher",
     "ciphertext", "credential", "credentials", "apikey"}
)  # fmt: skip
_NOT_SECRET_TYPES = frozenset(
    {"DateTimeField", "DateField", "BooleanField", "PositiveIntegerField", "IntegerField"}
)


def is_secret_field(field) -> bool:
    if field.get_internal_type() in _NOT_SECRET_TYPES:
        return False
    return bool(SECRET_WORDS & set(field.name.lower().split("_")))


# Bookkeeping that changes on every save and says nothing a person did.
NOISE_FIELDS = ("updated_at",)


@dataclass(frozen=True)
class Tracked:
    """One tracked model.

    ``org_path``: the ORM path from the row to its organization ("organization",
    "position__organization"). ``exclude``: fields never logged besides the secret ones.
    ``m2m``: many-to-many fields whose additions and removals are logged. ``log_key``: the
    attribute that names the row in the log when its primary key must not be written there
    (an API key's primary key contains its hash). ``skip``: ``(instance, action) -> bool``,
    true when this save is not worth an entry.
    """

    label: str
    org_path: str = "organization"
    exclude: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()
    parent: str | None = None
    log_key: str | None = None
    skip: Callable[[Model, int], bool] | None = None
    slug: str = field(default="", compare=False)


_BY_MODEL: dict[type[Model], Tracked] = {}
_BY_SLUG: dict[str, type[Model]] = {}
# Organizations being deleted, each with the transaction (its outermost atomic block) that
# deletes it: the guard lasts exactly as long as that transaction, committed or rolled back.
_deleting_orgs: ContextVar[dict[int, object] | None] = ContextVar(
    "audit_deleting_orgs", default=None
)


def register_all(tracked: list[Tracked]) -> None:
    """Register every model with django-auditlog (called once, from AuditConfig.ready)."""
    from auditlog.registry import auditlog

    for entry in tracked:
        model = apps.get_model(entry.label)
        secret = [f.name for f in model._meta.concrete_fields if is_secret_field(f)]
        exclude = {*entry.exclude, *secret, *NOISE_FIELDS}
        # Concrete fields only, named: auditlog's create diff would also list reverse relations.
        include = [f.name for f in model._meta.concrete_fields if f.name not in exclude]
        auditlog.register(
            model, include_fields=include, exclude_fields=sorted(exclude), m2m_fields=set(entry.m2m)
        )
        _BY_MODEL[model] = entry
        slug = model._meta.model_name
        if _BY_SLUG.get(slug, model) is not model:
            raise RuntimeError(f"Two tracked models are both called {slug!r} in audit URLs.")
        _BY_SLUG[slug] = model


def tracked_for(model: type[Model]) -> Tracked | None:
    return _BY_MODEL.get(model)


def model_for_slug(slug: str) -> type[Model] | None:
    """The tracked model an object-history URL names (``/audit/<slug>/<pk>/``), or None."""
    return _BY_SLUG.get(slug)


def tracked_models() -> list[type[Model]]:
    return list(_BY_MODEL)


def organization_id_for(instance: Model) -> int | None:
    """The organization a row belongs to, followed from the row along its ``org_path``
    (an Organization is its own). None for shipped rows and untracked models."""
    from apps.accounts.models import Organization

    if isinstance(instance, Organization):
        return instance.pk
    entry = _BY_MODEL.get(type(instance))
    if entry is None:
        return getattr(instance, "organization_id", None)
    *hops, last = entry.org_path.split("__")
    obj = _follow(instance, hops)
    return None if obj is None else getattr(obj, f"{last}_id", None)


def _follow(instance: Model, hops: list[str]) -> Model | None:
    obj = instance
    try:
        for hop in hops:
            obj = getattr(obj, hop)
            if obj is None:
                return None
    except ObjectDoesNotExist:
        return None
    return obj


def scope_for(instance: Model) -> str:
    """The history an entry about ``instance`` belongs to, as "<model>:<key>": its parent's
    (a kit item's entries show in the kit's history) or its own."""
    entry = _BY_MODEL.get(type(instance))
    owner = instance
    if entry is not None and entry.parent:
        owner = _follow(instance, entry.parent.split("__")) or instance
    return f"{owner._meta.model_name}:{log_key_for(owner)}"


def log_key_for(instance: Model) -> str:
    """The text that names the row in the log (``object_pk``): its primary key, unless the
    registration says another attribute must stand for it."""
    entry = _BY_MODEL.get(type(instance))
    if entry is not None and entry.log_key:
        return str(getattr(instance, entry.log_key))
    return str(instance.pk)


def is_deleting(organization_id: int | None) -> bool:
    """True while ``organization_id`` is being deleted (its rows cascading away): from its
    pre_delete to the end of the transaction deleting it. Django deletes rows with nullable
    foreign keys in no set order, so the organization may go before its kits: an entry
    written for them then would point at a deleted organization."""
    deleting = _deleting_orgs.get() or {}
    block = deleting.get(organization_id)
    if block is None:
        return False
    blocks = connection.atomic_blocks
    if blocks and blocks[0] is block:
        return True
    _deleting_orgs.set({k: v for k, v in deleting.items() if k != organization_id})
    return False


def org_filter(model: type[Model], organization) -> dict:
    """ORM lookups that keep rows of ``model`` to ``organization`` (for object history)."""
    entry = _BY_MODEL[model]
    return {entry.org_path: organization}


# Receivers (connected in AuditConfig.ready) -------------------------------------------------


def before_log(sender, instance, action, **kwargs):
    """auditlog's ``pre_log``: False stops the entry (shipped rows, skipped saves, an
    organization being deleted)."""
    entry = _BY_MODEL.get(sender)
    if entry is None:
        return None
    if entry.skip is not None and entry.skip(instance, action):
        return False
    org_id = organization_id_for(instance)
    if org_id is None or is_deleting(org_id):
        return False
    return None


def organization_deleting(sender, instance, **kwargs):
    # Model.delete() always runs in a transaction (Collector.delete opens one).
    blocks = connection.atomic_blocks
    if blocks:
        _deleting_orgs.set({**(_deleting_orgs.get() or {}), instance.pk: blocks[0]})
