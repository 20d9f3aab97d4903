"""Tenants and people.

An Organization is a tenant (a recruitment agency or an employer). Every tenant-owned row in the
other apps carries ``organization`` and is read through :mod:`apps.accounts.tenancy`, so that a
row of another organization answers 404, never 403 (no existence leak).
"""

from django.conf import settings
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Calibration (issue 14): in aggregate-only mode no report names an individual interviewer
    # (German works councils treat per-person agreement figures as performance reports).
    calibration_aggregate_only = models.BooleanField(
        default=False,
        help_text="Calibration reports show the panel as a whole and never name an interviewer.",
    )
    # Candidate data rights: personal data is anonymised this many months after the final
    # decision (apps.privacy retention job). Presets: 6, 12, 24 and 48 (California's four years).
    retention_months = models.PositiveSmallIntegerField(
        default=24,
        choices=[(6, "6 months"), (12, "12 months"), (24, "24 months"), (48, "4 years")],
        help_text="Months after the final decision before a candidate's data is anonymised.",
    )
    privacy_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="Whom candidates contact about their data (an e-mail address or a name).",
    )
    # Adverse-impact reporting: only organizations that choose to collect self-reported groups.
    collects_self_reported_groups = models.BooleanField(
        default=False,
        help_text="Ask candidates, voluntarily, for self-reported group data (fairness report).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    RECRUITER = "recruiter", "Recruiter"
    INTERVIEWER = "interviewer", "Interviewer"


# Admins and recruiters run positions, candidates and sessions (``Membership.can_manage``;
# views guard with ``role_required(MANAGER_ROLES)``).
MANAGER_ROLES = (Role.ADMIN, Role.RECRUITER)


class Membership(models.Model):
    """A user's role in one organization. A user acts for one organization at a time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INTERVIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]
        ordering = ["organization__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def can_manage(self) -> bool:
        """Admins and recruiters run positions, candidates and sessions."""
        return self.role in MANAGER_ROLES


class FormSubmission(models.Model):
    """One create form's one-time key, claimed by the first POST that carries it.

    A create page (invitation, API key, webhook) renders a fresh random key into its form. The
    POST inserts this row in the same transaction as what it creates, so a double click or a
    reload that sends the same key again finds the row (the unique constraint makes the second
    insert wait for, then fail against, the first) and is redirected to the first result
    instead of creating or sending anything twice. See ``apps/accounts/once.py``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_submission_per_form_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} -> {self.result_url or '(pending)'}"
