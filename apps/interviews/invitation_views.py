"""Recruiter pages for take-home invitations: create, re-send (a fresh link), revoke.

The link is shown on the response to the POST that made it, once; it is never stored, so a
reload cannot show it again (re-send makes a new one).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_for_tenant_or_404, role_required

from . import invitations, selectors
from .forms import InvitationForm
from .models import Invitation

MANAGERS = (Role.ADMIN, Role.RECRUITER)


def _link(token: str) -> str:
    return settings.SITE_URL + reverse("takehome:open", args=[token])


def _shown_once(request, created, *, resent: bool = False):
    response = render(
        request,
        "interviews/invitation_created.html",
        {"invitation": created.invitation, "link": _link(created.token), "resent": resent},
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(MANAGERS)
def invitation_create(request, position_pk: int):
    position = get_for_tenant_or_404(request, selectors.positions_for(request), pk=position_pk)
    questions = invitations.takehome_questions(position)
    form = InvitationForm(
        request.POST or None, organization=request.organization, questions=questions
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = invitations.invitation_create(
                position=position,
                candidate=data["candidate"],
                expires_at=data["expires_at"],
                created_by=request.user,
                email=data["email"] or "",
                question_keys=data["questions"],
                time_limit_minutes=data["time_limit_minutes"],
                extra_time_percent=data["extra_time_percent"] or 0,
                extra_time_minutes=data["extra_time_minutes"] or 0,
                instructions=data["instructions"],
                interviewers=data["interviewers"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return _shown_once(request, created)
    return render(request, "interviews/invitation_form.html", {"form": form, "position": position})


def _invitation(request, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.filter(organization=request.organization).select_related(
            "session__candidate", "session__position"
        ),
        pk=pk,
    )


@role_required(MANAGERS)
@require_POST
def invitation_resend(request, pk: int):
    invitation = _invitation(request, pk)
    try:
        created = invitations.invitation_resend(invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("interviews:session_detail", pk=invitation.session_id)
    return _shown_once(request, created, resent=True)


@role_required(MANAGERS)
@require_POST
def invitation_revoke(request, pk: int):
    invitation = _invitation(request, pk)
    invitations.invitation_revoke(invitation=invitation)
    messages.info(request, "The link is revoked: it now answers that it no longer works.")
    return redirect("interviews:session_detail", pk=invitation.session_id)
