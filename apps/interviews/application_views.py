"""The application's pages: the debrief a recruiter decides on (the candidate for the position,
every stage pooled), its pipeline decision, the next stage that next evidence asks for, and the
"discussed live" mark an interviewer puts on a take-home answer.

Blind scoring holds here too: a panel member of any stage who has not submitted their own
scorecard gets a 404, whatever their role.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.tenancy import member_required, role_required
from apps.bank.models import Competency, Question

from . import charts, selectors, services
from .forms import DecisionForm, SessionForm
from .isa95_maps import isa95_evidence_map
from .models import Application, CandidateSession, Scorecard
from .views import MANAGERS

MODE_NAMES = dict(CandidateSession.Mode.choices)


def _application(request, pk: int) -> Application:
    """The application, if this member may read its pooled verdict: managers of the
    organization, and interviewers who submitted a scorecard on one of its stages; never a
    panel member who has not submitted their own scorecard."""
    qs = Application.objects.filter(organization=request.organization).select_related(
        "candidate", "position", "state_changed_by"
    )
    if not selectors.is_manager(request.user, request.organization):
        # A submitted scorecard, not only an assignment: a member assigned to a stage that was
        # cancelled before they rated would otherwise read the others' ratings unrated.
        qs = qs.filter(
            sessions__scorecards__interviewer=request.user,
            sessions__scorecards__status=Scorecard.Status.SUBMITTED,
        ).distinct()
    application = get_object_or_404(qs, pk=pk)
    if selectors.application_pending_for(request.user, application):
        raise Http404("Submit your own scorecard to see the debrief.")
    return application


@member_required
def application_detail(request, pk: int):
    application = _application(request, pk)
    data = selectors.application_debrief(application)
    verdict = data["verdict"]
    names = dict(Competency.objects.values_list("key", "name"))
    context = {
        **data,
        "application": application,
        "names": names,
        "weights": application.role_weights,
        "is_manager": selectors.is_manager(request.user, request.organization),
        "decision_form": DecisionForm(initial={"state": application.state}),
        "assignable": SessionForm(organization=request.organization)
        .fields["interviewers"]
        .queryset,
        "decisions": application.decisions.select_related("decided_by"),
    }
    if verdict is not None:
        context.update(
            band_chart=charts.verdict_band(verdict.band, verdict.score, verdict.bar),
            stage_chart=charts.stage_bands(verdict.stages, verdict.bar, MODE_NAMES),
            competency_chart=charts.competency_bars(
                verdict.competencies, names, application.role_weights, verdict.bar
            ),
            track_chart=charts.track_profile(verdict.track, verdict.bar),
            track_text=verdict.track_explanation(application.role_track),
            disagreement=verdict.disagreement(data["recommendations"]),
            isa95_map=isa95_evidence_map(application),
        )
    return render(request, "interviews/application_detail.html", context)


@role_required(MANAGERS)
@require_POST
def application_decide(request, pk: int):
    application = _application(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.application_decide(
                application=application,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                decided_by=request.user,
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                messages.error(request, " ".join(errors))
        else:
            messages.success(request, "Decision recorded.")
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("interviews:application_detail", pk=application.pk)


@role_required(MANAGERS)
@require_POST
def application_next_stage(request, pk: int):
    """A live stage of the questions the recruiter picked from next evidence."""
    application = _application(request, pk)
    ids = [raw for raw in request.POST.getlist("questions") if raw.isdigit()]
    questions = list(
        Question.objects.visible_to(request.organization).filter(pk__in=[int(i) for i in ids])
    )
    form = SessionForm(request.POST, organization=request.organization)
    interviewers = form.fields["interviewers"].queryset.filter(
        pk__in=[raw for raw in request.POST.getlist("interviewers") if raw.isdigit()]
    )
    if not questions:
        messages.error(request, "Pick at least one question for the next stage.")
        return redirect("interviews:application_detail", pk=application.pk)
    try:
        session = services.session_create(
            position=application.position,
            candidate=application.candidate,
            mode=CandidateSession.Mode.LIVE,
            interviewers=list(interviewers),
            created_by=request.user,
            questions=questions,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("interviews:application_detail", pk=application.pk)
    messages.success(request, f"Next stage created with {len(questions)} question(s).")
    return redirect("interviews:session_detail", pk=session.pk)


@member_required
@require_POST
def answer_discussed(request, pk: int, answer_pk: int):
    """From a live stage's scorecard: mark a take-home answer of the same application as
    discussed live (or take the mark back). Only the live stage's panel may."""
    session = get_object_or_404(
        CandidateSession.objects.filter(
            organization=request.organization,
            interviewers=request.user,
            mode=CandidateSession.Mode.LIVE,
        ).exclude(status=CandidateSession.Status.CANCELLED),
        pk=pk,
    )
    answer = get_object_or_404(selectors.discussable_answers(session.application_id), pk=answer_pk)
    discussed = request.POST.get("discussed") == "1"
    services.answer_mark_discussed_live(answer=answer, by=request.user, discussed=discussed)
    messages.success(
        request,
        "Marked as discussed live: it now weighs as a live answer."
        if discussed
        else "The discussed-live mark is removed.",
    )
    return redirect("interviews:scorecard", pk=session.pk)
