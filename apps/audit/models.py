"""The audit log: django-auditlog's entry, plus the organization it belongs to.

``AuditEntry`` is the swapped-in LogEntry model (``AUDITLOG_LOGENTRY_MODEL``). auditlog writes
one for every change to a registered model (``apps/audit/registry.py``); ``events.record``
writes one for what is not a model change (exports, erasures). Rules it keeps:

- every entry of an organization-owned row carries ``organization``, filled from the row
  itself when the entry is written (never from the request), so a Celery task's changes are
  filed under the right tenant too; shipped bank content (no organization) is not logged;
- the organization's history is one indexed query: (organization, timestamp) for the list,
  (organization, scope, timestamp) for one object's history (its children's changes included);
- nothing in the product edits or deletes an entry (``scrub`` only replaces erased personal
  values, keeping who did what and when).
"""

from __future__ import annotations

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organization


def _warm_content_types() -> None:
    """Fetch every tracked model's content type in one query the first time anything is logged
    (after that Django's cache answers), so a write costs the same queries whichever tracked
    model it touches first."""
    from .registry import tracked_models

    ContentType.objects.get_for_models(*tracked_models())


class AuditEntryManager(LogEntryManager):
    """auditlog's manager, filling ``organization`` from the instance being logged."""

    def log_create(self, instance, force_log: bool = False, **kwargs):
        from .registry import log_key_for, organization_id_for, scope_for

        _warm_content_types()
        kwargs.setdefault("organization_id", organization_id_for(instance))
        kwargs.setdefault("object_pk", log_key_for(instance))
        kwargs.setdefault("scope", scope_for(instance))
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        from .registry import is_deleting, log_key_for, organization_id_for, scope_for

        _warm_content_types()
        org_id = organization_id_for(instance)
        if org_id is None or is_deleting(org_id):
            return None
        if changed_queryset.model is get_user_model():
            # auditlog lists *every* row of the related model on a clear(): keep the names
            # to this organization's members, never another tenant's people.
            changed_queryset = changed_queryset.filter(memberships__organization_id=org_id)
        kwargs.setdefault("organization_id", org_id)
        kwargs.setdefault("object_pk", log_key_for(instance))
        kwargs.setdefault("scope", scope_for(instance))
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One thing that happened: a model change (create/update/delete) or an event."""

    class Action(AbstractLogEntry.Action):
        # Not a model change: an export, an erasure... named by ``event`` ("candidate.erased").
        EVENT = 4

        choices = (*AbstractLogEntry.Action.choices, (EVENT, _("event")))

    action = models.PositiveSmallIntegerField(
        choices=Action.choices, verbose_name=_("action"), db_index=True
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_entries",
        help_text="The tenant whose row changed; empty only for platform rows.",
    )
    event = models.CharField(
        max_length=80,
        blank=True,
        default="",
        help_text='For events: a short dotted name, e.g. "candidate.exported".',
    )

    # The object whose history shows this entry, "<model>:<key>": the row's own, or its
    # parent's (a kit item's changes show in the kit's history, a scorecard's in the session's).
    scope = models.CharField(max_length=120, blank=True, default="")

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["organization", "-timestamp"], name="audit_org_time"),
            models.Index(fields=["organization", "scope", "-timestamp"], name="audit_org_scope"),
        ]

    def __str__(self) -> str:
        if self.action == self.Action.EVENT:
            return f"{self.event} {self.object_repr}".strip()
        return super().__str__()

    @property
    def verb(self) -> str:
        """What happened, in a word or a dotted event name (for pages)."""
        if self.action == self.Action.EVENT:
            return self.event
        return dict(self.Action.choices).get(self.action, "?")
