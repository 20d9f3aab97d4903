"""Celery tasks: thin interfaces that take ids, load rows and call services. Idempotent and
safe to retry (acks_late); queued with ``transaction.on_commit`` by the services."""

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from . import services
from .mail import send_email


@shared_task(acks_late=True)
def rescore_sessions(session_ids: list[int]) -> int:
    """Recompute the stored results of these sessions (after scoring constants change)."""
    return services.sessions_rescore(session_ids=session_ids)


@shared_task(acks_late=True)
def rescore_applications(application_ids: list[int]) -> int:
    """Recompute the stored pooled results of these applications."""
    return services.applications_rescore(application_ids=application_ids)


@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=30, retry_jitter=True, max_retries=5
)
def send_invitation_email(invitation_id: int, token: str) -> bool:
    """E-mail the take-home link. The token exists only in this message and the e-mail."""
    from . import invitations
    from .models import Invitation

    invitation = (
        Invitation.objects.select_related("session__candidate", "session__position", "organization")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.revoked_at or invitation.submitted_at:
        return False
    if invitations.token_hash(token) != invitation.token_hash:
        return False  # superseded by a re-send: never mail a dead link
    link = settings.SITE_URL + reverse("takehome:open", args=[token])
    context = {"invitation": invitation, "link": link}
    send_email(
        subject=f"Your take-home assignment: {invitation.session.position.title}",
        body=render_to_string("takehome/email_invitation.txt", context),
        to=[invitation.email],
    )
    invitations.invitation_mark_sent(invitation_id=invitation.pk)
    return True


@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=30, retry_jitter=True, max_retries=5
)
def notify_submission(session_id: int) -> int:
    """Tell the recruiter and the assigned interviewers that take-home answers are in."""
    from .models import CandidateSession

    session = (
        CandidateSession.objects.select_related("candidate", "position", "invitation__created_by")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        return 0
    people = list(session.interviewers.all())
    creator = getattr(getattr(session, "invitation", None), "created_by", None)
    if creator is not None:
        people.append(creator)
    recipients = sorted({p.email for p in people if p.email})
    if not recipients:
        return 0
    link = settings.SITE_URL + reverse("interviews:session_detail", args=[session.pk])
    send_email(
        subject=f"Take-home submitted: {session.candidate.name} for {session.position.title}",
        body=render_to_string("takehome/email_submitted.txt", {"session": session, "link": link}),
        to=recipients,
    )
    return len(recipients)
