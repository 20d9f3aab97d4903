"""Shortlists and share links: the writes behind the recruiter's pages and the client's link.

A share link is built like a take-home link and reuses its rules: the take-home invitations
service (``apps.interviews.services.invitations``) makes and hashes the token;
``apps.takehome.security`` serves the pages no-store, no-referrer, rate-limited, and keeps
tokens out of log lines. The token is returned once by ``link_create``;
the e-mail carrying it goes through the outbox with the token encrypted in the payload (blanked
once sent), so the raw token is in no table. A client decision lands on the application's
pipeline through ``application_decide`` (who: the contact, named in the reason; when: now) and
the recruiter is told by e-mail through the outbox.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps import outbox
from apps.accounts.crypto import InvalidToken, decrypt, encrypt
from apps.interviews.models import Application, Position
from apps.interviews.services import application_decide, invitations

from .models import ClientDecision, ShareAccess, ShareLink, Shortlist, ShortlistEntry

DEFAULT_DAYS = 14
MAX_DAYS = 90
SHARE_EMAIL = "shortlists.share_email"
DECISION_EMAIL = "shortlists.decision_email"
# What a client's choice does to the pipeline: "hold" keeps the candidate in process.
PIPELINE_STATE = {
    ClientDecision.Choice.INTERVIEW: Application.State.ADVANCED,
    ClientDecision.Choice.HOLD: Application.State.ACTIVE,
    ClientDecision.Choice.REJECT: Application.State.REJECTED,
}
REDACTION_FIELDS = (
    "show_competencies",
    "show_track",
    "show_flags",
    "show_summary",
    "show_interviewer_names",
    "show_notes",
    "allow_decisions",
)


# -- shortlists -------------------------------------------------------------------------------


@transaction.atomic
def shortlist_create(
    *, position: Position, title: str, application_ids: list[int], created_by=None
) -> Shortlist:
    """A shortlist of the position's candidates (at least one, all of this position)."""
    title = title.strip() or f"Shortlist for {position.title}"
    applications = list(
        Application.objects.filter(position=position, pk__in=application_ids).only("pk")
    )
    if not application_ids:
        raise ValidationError({"applications": "Pick at least one candidate."})
    if len(applications) != len(set(application_ids)):
        raise ValidationError({"applications": "Pick candidates of this position only."})
    shortlist = Shortlist(
        organization_id=position.organization_id,
        position=position,
        title=title[:200],
        created_by=created_by,
    )
    shortlist.full_clean()
    shortlist.save()
    ShortlistEntry.objects.bulk_create(
        [ShortlistEntry(shortlist=shortlist, application=a) for a in applications]
    )
    return shortlist


@transaction.atomic
def shortlist_update(
    *, shortlist: Shortlist, summaries: dict[int, str], remove: list[int] = ()
) -> Shortlist:
    """Save the per-candidate summaries (entry id -> text) and drop the entries in ``remove``."""
    entries = {e.pk: e for e in shortlist.entries.select_for_update()}
    errors = {}
    for entry_id, text in summaries.items():
        if entry_id not in entries:
            errors["summary"] = "A candidate that is not on this shortlist."
        elif len(text) > 2000:
            errors[f"summary_{entry_id}"] = "Keep the summary under 2000 characters."
    if set(remove) - set(entries):
        errors["remove"] = "A candidate that is not on this shortlist."
    if errors:
        raise ValidationError(errors)
    changed = []
    for entry_id, text in summaries.items():
        entry = entries[entry_id]
        if entry.summary != text.strip():
            entry.summary = text.strip()
            changed.append(entry)
    ShortlistEntry.objects.bulk_update(changed, ["summary"])
    ShortlistEntry.objects.filter(pk__in=list(remove)).delete()
    shortlist.save(update_fields=["updated_at"])
    return shortlist


# -- share links ------------------------------------------------------------------------------


@dataclass
class Created:
    link: ShareLink
    token: str  # shown once; never stored


