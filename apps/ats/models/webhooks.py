"""Outgoing webhooks: endpoints, the outbox of deliveries, and the attempt log."""

from django.db import models

from apps.accounts.models import Organization


class WebhookEndpoint(models.Model):
    """A receiver an org admin registered. Created only through ``webhooks.endpoint_create``,
    which refuses non-public addresses; the address is checked again before every request.
    The secret signs every request (Standard Webhooks) and is shown to the admin once."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=1000)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    secret = models.CharField(max_length=100, help_text="whsec_ + base64 of 24+ random bytes")
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "pk"]

    def __str__(self) -> str:
        return self.url


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
