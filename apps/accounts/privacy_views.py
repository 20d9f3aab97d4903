"""The candidate-facing privacy notice: ``/privacy/notice/<organization slug>/``, no login.

It tells a candidate, in plain words, what the organization collects, that people (never
software) rate every answer, that recorded signals (timings, paste events) are never scored,
how long data is kept (``Organization.retention_months`` after the final decision), whom to
contact (``Organization.privacy_contact``) and their rights of access and erasure.

Rules it keeps: it shows nothing about the organization beyond its name and what the notice
must say (retention, contact, whether self-reported questions are asked); an unknown slug is a
404. Every candidate page (templates/takehome/base.html, its footer) and the take-home invitation
e-mail (apps/interviews/services/notifications.py) link it.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Organization

# When the organization has not named a privacy contact.
FALLBACK_CONTACT = "the recruiter who invited you (their address is in your invitation e-mail)"


@require_safe
def privacy_notice(request, slug: str):
    organization = get_object_or_404(
        Organization.objects.only(
            "name", "slug", "retention_months", "privacy_contact", "collects_self_reported_groups"
        ),
        slug=slug,
    )
    return render(
        request,
        "privacy/notice.html",
        {
            "org": organization,
            "contact": organization.privacy_contact.strip() or FALLBACK_CONTACT,
            "contact_is_email": "@" in organization.privacy_contact
            and " " not in organization.privacy_contact.strip(),
        },
    )
