"""The e-mailed link to the voluntary questions, for candidates no take-home asked: a candidate
seen only in live interviews never reached ``/takehome/about-you/``, so the adverse-impact
report saw only take-home candidates.

A link is a Django signature (``django.core.signing``, its own salt) of the organization and
the candidate: no row stores it, it cannot be forged or pointed at another candidate, and it
expires after ``FAIRNESS_LINK_DAYS`` (default 30). An erased candidate's link finds no one.

Rules it keeps (those of apps.fairness.models): only an organization that collects asks, and
only once the candidate's evidence is in (a session submitted or scored), so answering can
never touch an evaluation; a recruiter or admin sends it (``request_send``), the candidate
answers or ignores it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps import outbox
from apps.audit import events
from apps.interviews.models import Candidate, CandidateSession
from apps.outbox.email import PreparedEmail, send
from apps.outbox.models import OutboxMessage

SALT = "fairness.about-you"
EMAIL_KIND = "fairness.about_you_email"
EVIDENCE_IN = (CandidateSession.Status.SUBMITTED, CandidateSession.Status.SCORED)


class LinkExpired(Exception):
    """A genuine link, older than ``FAIRNESS_LINK_DAYS``."""


def link_days() -> int:
    return int(getattr(settings, "FAIRNESS_LINK_DAYS", 30))


def token_for(candidate: Candidate) -> str:
    return signing.dumps([candidate.organization_id, candidate.pk], salt=SALT)


def candidate_for(token: str) -> Candidate | None:
    """The candidate a link names, if the organization still collects; None for a link that
    is not ours (tampered, truncated) or whose candidate is gone. Raises LinkExpired."""
    try:
        org_id, candidate_id = signing.loads(token, salt=SALT, max_age=link_days() * 86400)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return (
        Candidate.objects.select_related("organization")
        .filter(
            pk=candidate_id,
            organization_id=org_id,
            organization__collects_self_reported_groups=True,
            erased_at__isnull=True,
        )
        .first()
    )


def can_ask(candidate: Candidate) -> str:
    """Why the questions cannot be sent to this candidate now, or "" when they can."""
    if not candidate.organization.collects_self_reported_groups:
        return "Your organization does not collect self-reported groups (Organization settings)."
    if candidate.erased_at or not candidate.email:
        return "The candidate has no e-mail address."
    if not candidate.sessions.filter(status__in=EVIDENCE_IN).exists():
        return (
            "Ask once the candidate's evidence is in (a session submitted or scored): "
            "answering must never be part of an interview."
        )
    return ""


@transaction.atomic
def request_send(*, candidate: Candidate, user, request=None) -> bool:
    """E-mail the candidate the link (through the outbox), at most once a day; audited as
    ``candidate.self_report_requested``. False when today's e-mail was already queued.
    ValidationError (with ``can_ask``'s reason) when it cannot be sent.

    The row holds the candidate's id only: the e-mail, and the signed link in it, are made when
    it is sent (``send_email``), so no link is ever stored and an erased candidate is never
    written to."""
    reason = can_ask(candidate)
    if reason:
        raise ValidationError(reason)
    key = f"about-you:{candidate.pk}:{timezone.now().date().isoformat()}"
    if OutboxMessage.objects.filter(dedupe_key=key).exists():
        return False  # a double click, or a second ask the same day
    organization = candidate.organization
    outbox.enqueue(
        EMAIL_KIND,
        {"candidate_id": candidate.pk},
        organization=organization,
        dedupe_key=key,  # two clicks racing past the check above still send one e-mail
    )
    events.record(
        organization=organization,
        actor=user,
        action="candidate.self_report_requested",
        target=candidate,
        request=request,
    )
    return True


def send_email(message) -> None:
    """The outbox handler: compose the e-mail with a link signed now, and send it."""
    candidate = (
        Candidate.objects.select_related("organization")
        .filter(pk=(message.payload or {}).get("candidate_id"), erased_at__isnull=True)
        .first()
    )
    if candidate is None or not candidate.organization.collects_self_reported_groups:
        raise outbox.GiveUp("the candidate was erased, or the organization stopped asking")
    organization = candidate.organization
    url = settings.SITE_URL + reverse("fairness:about_you_link", args=[token_for(candidate)])
    body = render_to_string(
        "fairness/email_about_you.txt",
        {
            "candidate": candidate,
            "organization": organization,
            "url": url,
            "days": link_days(),
            "notice_url": settings.SITE_URL + reverse("privacy_notice", args=[organization.slug]),
        },
    )
    send(
        PreparedEmail(
            to=[candidate.email],
            subject=f"{organization.name}: optional questions about you",
            body=body,
        ),
        message=message,
    )
