"""Pages for recruiters (positions, candidates, sessions, debriefs) and interviewers
(assigned sessions and their scorecards).

Views are thin: they check the member's role, read through ``selectors`` (tenant-scoped and
blind-aware) and write through ``services``. Another organization's row is a 404; so is a
session an interviewer is not assigned to.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_for_tenant_or_404, member_required, role_required
from apps.bank.models import Competency

from . import charts, selectors, services
from .forms import CandidateForm, CorrectionForm, PositionForm, SessionForm
from .models import Candidate, CandidateSession, Invitation, Scorecard
from .verdicts import Verdict

MANAGERS = (Role.ADMIN, Role.RECRUITER)


def _form_errors_from(exc: ValidationError, form) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# -- positions --------------------------------------------------------------------------------


@role_required(MANAGERS)
def position_list(request):
    positions = selectors.positions_for(request)
    return render(request, "interviews/position_list.html", {"positions": positions})


def _position_form_view(request, position=None):
    form = PositionForm(request.POST or None, instance=position, organization=request.organization)
    check = position.brief_check if position else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "check" in request.POST:
            check = services.brief_check_run(
                title=data["title"], description=data["job_description"]
            )
        else:
            kit = data["kit"] or services.kit_suggest(
                organization=request.organization,
                track_key=data["track"].key,
                level=data["level"].number,
            )
            if kit is None:
                form.add_error("kit", "No kit exists for this track and level; choose one.")
            else:
                fields = {
                    "client_company": data["client_company"],
                    "title": data["title"],
                    "track": data["track"],
                    "level": data["level"],
                    "job_description": data["job_description"],
                    "kit": kit,
                    "competency_weights": data["competency_weights"]
                    or dict(kit.competency_weights),
                    "bar": data["bar"],
                    "panel_size": data["panel_size"],
                }
                try:
                    if position is None:
                        position = services.position_create(
                            organization=request.organization, created_by=request.user, **fields
                        )
                    else:
                        position = services.position_update(position=position, **fields)
                except ValidationError as exc:
                    _form_errors_from(exc, form)
                else:
                    messages.success(request, "Role brief saved.")
                    return redirect("interviews:position_detail", pk=position.pk)
    return render(
        request,
        "interviews/position_form.html",
        {"form": form, "position": position, "check": check},
    )


@role_required(MANAGERS)
def position_create(request):
    return _position_form_view(request)


@role_required(MANAGERS)
def position_edit(request, pk: int):
    return _position_form_view(
        request, get_for_tenant_or_404(request, selectors.positions_for(request), pk=pk)
    )


@role_required(MANAGERS)
def position_detail(request, pk: int):
    position = get_for_tenant_or_404(request, selectors.positions_for(request), pk=pk)
    names = dict(Competency.objects.values_list("key", "name"))
    weights = [
        (names.get(k, k), round(v * 100, 1))
        for k, v in sorted(position.competency_weights.items(), key=lambda kv: -kv[1])
    ]
    form = SessionForm(organization=request.organization, position=position)
    return render(
        request,
        "interviews/position_detail.html",
        {
            "position": position,
            "weights": weights,
            "form": form,
            "groups": selectors.position_applications(position),
            "names": names,
            "stages": list(position.stages.select_related("kit")),
            "check": position.brief_check,
        },
    )


# -- candidates -------------------------------------------------------------------------------


@role_required(MANAGERS)
def candidate_list(request):
    candidates = Candidate.objects.filter(organization=request.organization)
    return render(request, "interviews/candidate_list.html", {"candidates": candidates})


@role_required(MANAGERS)
def candidate_create(request):
    form = CandidateForm(request.POST or None, organization=request.organization)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            candidate = services.candidate_create(
                organization=request.organization, **form.cleaned_data
            )
        except ValidationError as exc:
            duplicate = services.candidate_duplicate(
                organization=request.organization, email=form.cleaned_data["email"]
            )
            _form_errors_from(exc, form)
        else:
            messages.success(request, f"Candidate {candidate.name} added.")
            return redirect("interviews:candidate_detail", pk=candidate.pk)
    return render(request, "interviews/candidate_form.html", {"form": form, "duplicate": duplicate})


@role_required(MANAGERS)
def candidate_detail(request, pk: int):
    candidate = get_for_tenant_or_404(request, Candidate, pk=pk)
    sessions = candidate.sessions.select_related("position").order_by("-created_at")
    return render(
        request, "interviews/candidate_detail.html", {"candidate": candidate, "sessions": sessions}
    )


# -- sessions ---------------------------------------------------------------------------------


@role_required(MANAGERS)
@require_POST
def session_create(request, position_pk: int):
    position = get_for_tenant_or_404(request, selectors.positions_for(request), pk=position_pk)
    form = SessionForm(request.POST, organization=request.organization, position=position)
    if form.is_valid():
        try:
            session = services.session_create(
                position=position,
                candidate=form.cleaned_data["candidate"],
                mode=CandidateSession.Mode.LIVE,
                stage=form.cleaned_data["stage"],
                interviewers=form.cleaned_data["interviewers"],
                created_by=request.user,
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, "Session created; the kit is frozen into it.")
            return redirect("interviews:session_detail", pk=session.pk)
    for field, errors in form.errors.items():
        messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect("interviews:position_detail", pk=position.pk)


@member_required
def session_detail(request, pk: int):
    session = get_object_or_404(selectors.sessions_for(request), pk=pk)
    if not selectors.is_manager(request):
        return redirect("interviews:scorecard", pk=session.pk)
    scorecards = {sc.interviewer_id: sc for sc in session.scorecards.all()}
    panel = [(u, scorecards.get(u.pk)) for u in session.interviewers.all()]
    items = session.items.all()
    invitation = Invitation.objects.filter(session=session).first()
    assign = SessionForm(organization=request.organization).fields["interviewers"]
    assign.queryset = assign.queryset.exclude(pk__in=[u.pk for u, _ in panel])
    return render(
        request,
        "interviews/session_detail.html",
        {"session": session, "panel": panel, "items": items, "invitation": invitation,
         "assignable": assign.queryset},
    )  # fmt: skip


@role_required(MANAGERS)
@require_POST
def session_assign(request, pk: int):
    session = get_object_or_404(selectors.sessions_for(request), pk=pk)
    form = SessionForm(request.POST, organization=request.organization)
    users = form.fields["interviewers"].queryset.filter(pk__in=request.POST.getlist("interviewers"))
    try:
        services.session_assign_interviewers(session=session, interviewers=users)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{len(users)} interviewer(s) assigned.")
    return redirect("interviews:session_detail", pk=session.pk)


@role_required(MANAGERS)
@require_POST
def session_cancel(request, pk: int):
    session = get_object_or_404(selectors.sessions_for(request), pk=pk)
    services.session_cancel(session=session)
    messages.info(request, "Session cancelled.")
    return redirect("interviews:session_detail", pk=session.pk)


@member_required
def my_sessions(request):
    sessions = (
        selectors.sessions_for(request)
        .filter(interviewers=request.user)
        .exclude(status=CandidateSession.Status.CANCELLED)
    )
    mine = {
        sc.session_id: sc
        for sc in Scorecard.objects.filter(interviewer=request.user, session__in=sessions)
    }
    rows = [(s, mine.get(s.pk)) for s in sessions]
    return render(request, "interviews/my_sessions.html", {"rows": rows})


# -- scorecards -------------------------------------------------------------------------------


def _assigned_session(request, pk: int) -> CandidateSession:
    session = get_object_or_404(
        CandidateSession.objects.filter(
            organization=request.organization, interviewers=request.user
        ).select_related("candidate", "position"),
        pk=pk,
    )
    if session.status == CandidateSession.Status.CANCELLED:
        raise Http404("This session was cancelled.")
    return session


@member_required
def scorecard(request, pk: int):
    session = _assigned_session(request, pk)
    card = services.scorecard_for(session=session, interviewer=request.user)
    errors = {}
    if request.method == "POST" and not card.is_submitted:
        items = list(session.items.all())
        try:
            data = services.ScorecardData.from_post(request.POST, items)
            # Save first, in its own transaction: a refused submit must not lose the typing.
            services.scorecard_save_draft(scorecard=card, data=data)
            if "submit" in request.POST:
                services.scorecard_submit(scorecard=card)
                messages.success(request, "Scorecard submitted. You can now see the debrief.")
                return redirect("interviews:scorecard", pk=session.pk)
            messages.success(request, "Draft saved.")
            return redirect("interviews:scorecard", pk=session.pk)
        except ValidationError as exc:
            card.refresh_from_db()
            if card.is_submitted:  # a double submit: the first one won, nothing is lost
                messages.info(request, "This scorecard was already submitted.")
                return redirect("interviews:scorecard", pk=session.pk)
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    rows = selectors.scorecard_form_rows(card)
    for row in rows:
        for crit in row["criteria"]:
            crit["errors"] = errors.get(crit["name"], [])
    return render(
        request,
        "interviews/scorecard.html",
        {
            "session": session,
            "card": card,
            "rows": rows,
            "errors": errors,
            "missing": [m for name, msgs in errors.items() if name.startswith("r-") for m in msgs],
            "recommendations": Scorecard.Recommendation.choices,
            "takehome_answers": selectors.takehome_answers_to_discuss(session),
        },
        status=400 if errors else 200,
    )


@member_required
@require_POST
def scorecard_autosave(request, pk: int):
    """Save whatever fields the page sent (htmx, on change); answer a small status line."""
    session = _assigned_session(request, pk)
    card = services.scorecard_for(session=session, interviewer=request.user)
    try:
        data = services.ScorecardData.from_post(request.POST, session.items.all())
        services.scorecard_save_draft(scorecard=card, data=data)
    except ValidationError as exc:
        return HttpResponse(
            f'<span class="error">Not saved: {" ".join(exc.messages)}</span>', status=409
        )
    return HttpResponse(f"<span>Draft saved at {timezone.localtime().strftime('%H:%M:%S')}</span>")


@role_required((Role.ADMIN,))
def scorecard_correct(request, pk: int, scorecard_pk: int):
    session = get_object_or_404(selectors.sessions_for(request), pk=pk)
    if selectors.is_pending_panelist(request.user, session):
        raise Http404("Submit your own scorecard before correcting others'.")
    # Only submitted scorecards are corrected; a colleague's draft is nobody else's to read.
    card = get_object_or_404(
        session.scorecards.filter(status=Scorecard.Status.SUBMITTED).select_related("interviewer"),
        pk=scorecard_pk,
    )
    rows = selectors.scorecard_form_rows(card)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        current = {(row["item"].pk, c["key"]): c["value"] for row in rows for c in row["criteria"]}
        try:
            # The same parsing (and refusal of bad values) as the interviewer's own form.
            data = services.ScorecardData.from_post(request.POST, [r["item"] for r in rows])
            records = services.scorecard_correct(
                scorecard=card,
                corrected_by=request.user,
                reason=form.cleaned_data["reason"],
                ratings={
                    key: value
                    for key, value in data.ratings.items()
                    if value is not None and value != current[key]
                },
                recommendation=data.recommendation or None,
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, f"{len(records)} change(s) recorded; the score was updated.")
            return redirect("interviews:debrief", pk=session.pk)
    return render(
        request,
        "interviews/scorecard_correct.html",
        {
            "session": session,
            "card": card,
            "rows": rows,
            "form": form,
            "corrections": card.corrections.select_related("corrected_by"),
            "recommendations": Scorecard.Recommendation.choices,
        },
    )


# -- debrief and report -----------------------------------------------------------------------


def _debrief_context(request, pk: int) -> dict:
    session = get_object_or_404(selectors.sessions_for(request), pk=pk)
    if not selectors.can_see_debrief(request, session):
        raise Http404("Submit your own scorecard to see the debrief.")
    data = selectors.debrief(session, request)
    result = data["result"]
    verdict = Verdict.from_result(result)
    names = dict(Competency.objects.values_list("key", "name"))
    data.update(
        session=session,
        names=names,
        competency_chart=charts.competency_bars(
            result.get("competencies", {}), names, session.role_weights, verdict.bar
        )
        if verdict
        else "",
        track_chart=charts.track_profile(result.get("track", {}), verdict.bar) if verdict else "",
        weights=session.role_weights,
    )
    return data


@member_required
def debrief(request, pk: int):
    return render(request, "interviews/debrief.html", _debrief_context(request, pk))


@member_required
def report(request, pk: int):
    return render(request, "interviews/report.html", _debrief_context(request, pk))
