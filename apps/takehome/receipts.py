"""The candidate's receipt for a submitted take-home: a short code shown on the receipt page,
and an e-mail to the candidate when they submit (through the outbox, in the submit's own
transaction, so it goes out exactly when the submit committed, once)."""

from __future__ import annotations

import hashlib

from django.template.loader import render_to_string

from apps import outbox
from apps.interviews.models import Answer, CandidateSession, Invitation
from apps.outbox.email import KIND as EMAIL
from apps.outbox.email import PreparedEmail


def receipt_code(invitation: Invitation) -> str:
    """Twelve characters that identify this submission (the same on the page and the e-mail)."""
    raw = f"{invitation.pk}:{invitation.submitted_at.isoformat()}".encode()
    return hashlib.sha256(raw).hexdigest()[:12].upper()


def receipt_enqueue(*, session: CandidateSession):
    """Queue the receipt e-mail for a submitted take-home (once per session)."""
    invitation = (
        Invitation.objects.select_related("session__position", "session__candidate")
        .filter(session_id=session.pk, submitted_at__isnull=False)
        .first()
    )
    if invitation is None or not invitation.email:
        return None
    answers = list(Answer.objects.filter(item__session_id=session.pk))
    context = {
        "invitation": invitation,
        "code": receipt_code(invitation),
        "questions": len(answers),
        "answered": sum(1 for a in answers if a.text.strip() or a.attachment),
        "files": sum(1 for a in answers if a.attachment),
    }
    prepared = PreparedEmail(
        to=[invitation.email],
        subject=f"Received: your take-home answers for {invitation.session.position.title}",
        body=render_to_string("takehome/email_receipt.txt", context),
    )
    return outbox.enqueue(
        EMAIL,
        prepared.payload(),
        organization=invitation.organization,
        dedupe_key=f"takehome-receipt:{session.pk}",
    )


def on_event(event: str, obj) -> None:
    """Listener of the interviews' domain events (registered in TakehomeConfig.ready)."""
    if event == "session.submitted" and obj.mode == CandidateSession.Mode.TAKE_HOME:
        receipt_enqueue(session=obj)
