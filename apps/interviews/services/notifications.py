"""The interviews domain's e-mails: who is told what, composed here, sent by the outbox.

- The take-home link (``invitation_email_enqueue``): an outbox row of kind
  ``takehome.invitation_email`` holding the invitation id and the token encrypted with
  ``apps.accounts.crypto`` (the token is never stored in plaintext; it is blanked once the row
  is sent or failed). The message is composed when it is sent, and only if the link still
  works and the token is still the invitation's current one: a re-send supersedes an unsent
  older e-mail, so a dead link is never mailed.
- "Take-home submitted" (``submission_notify``): a prepared e-mail (kind ``email``) to the
  session's interviewers and the invitation's creator; when there are none (a take-home that
  Greenhouse ordered), to the organization's recruiters and admins.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from apps import outbox
from apps.accounts import crypto
from apps.accounts.models import Membership
from apps.outbox.email import KIND as EMAIL
from apps.outbox.email import PreparedEmail, send
from apps.outbox.models import OutboxMessage

from ..models import CandidateSession, Invitation

INVITATION_EMAIL = "takehome.invitation_email"


# -- the take-home link -----------------------------------------------------------------------


def invitation_email(*, invitation: Invitation, token: str) -> PreparedEmail:
    """The e-mail carrying the candidate's link."""
    from .invitations import takehome_link

    context = {
        "invitation": invitation,
        "link": takehome_link(token),
        "privacy_link": settings.SITE_URL
        + reverse("privacy_notice", args=[invitation.organization.slug]),
    }
    return PreparedEmail(
        to=[invitation.email],
        subject=f"Your take-home assignment: {invitation.session.position.title}",
        body=render_to_string("takehome/email_invitation.txt", context),
    )


def invitation_email_enqueue(*, invitation: Invitation, token: str) -> OutboxMessage:
    """Queue the link's e-mail in the caller's transaction, dropping any older unsent one."""
    invitation_email_cancel(invitation=invitation, reason="superseded by a re-send")
    from .invitations import token_hash

    return outbox.enqueue(
        INVITATION_EMAIL,
        {"invitation_id": invitation.pk, "token": crypto.encrypt(token)},
        organization=invitation.organization,
        # One e-mail per token, however often this is called for it.
        dedupe_key=f"takehome-invitation:{invitation.pk}:{token_hash(token)[:32]}",
    )


def invitation_email_cancel(*, invitation: Invitation, reason: str) -> int:
    return outbox.cancel_pending(INVITATION_EMAIL, reason, invitation_id=invitation.pk)


def send_invitation_email(message: OutboxMessage) -> None:
    """Outbox handler: compose and send the link's e-mail if the link still works."""
    from .invitations import invitation_mark_sent, invitation_unusable_reason, token_hash

    invitation = (
        Invitation.objects.select_related("session__candidate", "session__position", "organization")
        .filter(pk=message.payload.get("invitation_id"))
        .first()
    )
    if invitation is None:
        raise outbox.GiveUp("the invitation was deleted")
    reason = invitation_unusable_reason(invitation)
    if reason is not None:
        raise outbox.GiveUp(f"the link no longer works ({reason})")
    try:
        token = crypto.decrypt(message.payload.get("token") or "")
    except crypto.InvalidToken:
        raise outbox.GiveUp("the token cannot be decrypted (key rotated away?)") from None
    if token_hash(token) != invitation.token_hash:
        raise outbox.GiveUp("superseded by a re-send")  # never mail a dead link
    send(invitation_email(invitation=invitation, token=token), message=message)
    invitation_mark_sent(invitation_id=invitation.pk)


# -- "take-home submitted" --------------------------------------------------------------------


def submission_recipients(session: CandidateSession) -> list[str]:
    """The session's interviewers and the invitation's creator; without any (a take-home
    that Greenhouse ordered has neither), the organization's recruiters and admins."""
    people = list(session.interviewers.all())
    invitation = Invitation.objects.filter(session=session).select_related("created_by").first()
    if invitation is not None and invitation.created_by is not None:
        people.append(invitation.created_by)
    if not any(p.email for p in people):
        people = [
            m.user
            for m in Membership.objects.filter(organization_id=session.organization_id)
            .select_related("user")
            .filter(user__is_active=True)
            if m.can_manage
        ]
    return sorted({p.email for p in people if p.email})


def submission_email(*, session: CandidateSession) -> PreparedEmail | None:
    """The "take-home submitted" e-mail, or None when nobody can be told."""
    recipients = submission_recipients(session)
    if not recipients:
        return None
    link = settings.SITE_URL + reverse("interviews:session_detail", args=[session.pk])
    return PreparedEmail(
        to=recipients,
        subject=f"Take-home submitted: {session.candidate.name} for {session.position.title}",
        body=render_to_string("takehome/email_submitted.txt", {"session": session, "link": link}),
    )


def submission_notify(*, session: CandidateSession) -> OutboxMessage | None:
    """Queue "take-home submitted" in the caller's transaction (once per session)."""
    prepared = submission_email(session=session)
    if prepared is None:
        return None
    return outbox.enqueue(
        EMAIL,
        prepared.payload(),
        organization=session.organization,
        dedupe_key=f"takehome-submitted:{session.pk}",
    )


def register() -> None:
    """Called from InterviewsConfig.ready(): the outbox kinds this app sends."""
    outbox.register(INVITATION_EMAIL, send_invitation_email, secret_keys=("token",))
