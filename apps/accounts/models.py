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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    RECRUITER = "recruiter", "Recruiter"
    INTERVIEWER = "interviewer", "Interviewer"


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
        return self.role in (Role.ADMIN, Role.RECRUITER)
