"""The e-mails of this app, sent through the outbox (registered in ``ShortlistsConfig.ready``).

``share_email``: the link for the client contact. The payload holds the link id and the token
encrypted (``apps.accounts.crypto``), blanked by the outbox once the row is final, so the raw
token is in no table. With ``attach_pdf`` the report is rendered at send time and attached.
``decision_email``: tells the recruiter who created the link what the client decided.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from apps.accounts.crypto import InvalidToken, decrypt
from apps.interviews.services import invitations
from apps.outbox import GiveUp
from apps.outbox.email import PreparedEmail, send

from . import services
from .models import ClientDecision, ShareLink


def share_email(message) -> None:
    payload = message.payload or {}
    link = (
        ShareLink.objects.select_related("organization", "created_by", "shortlist", "application")
        .filter(pk=payload.get("link_id"))
        .first()
    )
    if link is None or link.revoked_at is not None:
        raise GiveUp("the link is gone or revoked")
    try:
        token = decrypt(payload.get("token") or "")
    except InvalidToken as exc:
        raise GiveUp("the token cannot be decrypted") from exc
    if invitations.token_hash(token) != link.token_hash:
        raise GiveUp("the token does not match the link")
    url = settings.SITE_URL + reverse("share:open", args=[token])
    subject_text = link.shortlist.title if link.shortlist_id else "A candidate's evidence report"
    attachments = []
    if link.attach_pdf:
        from . import pdf
        from .reports import Redaction

        applications = services.link_applications(link)
        content = pdf.report_pdf(
            applications,
            redaction=Redaction.of(link),
            shortlist=link.shortlist,
            isa95_map=link.application_id is not None,
        )
        attachments.append((pdf.filename(subject_text), content, "application/pdf"))
    body = render_to_string(
        "shortlists/email_share.txt",
        {
            "link": link,
            "url": url,
            "subject_text": subject_text,
            "sender": services.link_contact(link),
        },
    )
    send(
        PreparedEmail(
            to=[link.contact_email], subject=f"{link.organization.name}: {subject_text}", body=body
        ),
        message=message,
        attachments=attachments,
    )
    services.link_mark_sent(link_id=link.pk)


def decision_email(message) -> None:
    decision = (
        ClientDecision.objects.select_related(
            "link__created_by",
            "link__organization",
            "application__candidate",
            "application__position",
        )
        .filter(pk=(message.payload or {}).get("decision_id"))
        .first()
    )
    if decision is None or decision.link.created_by is None:
        raise GiveUp("the decision or its recruiter is gone")
    url = settings.SITE_URL + reverse(
        "interviews:application_detail", args=[decision.application_id]
    )
    body = render_to_string("shortlists/email_decision.txt", {"d": decision, "url": url})
    send(
        PreparedEmail(
            to=[decision.link.created_by.email],
            subject=(
                f"{decision.contact_name}: {decision.get_decision_display()} for "
                f"{decision.application.candidate.name}"
            ),
            body=body,
        ),
        message=message,
    )
