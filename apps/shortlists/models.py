"""Shortlists for a client, the links that share them (or one candidate's evidence report) with
a named client contact, who opened those links and when, and the client's decisions.

A share link is built like a take-home link: the token exists only in the e-mail and once on
the recruiter's screen; the database keeps its SHA-256 (and a salted hash of the optional access
code). Networks in the access log are keyed hashes, never addresses.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Organization
from apps.interviews.models import Application, Position


class Shortlist(models.Model):
    """Candidates (applications) of one position that the recruiter puts in front of its
    client. Every entry's application belongs to the shortlist's position."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="shortlists"
    )
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="shortlists")
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ShortlistEntry(models.Model):
    """One candidate on a shortlist, with the recruiter's short summary for the client."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="shortlist_entries"
    )
    summary = models.TextField(blank=True, max_length=2000)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application__candidate__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shortlist", "application"], name="one_entry_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} on {self.shortlist}"


class ShareLink(models.Model):
    """A link a client contact (or an ATS partner) opens without an account: a shortlist, or
    one application's evidence report. The link is the key: only the token's SHA-256 is kept.
    Exactly one of ``shortlist`` and ``application`` is set."""

    class Audience(models.TextChoices):
        CLIENT = "client", "Client contact"
        PARTNER = "partner", "ATS partner"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="share_links"
    )
    shortlist = models.ForeignKey(
        Shortlist, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CLIENT)
    token_hash = models.CharField(max_length=64, unique=True)
    # Partner links only: the ATS is given the URL on every status request, so the token is
    # kept encrypted (apps.accounts.crypto), like the partner secrets we must send back later.
    token_sealed = models.TextField(blank=True)
    access_code_hash = models.CharField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the client sees (interviewer names and free-text notes are hidden by default).
    show_competencies = models.BooleanField(default=True)
    show_track = models.BooleanField(default=True)
    show_flags = models.BooleanField(default=True)
    show_summary = models.BooleanField(default=True)
    show_interviewer_names = models.BooleanField(default=False)
    show_notes = models.BooleanField(default=False)
    allow_decisions = models.BooleanField(default=True)
    attach_pdf = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shortlist__isnull=False, application__isnull=True)
                | Q(shortlist__isnull=True, application__isnull=False),
                name="share_link_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"Link for {self.contact_name}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class ShareAccess(models.Model):
    """One request to a share link: when, what, and a keyed hash of the network (a /24 for
    IPv4, a /48 for IPv6), enough to tell "the same office" from "somewhere else" and no more."""

    class Kind(models.TextChoices):
        VIEW = "view", "Viewed"
        PDF = "pdf", "Downloaded the PDF"
        CODE_FAILED = "code_failed", "Wrong access code"
        DECISION = "decision", "Recorded a decision"
        GONE = "gone", "Opened after revocation or expiry"

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    network_hash = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class ClientDecision(models.Model):
    """What the client contact decided about one candidate of a link, with their comment. The
    same decision is recorded on the application's pipeline (ApplicationDecision)."""

    class Choice(models.TextChoices):
        INTERVIEW = "interview", "Interview"
        HOLD = "hold", "Hold"
        REJECT = "reject", "Reject"

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="decisions")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="client_decisions"
    )
    decision = models.CharField(max_length=10, choices=Choice.choices)
    comment = models.TextField(blank=True, max_length=2000)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.contact_name}"
