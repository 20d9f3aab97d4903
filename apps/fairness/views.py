"""Pages of the fairness app: the candidate's voluntary questions, and the admins' report.

- ``/takehome/about-you/``: after submitting a take-home, a candidate of an organization that
  collects self-reported groups may answer (or skip) the questions. The page says that the
  answers are voluntary, never shown to interviewers and never part of any score.
- ``/a/<signed token>/``: the same questions from an e-mailed link (apps.fairness.links), for
  candidates no take-home asked; ``/interviews/candidates/<pk>/about-you/`` (recruiters and
  admins, POST) sends it. A tampered link or one for an erased candidate is a 404, an expired
  one a 410.
- ``/fairness/``: org admins only (others and other tenants: 404): the adverse-impact report
  (apps.fairness.report), aggregates only.

Candidate pages send ``Referrer-Policy: no-referrer``, so browsers post them with ``Origin:
null``, which Django's CSRF check refuses: the take-home page checks the take-home session's
form key instead (``candidate_csrf``), the e-mailed link's signed token is its own proof.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.accounts.models import MANAGER_ROLES, Role
from apps.accounts.tenancy import get_for_tenant_or_404, role_required, tenant_filter
from apps.interviews.models import Candidate, Position
from apps.takehome.security import FORM_KEY, candidate_csrf, no_store, rate_limited
from apps.takehome.views import current_invitation

from . import links, services
from . import report as fairness_report
from .dimensions import DIMENSIONS
from .forms import SelfReportForm
from .models import SelfReport


@candidate_csrf
@no_store
def about_you(request):
    invitation = current_invitation(request)
    organization = invitation.organization
    if not organization.collects_self_reported_groups or not invitation.submitted_at:
        raise Http404("Nothing to answer here.")
    return _questions(
        request,
        invitation.session.candidate,
        "fairness/about_you.html",
        saved_url=reverse("takehome:receipt") + "?about_you=saved",
        invitation=invitation,
        form_key=request.session.get(FORM_KEY, ""),
        skip_url=reverse("takehome:receipt"),
    )


def _questions(request, candidate: Candidate, template: str, *, saved_url: str, **context):
    """The voluntary questions for ``candidate``: their earlier answers shown, a bad answer a
    400 naming the question (nothing stored), saved answers a redirect to ``saved_url``."""
    existing = dict(
        SelfReport.objects.filter(candidate=candidate).values_list("dimension", "value")
    )
    form = SelfReportForm(request.POST or None, initial_answers=existing)
    context["form"] = form
    if request.method == "POST":
        if not form.is_valid():
            return render(request, template, context, status=400)
        services.record(candidate=candidate, answers={k: form.cleaned_data[k] for k in DIMENSIONS})
        return redirect(saved_url)
    return render(request, template, context)


@csrf_exempt  # the signed token in the URL is the secret a forged request cannot know
@no_store
@rate_limited
def about_you_link(request, token: str):
    try:
        candidate = links.candidate_for(token)
    except links.LinkExpired:
        context = {"days": links.link_days()}
        return render(request, "fairness/link_expired.html", context, status=410)
    if candidate is None:
        raise Http404("This link is not valid.")
    return _questions(
        request,
        candidate,
        "fairness/about_you_link.html",
        saved_url=request.path + "?saved=1",
        organization=candidate.organization,
        saved=request.GET.get("saved") == "1",
    )


@role_required(MANAGER_ROLES)
@require_POST
def about_you_request(request, pk: int):
    """A recruiter or admin e-mails the candidate the link (``links.request_send``)."""
    candidate = get_for_tenant_or_404(request, Candidate, pk=pk)
    try:
        sent = links.request_send(candidate=candidate, user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"The optional questions are e-mailed to {candidate.email}."
            if sent
            else "The optional questions were already e-mailed today.",
        )
    return redirect("interviews:candidate_detail", pk=candidate.pk)


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
