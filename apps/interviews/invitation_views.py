"""Recruiter pages for take-home invitations: create, re-send (a fresh link), revoke.

Create and re-send are safe to repeat (``apps.accounts.once``): the POST claims the form's
one-time key, then redirects to the invitation's link page, which shows the candidate's link
once (it travels in the recruiter's session; only its hash is stored). A double click or a
reload creates and e-mails nothing twice. Revoking asks for confirmation; a revoked
invitation can be re-sent, which reinstates it under a new link.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts import confirm, once
from apps.accounts.models import MANAGER_ROLES
from apps.accounts.tenancy import get_for_tenant_or_404, role_required

from . import paging, selectors
from .forms import InvitationForm
from .models import Invitation
from .services import invitations


def _done(created, *, resent: bool = False) -> once.Done:
    url = reverse("interviews:invitation_link", args=[created.invitation.pk])
    return once.Done(
        url + ("?resent=1" if resent else ""), shown=invitations.takehome_link(created.token)
    )


@role_required(MANAGER_ROLES)
def invitation_create(request, position_pk: int):
    position = get_for_tenant_or_404(
        request, selectors.positions_for(request.organization), pk=position_pk
    )
    questions = invitations.takehome_questions(position)
    form = InvitationForm(
        request.POST or None, organization=request.organization, questions=questions
    )
    candidate_q = paging.limit_candidate_picker(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> once.Done:
            return _done(
                invitations.invitation_create(
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
            )

        response = once.submit_form(request, form, create)
        if response is not None:
            return response
    return render(
        request,
        "interviews/invitation_form.html",
        {
            "form": form,
            "position": position,
            "form_key": once.form_key(request),
            "candidate_q": candidate_q,
        },
        status=400 if form.errors else 200,
    )


@role_required(MANAGER_ROLES)
def invitation_link(request, pk: int):
    """The result page of create and re-send: the candidate's link, shown this once."""
    invitation = _invitation(request, pk)
    response = render(
        request,
        "interviews/invitation_created.html",
        {
            "invitation": invitation,
            "link": once.pop_shown(request),
            "resent": request.GET.get("resent") == "1",
            "form_key": once.new_key(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _invitation(request, pk: int) -> Invitation:
    return get_for_tenant_or_404(
        request,
        Invitation.objects.select_related("session__candidate", "session__position"),
        pk=pk,
    )


@role_required(MANAGER_ROLES)
@require_POST
def invitation_resend(request, pk: int):
    invitation = _invitation(request, pk)
    try:
        response = once.submit_once(
            request,
            lambda: _done(invitations.invitation_resend(invitation=invitation), resent=True),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("interviews:session_detail", pk=invitation.session_id)
    if response is None:
        messages.error(request, once.EXPIRED)
        return redirect("interviews:session_detail", pk=invitation.session_id)
    return response


@role_required(MANAGER_ROLES)
def invitation_revoke(request, pk: int):
    invitation = _invitation(request, pk)
    back = reverse("interviews:session_detail", args=[invitation.session_id])
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title="Revoke the take-home link?",
            question=(
                f"{invitation.session.candidate.name}'s link will answer that it no longer "
                "works, and an e-mail not yet sent is dropped. You can re-send it later: that "
                "makes a new link."
            ),
            action="Revoke the link",
            back_url=back,
        )
    invitations.invitation_revoke(invitation=invitation)
    messages.info(request, "The link is revoked: it now answers that it no longer works.")
    return redirect(back)
