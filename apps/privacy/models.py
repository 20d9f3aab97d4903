"""What the retention job remembers between runs.

Rules that must hold:
- A candidate is erased by the retention job only after a run listed them as due at least
  ``apps.privacy.retention.GRACE_DAYS`` earlier (``RetentionNotice.first_listed_at``), so an
  admin has time to place a legal hold. A candidate who stops being due (a hold, a new
  application) loses their notice: the grace starts again when they are due again.
- These rows hold ids and dates only, never a name: they outlive the erasure they announce.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from apps.accounts.models import Organization
from apps.interviews.models import Candidate


class RetentionNotice(models.Model):
    """A candidate the retention job found due, and when it first did."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="retention_notices"
    )
    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="retention_notice"
    )
    first_listed_at = models.DateTimeField()

    class Meta:
        ordering = ["first_listed_at", "pk"]

    def __str__(self) -> str:
        return f"candidate {self.candidate_id} due since {self.first_listed_at:%Y-%m-%d}"


class RetentionRun(models.Model):
    """One run of the retention job for one organization: who was due (the dry-run list) and
    who was erased. ``due`` is ``[{"candidate": id, "final_at": iso, "listed_at": iso}]``;
    ``erased`` and ``refused`` are candidate ids."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="retention_runs"
    )
    ran_at = models.DateTimeField(default=timezone.now)
    retention_months = models.PositiveSmallIntegerField()
    due = models.JSONField(default=list, blank=True)
    erased = models.JSONField(default=list, blank=True)
    refused = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-ran_at", "-pk"]
        indexes = [models.Index(fields=["organization", "ran_at"])]

    def __str__(self) -> str:
        return f"retention run {self.ran_at:%Y-%m-%d} ({len(self.erased)} erased)"
