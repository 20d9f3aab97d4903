"""Kombo assessment API state: an organization's connection (keys encrypted at rest) and the
orders Kombo sent us.

Rules that must hold:
- One connection per organization; its Kombo API key and webhook signing secret are stored only
  encrypted (``apps.accounts.crypto``) and never shown again once saved.
- One order row per (organization, Kombo order id): a webhook delivered twice, or two deliveries
  racing, store one row and create one candidate, application and invitation.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from apps.accounts.models import Organization
from apps.interviews.models import CandidateSession, PositionStage

# Kombo's documented API servers ("servers" of its OpenAPI document).
KOMBO_API_URLS = {"eu": "https://api.kombo.dev/v1", "us": "https://api.us.kombo.dev/v1"}


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


class KomboConnection(models.Model):
    """An organization's link to Kombo: which integration (the customer's ATS behind Kombo) and
    the keys to call Kombo and to check Kombo's webhooks. ``webhook_token`` names the
    connection in its webhook URL; it is not a secret (the signature is what authenticates)."""

    class Region(models.TextChoices):
        EU = "eu", "EU (api.kombo.dev)"
        US = "us", "US (api.us.kombo.dev)"

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="kombo_connection"
    )
    integration_id = models.CharField(
        max_length=200, help_text="Kombo's integration id, e.g. workday:HWUTwvyx2wLoSUHphiWVrp28."
    )
    region = models.CharField(max_length=2, choices=Region.choices, default=Region.EU)
    api_key_encrypted = models.TextField(editable=False)
    webhook_secret_encrypted = models.TextField(editable=False)
    webhook_token = models.CharField(
        max_length=64, unique=True, default=new_webhook_token, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    packages_published_at = models.DateTimeField(null=True, blank=True)
    packages_published = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Kombo {self.integration_id}"

    @property
    def has_credentials(self) -> bool:
        """False once an admin disconnected (the key and secret are deleted, not just unused):
        nothing calls Kombo and its webhook URL answers 404 until they are entered again."""
        return bool(self.api_key_encrypted and self.webhook_secret_encrypted)

    @property
    def api_url(self) -> str:
        # KOMBO_API_URL (tests, a proxy) replaces the documented server of the region.
        return (getattr(settings, "KOMBO_API_URL", "") or KOMBO_API_URLS[self.region]).rstrip("/")


class KomboOrder(models.Model):
    """An assessment order Kombo sent (``assessment:order-received``): stored as received, then
    carried out by an outbox task (candidate, application, take-home invitation)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        CREATED = "created", "Invitation sent"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="kombo_orders"
    )
    connection = models.ForeignKey(KomboConnection, on_delete=models.CASCADE, related_name="orders")
    kombo_order_id = models.CharField(max_length=100)
    package_id = models.CharField(max_length=200)
    stage = models.ForeignKey(
        PositionStage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session = models.OneToOneField(
        CandidateSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kombo_order",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    # Kombo's own status of the order (OPEN, COMPLETED, CANCELLED, REJECTED) as last received.
    kombo_status = models.CharField(max_length=20, default="OPEN")
    payload = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kombo_order_id"], name="one_kombo_order_per_id"
            )
        ]

    def __str__(self) -> str:
        return f"Kombo order {self.kombo_order_id} ({self.status})"
