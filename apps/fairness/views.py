"""Pages of the fairness app: the candidate's voluntary questions, and the admins' report.

- ``/takehome/about-you/``: after submitting a take-home, a candidate of an organization that
  collects self-reported groups may answer (or skip) the questions. The page says that the
  answers are voluntary, never shown to interviewers and never part of any score.
- ``/fairness/``: org admins only (others and other tenants: 404): the adverse-impact report
  (apps.fairness.report), aggregates only.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.accounts.models import Role
from apps.accounts.tenancy import role_required, tenant_filter
from apps.interviews.models import Position
from apps.takehome.security import no_store
from apps.takehome.views import current_invitation

from . import report as fairness_report
from . import services
from .dimensions import DIMENSIONS
from .forms import SelfReportForm
from .models import SelfReport


@no_store
def about_you(request):
    invitation = current_invitation(request)
    organization = invitation.organization
    if not organization.collects_self_reported_groups or not invitation.submitted_at:
        raise Http404("Nothing to answer here.")
    candidate = invitation.session.candidate
    existing = dict(
        SelfReport.objects.filter(candidate=candidate).values_list("dimension", "value")
    )
    form = SelfReportForm(request.POST or None, initial_answers=existing)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "fairness/about_you.html", {"form": form}, status=400)
        services.record(candidate=candidate, answers={k: form.cleaned_data[k] for k in DIMENSIONS})
        return redirect(reverse("takehome:receipt") + "?about_you=saved")
    return render(request, "fairness/about_you.html", {"form": form})


@role_required([Role.ADMIN])
def adverse_impact(request):
    positions = tenant_filter(request, Position).order_by("title").values_list("pk", "title")
    raw = request.GET.get("position", "")
    position_id = int(raw) if raw.isdigit() else None
    if (
        position_id is not None
        and not tenant_filter(request, Position).filter(pk=position_id).exists()
    ):
        raise Http404("No such position.")
    steps = fairness_report.adverse_impact_report(request.organization, position_id=position_id)
    return render(
        request,
        "fairness/report.html",
        {
            "steps": steps,
            "positions": list(positions),
            "position_id": position_id,
            "dimensions": DIMENSIONS,
            "min_group": fairness_report.MIN_GROUP_SIZE,
            "collecting": request.organization.collects_self_reported_groups,
        },
    )
