"""Outgoing webhooks: endpoints, the outbox of deliveries, and the attempt log."""

from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

from apps.accounts.models import Organization


class WebhookEndpoint(models.Model):
    """A receiver an org admin registered. Created only through ``webhooks.endpoint_create``,
    which refuses non-public addresses; the address is checked again before every request.
    The secret signs every request (Standard Webhooks) and is shown to the admin once.

    Rotating keeps the previous secret valid for a day (``PREVIOUS_SECRET_VALID``): until
    ``previous_secret_expires_at`` every request carries a signature with each secret, so the
    receiver can switch at its own pace."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=1000)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    secret = models.CharField(max_length=100, help_text="whsec_ + base64 of 24+ random bytes")
    previous_secret = models.CharField(
        max_length=100, blank=True, help_text="The secret before the last rotation."
    )
    previous_secret_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Until then requests are signed with both secrets."
    )
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # After a rotation the old secret still signs (next to the new one) for this long.
    PREVIOUS_SECRET_VALID = timedelta(hours=24)

    class Meta:
        ordering = ["organization_id", "pk"]

    def __str__(self) -> str:
        return self.url

    def previous_secret_valid(self, *, now: datetime | None = None) -> bool:
        return bool(
            self.previous_secret
            and self.previous_secret_expires_at is not None
            and self.previous_secret_expires_at > (now or timezone.now())
        )

    @property
    def previous_secret_until(self) -> datetime | None:
        """When the previous secret stops verifying, while it still does (for the page)."""
        return self.previous_secret_expires_at if self.previous_secret_valid() else None

    def signing_secrets(self, *, now: datetime | None = None) -> list[str]:
        """The secrets each request is signed with: the current one, and the previous one
        while it is still valid."""
        if self.previous_secret_valid(now=now):
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDelivery(models.Model):
    """One event for one endpoint: an outbox row written in the event's transaction.

    ``message_id`` is the ``webhook-id`` header: the same on every retry, so receivers can
    de-duplicate. The body is stored as the exact bytes signed and sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"
        DISABLED = "disabled", "Endpoint disabled"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event_type = models.CharField(max_length=50)
    message_id = models.CharField(max_length=60, unique=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} -> {self.endpoint} ({self.status})"


class WebhookDeliveryAttempt(models.Model):
    """One request of a delivery, written when a worker claims the delivery and completed with
    the outcome. Neither ``status_code`` nor ``error`` means no outcome yet: in flight, or its
    worker died (the next claim marks it interrupted)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["attempted_at", "pk"]

    def __str__(self) -> str:
        return f"attempt {self.pk}: {self.status_code or self.error[:40]}"
