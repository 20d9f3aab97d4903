"""Bullhorn connector state (apps.ats.bullhorn): the organization's connection (credentials and
tokens encrypted at rest with apps.accounts.crypto), its status-to-position mappings, the
events already processed, the link between an application and its Bullhorn candidate, and a
log of every call made to Bullhorn.

Rules kept here: one connection per organization; an event id is processed once per
organization (unique); a log row never holds a secret (the path is stored without its query
values)."""

from __future__ import annotations

from django.db import models

from apps.accounts.models import Organization
from apps.interviews.models import Application, Position


class BullhornConnection(models.Model):
    """The organization's Bullhorn API user. Secrets (client secret, password, OAuth and REST
    tokens) are stored only encrypted (``*_encrypted``); ``client_id`` and ``username`` are
    not secrets (Bullhorn shows them in its UI) and stay readable for the admin page."""

    class Status(models.TextChoices):
        PENDING = "pending", "Connecting"
        ACTIVE = "active", "Connected"
        DISABLED = "disabled", "Disabled"

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="bullhorn_connection"
    )
    client_id = models.CharField(max_length=200)
    client_secret_encrypted = models.TextField()
    username = models.CharField(max_length=200)
    password_encrypted = models.TextField()
    # The "action" of the Notes we write (a value of the corporation's Note action list).
    note_action = models.CharField(max_length=100, default="Assessment")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    status_detail = models.TextField(blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    # Discovered with loginInfo (the data centre) and login (the corporation's REST URL).
    oauth_url = models.URLField(max_length=500, blank=True)
    login_rest_url = models.URLField(max_length=500, blank=True)
    rest_url = models.URLField(max_length=500, blank=True)
    access_token_encrypted = models.TextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token_encrypted = models.TextField(blank=True)
    rest_token_encrypted = models.TextField(blank=True)
    rest_token_expires_at = models.DateTimeField(null=True, blank=True)

    # Event subscription: its id, and the requestId of the batch being processed (kept until
    # every event of it is recorded, so a failed batch is fetched again with requestId).
    subscription_id = models.CharField(max_length=100, blank=True)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    pending_request_id = models.BigIntegerField(null=True, blank=True)
    last_request_id = models.BigIntegerField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    # A poll in progress holds this lease; a 429/503 Retry-After pauses every call until then.
    polling_until = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Bullhorn connection of {self.organization} ({self.status})"

    @property
    def has_credentials(self) -> bool:
        """False once an admin disconnected (the credentials are deleted, not just unused)."""
        return bool(self.client_secret_encrypted and self.password_encrypted)


class BullhornStatusMapping(models.Model):
    """When a JobSubmission reaches ``status`` (Bullhorn's text, compared case-insensitively),
    the candidate gets an application for ``position`` and, with ``send_takehome``, the
    position's take-home."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bullhorn_mappings"
    )
    status = models.CharField(max_length=100)
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="+")
    send_takehome = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status"]
        constraints = [
            models.UniqueConstraint(
                "organization", models.functions.Lower("status"), name="bullhorn_mapping_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} -> {self.position_id}"


class BullhornEvent(models.Model):
    """An event of the subscription that has been processed (once per organization)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bullhorn_events"
    )
    event_id = models.CharField(max_length=200)
    request_id = models.BigIntegerField(null=True, blank=True)
    entity_name = models.CharField(max_length=50)
    entity_id = models.BigIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-processed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "event_id"], name="bullhorn_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.entity_name} {self.entity_id} {self.event_type} ({self.event_id})"


class BullhornApplication(models.Model):
    """An application that came from a Bullhorn JobSubmission, and what we wrote back: the
    digest of the result last written as a Note and as the PDF file (so a retry or a rescore
    with the same result writes nothing twice), and the file id a rescore replaces."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bullhorn_applications"
    )
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="bullhorn"
    )
    candidate_id = models.BigIntegerField()
    submission_id = models.BigIntegerField(null=True, blank=True)
    job_order_id = models.BigIntegerField(null=True, blank=True)
    note_digest = models.CharField(max_length=64, blank=True)
    note_id = models.BigIntegerField(null=True, blank=True)
    file_digest = models.CharField(max_length=64, blank=True)
    file_id = models.BigIntegerField(null=True, blank=True)
    written_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Bullhorn candidate {self.candidate_id} -> application {self.application_id}"


class BullhornCall(models.Model):
    """One HTTP call to Bullhorn, for the connection page: never a secret (``path`` has no
    query values)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bullhorn_calls"
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organization", "-at"], name="bullhorn_call_org_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status or self.error}"
