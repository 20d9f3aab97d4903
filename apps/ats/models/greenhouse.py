"""Greenhouse Assessment Partner API state (filled in by the Greenhouse integration)."""

from django.db import models

from apps.accounts.models import Organization
from apps.interviews.models import CandidateSession


class GreenhouseOrder(models.Model):
    """A test Greenhouse ordered through send_test: the session it made and where to PATCH."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="greenhouse_orders"
    )
    session = models.OneToOneField(
        CandidateSession, on_delete=models.CASCADE, related_name="greenhouse_order"
    )
    partner_test_id = models.CharField(max_length=100)
    callback_url = models.URLField(max_length=1000, blank=True)
    # The key Greenhouse ordered with: its stored secret authenticates our PATCH.
    api_key = models.ForeignKey(
        "ats.OrganizationAPIKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="greenhouse_orders",
    )
    sent_by = models.CharField(max_length=254, blank=True)
    request_payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Greenhouse order {self.pk} ({self.partner_test_id})"


class GreenhouseErrorReport(models.Model):
    """An error Greenhouse reported to us (POST request_errors), kept for admins."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="greenhouse_errors"
    )
    api_call = models.CharField(max_length=100, blank=True)
    errors = models.JSONField(default=list)
    partner_test_id = models.CharField(max_length=100, blank=True)
    partner_interview_id = models.CharField(max_length=100, blank=True)
    candidate_email = models.CharField(max_length=254, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.api_call} error at {self.received_at:%Y-%m-%d %H:%M}"
