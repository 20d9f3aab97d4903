"""The data-rights pages: a candidate's data rights (export, legal holds, erasure) and the
retention list.

Who may do what: admins and recruiters see a candidate's data rights and download the export
(they answer candidates' access requests); only admins place or lift a legal hold, erase, and
see the retention list. Everyone else, and any other organization's row, gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import MANAGER_ROLES, Role
from apps.accounts.tenancy import get_for_tenant_or_404, role_required
from apps.audit import events
from apps.interviews.models import Application, Candidate

from . import export, retention, services
from .forms import EraseForm, HoldForm
from .models import RetentionRun

ADMINS = (Role.ADMIN,)


def _candidate(request, pk: int) -> Candidate:
    return get_for_tenant_or_404(request, Candidate, pk=pk)


def _rights_page(request, candidate: Candidate, *, hold_errors=None, status: int = 200):
    applications = list(
        Application.objects.filter(candidate=candidate)
        .select_related("position", "legal_hold_by")
        .order_by("created_at", "pk")
    )
    for application in applications:
        application.hold_errors = (hold_errors or {}).get(application.pk, [])
    return render(
        request,
        "privacy/candidate.html",
        {
            "candidate": candidate,
            "applications": applications,
            "is_admin": request.membership.role == Role.ADMIN,
            "hold_form": HoldForm(),
        },
        status=status,
    )


@role_required(MANAGER_ROLES)
def candidate_rights(request, pk: int):
    return _rights_page(request, _candidate(request, pk))


@role_required(MANAGER_ROLES)
@require_POST
def candidate_export(request, pk: int):
    candidate = _candidate(request, pk)
    content = export.candidate_export(candidate)
    events.record(
        organization=request.organization,
        actor=request.user,
        action="candidate.exported",
        target=candidate,
        detail={"candidate": candidate.pk, "bytes": len(content)},
        request=request,
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.export_filename(candidate)}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(ADMINS)
def candidate_erase(request, pk: int):
    candidate = _candidate(request, pk)
    back = reverse("privacy:candidate", args=[candidate.pk])
    if candidate.erased_at is not None:
        messages.info(
            request,
            f"This candidate's personal data was already erased on "
            f"{candidate.erased_at:%d %b %Y %H:%M} UTC; nothing more to do.",
        )
        return redirect(back)
    held = services.held_application(candidate)
    form = EraseForm(request.POST or None)
    status = 200
    refusal = str(services.ErasureRefused(held)) if held is not None else ""
    if request.method == "POST":
        status = 400
        if form.is_valid() and not refusal:
            try:
                result = services.erase_candidate(
                    candidate=candidate, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except services.ErasureRefused as exc:  # a hold placed since the page was read
                refusal = str(exc)
            else:
                if result.already:
                    messages.info(request, "Already erased by someone else; nothing changed.")
                else:
                    messages.success(
                        request,
                        f"Erased. The candidate is now {result.candidate.name}; their ratings "
                        "stay, anonymous, for item statistics and calibration.",
                    )
                return redirect(back)
    return render(
        request,
        "privacy/erase.html",
        {"candidate": candidate, "form": form, "refusal": refusal, "back_url": back},
        status=status,
    )


@role_required(ADMINS)
@require_POST
def application_hold(request, pk: int):
    application = get_for_tenant_or_404(
        request, Application.objects.select_related("candidate"), pk=pk
    )
    candidate = application.candidate
    if request.POST.get("action") == "clear":
        services.legal_hold_clear(application=application, by=request.user)
        messages.info(request, f"The legal hold on application #{application.pk} is lifted.")
        return redirect("privacy:candidate", pk=candidate.pk)
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_set(
                application=application, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Application #{application.pk} is on legal hold.")
            return redirect("privacy:candidate", pk=candidate.pk)
    errors = [str(e) for errs in form.errors.values() for e in errs]
    return _rights_page(request, candidate, hold_errors={application.pk: errors}, status=400)


@role_required(ADMINS)
def retention_page(request):
    organization = request.organization
    now = timezone.now()
    due = [(d, d.erase_after(now)) for d in retention.due_candidates(organization, now=now)]
    runs = list(RetentionRun.objects.filter(organization=organization)[:10])
    return render(
        request,
        "privacy/retention.html",
        {
            "due": due,
            "runs": runs,
            "months": organization.retention_months,
            "grace_days": retention.GRACE_DAYS,
            "cutoff": retention.cutoff(organization, now),
        },
    )
