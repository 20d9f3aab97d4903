"""Take-home attachments for the organization's members (never a public URL).

A file is served only to members who may open its session (``selectors.sessions_for``: all of
the organization's for admins and recruiters, the assigned ones for interviewers), and only
once the take-home may be scored (``session_state.scoring_open``): everyone else, another
organization's members included, gets 404. It is sent as a download with the type decided
from its content when it was stored, never rendered as a page of this site.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from apps.accounts.tenancy import member_required

from . import selectors, session_state
from .models import Answer


@member_required
def answer_attachment(request, pk: int):
    sessions = selectors.sessions_for(request.user, request.organization).values("pk")
    answer = get_object_or_404(
        Answer.objects.select_related("item__session__invitation")
        .filter(item__session__in=sessions)
        .exclude(attachment=""),
        pk=pk,
    )
    if not session_state.scoring_open(answer.item.session):
        raise Http404("The candidate's answers are not in yet.")
    try:
        handle = answer.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=answer.attachment_name or "attachment",
        content_type=answer.attachment_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