@transaction.atomic
def link_create(
    *,
    organization,
    contact_name: str,
    contact_email: str = "",
    shortlist: Shortlist | None = None,
    application: Application | None = None,
    days: int = DEFAULT_DAYS,
    access_code: str = "",
    send_email: bool = True,
    attach_pdf: bool = False,
    audience: str = ShareLink.Audience.CLIENT,
    created_by=None,
    **redaction: bool,
) -> Created:
    """A link to a shortlist or to one application's evidence report for a named contact.

    Only the token's hash (and a salted hash of the access code) is stored; with
    ``send_email`` the e-mail is written to the outbox, its token encrypted."""
    errors = {}
    if (shortlist is None) == (application is None):
        errors["subject"] = "Share either a shortlist or one candidate's report."
    for subject in (shortlist, application):
        if subject is not None and subject.organization_id != organization.pk:
            errors["subject"] = "That belongs to another organization."
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"A link lasts between 1 and {MAX_DAYS} days."
    if access_code and len(access_code) < 6:
        errors["access_code"] = "An access code needs at least 6 characters."
    if send_email and not contact_email:
        errors["contact_email"] = "Give the contact's e-mail address to send the link."
    unknown = set(redaction) - set(REDACTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown redaction options: {sorted(unknown)}")
    if errors:
        raise ValidationError(errors)
    token, digest = invitations.new_token()
    link = ShareLink(
        organization=organization,
        shortlist=shortlist,
        application=application,
        audience=audience,
        token_hash=digest,
        access_code_hash=make_password(access_code) if access_code else "",
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        expires_at=timezone.now() + timedelta(days=days),
        attach_pdf=attach_pdf,
        created_by=created_by,
        **redaction,
    )
    link.full_clean()
    link.save()
    if send_email:
        outbox.enqueue(
            SHARE_EMAIL,
            {"link_id": link.pk, "token": encrypt(token)},
            organization=organization,
            dedupe_key=f"share-link:{link.pk}",
        )
    return Created(link=link, token=token)


PARTNER_DAYS = MAX_DAYS


def partner_report_url(application: Application) -> str | None:
    """The URL an ATS partner shows for the application: its evidence report through a scoped
    (one application, no decisions, names and notes hidden), expiring, revocable link.

    The same link is returned until it expires (then a new one is made). Once a recruiter
    revokes the application's partner link, none is made again: None, and the caller falls back
    to the login-only page."""
    links = ShareLink.objects.filter(application=application, audience=ShareLink.Audience.PARTNER)
    if links.filter(revoked_at__isnull=False).exists():
        return None
    for link in links.filter(expires_at__gt=timezone.now() + timedelta(days=1)):
        try:
            token = decrypt(link.token_sealed)
        except InvalidToken:
            continue
        if invitations.token_hash(token) == link.token_hash:
            return settings.SITE_URL + reverse("share:open", args=[token])
    created = link_create(
        organization=application.organization,
        application=application,
        contact_name="ATS partner",
        audience=ShareLink.Audience.PARTNER,
        days=PARTNER_DAYS,
        send_email=False,
        allow_decisions=False,
    )
    ShareLink.objects.filter(pk=created.link.pk).update(token_sealed=encrypt(created.token))
    return settings.SITE_URL + reverse("share:open", args=[created.token])


def link_revoke(*, link: ShareLink) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def link_mark_sent(*, link_id: int) -> None:
    ShareLink.objects.filter(pk=link_id).update(sent_at=timezone.now())


def link_by_token(token: str) -> ShareLink | None:
    return (
        ShareLink.objects.select_related(
            "organization", "created_by", "shortlist__position", "application__position"
        )
        .filter(token_hash=invitations.token_hash(token))
        .first()
    )


class LinkGone(Exception):
    """The link exists but no longer works (revoked or expired): 410."""

    def __init__(self, link: ShareLink, reason: str):
        self.link = link
        self.reason = reason
        super().__init__(reason)


def check_usable(link: ShareLink, *, now: datetime | None = None) -> None:
    if link.revoked_at is not None:
        raise LinkGone(link, "revoked")
    if (now or timezone.now()) >= link.expires_at:
        raise LinkGone(link, "expired")


def link_contact(link: ShareLink) -> str:
    """Whom the contact asks about the link: the recruiter who made it (name and e-mail)."""
    user = link.created_by
    if user is None:
        return link.organization.name
    name = user.get_full_name() or user.get_username()
    return f"{name} ({user.email})" if user.email else name


def code_matches(link: ShareLink, code: str) -> bool:
    return bool(link.access_code_hash) and check_password(code, link.access_code_hash)


def network_hash(address: str | None) -> str:
    """A keyed hash of the client's network (/24 for IPv4, /48 for IPv6): the log can tell
    "the same office" apart from "somewhere else" without keeping anyone's address."""
    try:
        ip = ipaddress.ip_address(address or "")
        prefix = 24 if ip.version == 4 else 48
        network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    except ValueError:
        network = "unknown"
    return salted_hmac("share-access-network", network, algorithm="sha256").hexdigest()


def access_record(*, link: ShareLink, kind: str, address: str | None) -> ShareAccess:
    return ShareAccess.objects.create(link=link, kind=kind, network_hash=network_hash(address))


def link_applications(link: ShareLink) -> list[Application]:
    """The applications a link shows (one, or the shortlist's), candidate and position loaded."""
    qs = Application.objects.select_related("candidate", "position").filter(
        organization_id=link.organization_id
    )
    if link.application_id:
        return list(qs.filter(pk=link.application_id))
    return list(
        qs.filter(shortlist_entries__shortlist_id=link.shortlist_id).order_by(
            "candidate__name", "pk"
        )
    )


# -- client decisions -------------------------------------------------------------------------


@transaction.atomic
def client_decide(
    *, link: ShareLink, application: Application, decision: str, comment: str = ""
) -> ClientDecision:
    """The contact's decision on one candidate of the link: kept with who and when, moved onto
    the application's pipeline, and the recruiter is e-mailed (through the outbox)."""
    check_usable(link)
    comment = comment.strip()
    errors = {}
    if not link.allow_decisions:
        errors["decision"] = "This link does not take decisions."
    if decision not in ClientDecision.Choice.values:
        errors["decision"] = "Choose interview, hold or reject."
    if len(comment) > 2000:
        errors["comment"] = "Keep the comment under 2000 characters."
    elif decision == ClientDecision.Choice.REJECT and not comment:
        errors["comment"] = "Say why, so the recruiter can explain it to the candidate."
    if application.pk not in {a.pk for a in link_applications(link)}:
        errors["application"] = "That candidate is not part of this link."
    if errors:
        raise ValidationError(errors)
    record = ClientDecision.objects.create(
        link=link,
        application=application,
        decision=decision,
        comment=comment,
        contact_name=link.contact_name,
        contact_email=link.contact_email,
    )
    choice = ClientDecision.Choice(decision)
    who = link.contact_name + (f" <{link.contact_email}>" if link.contact_email else "")
    reason = f"Client decision by {who}: {choice.label}" + (f". {comment}" if comment else "")
    application_decide(application=application, state=PIPELINE_STATE[choice], reason=reason)
    recruiter = link.created_by
    if recruiter is not None and recruiter.email:
        outbox.enqueue(
            DECISION_EMAIL,
            {"decision_id": record.pk},
            organization=link.organization,
            dedupe_key=f"client-decision:{record.pk}",
        )
    return record
