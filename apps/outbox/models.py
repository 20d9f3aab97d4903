"""One row per side effect to perform after a commit (see the package docstring)."""

from django.db import models
from django.utils import timezone

from apps.accounts.models import Organization


class OutboxMessage(models.Model):
    """A side effect waiting to happen. Rules: a row is sent at most once by us (the claim is
    a conditional UPDATE on status and lease); ``sent`` and ``failed`` are final; a secret in
    the payload is stored encrypted and blanked once the row is final."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    # Enqueueing the same key twice is a no-op. NULLs are not equal, so rows without a key
    # never collide.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker's lease: until then no one else may send the row (a worker that dies mid-send
    # leaves it, and the sweep takes the row again once it is over).
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
