"""Self-reported group data, kept apart from everything evaluators see.

Rules that must hold:
- Only organizations that choose to (``Organization.collects_self_reported_groups``) ask, and a
  candidate answers voluntarily, after their answers are in; every question can be skipped.
- Nothing outside this app reads these rows: no interviewer page, score page, export, API or
  webhook shows them. The only reader is the admins' adverse-impact report (aggregates only,
  small groups suppressed).
- Erasing a candidate deletes their rows (``services.forget``).
"""

from __future__ import annotations

from django.db import models

from apps.accounts.models import Organization
from apps.interviews.models import Candidate


class SelfReport(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=40)
    reported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "dimension"], name="one_self_report_per_dimension"
            )
        ]
        indexes = [models.Index(fields=["organization", "dimension"])]

    def __str__(self) -> str:
        return f"self-report #{self.pk}"
