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
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from apps.accounts import confirm, once
from apps.accounts.models import MANAGER_ROLES, Role
from apps.accounts.tenancy import get_for_tenant_or_404, member_required, role_required
from apps.bank.models import Competency, Track

from . import charts, paging, selectors, services, session_state
from .forms import (
    CandidateForm,
    CorrectionForm,
    PositionForm,
    ScheduleForm,
    ScorecardForm,
    SessionForm,
)
from .models import Candidate, CandidateSession, Invitation, Scorecard
from .services import scheduling
from .verdicts import Verdict

MANAGERS = MANAGER_ROLES  # the one list: apps.accounts.models


# -- positions --------------------------------------------------------------------------------


@role_required(MANAGERS)
def position_list(request):
    q = paging.search_text(request)
    positions = paging.search(
        selectors.positions_for(request.organization).order_by("-created_at", "-pk"),
        q,
        "title",
        "client_company",
    )
    page = paging.paginate(request, positions)
    return render(request, "interviews/position_list.html", {"page": page, "q": q})


def _brief_check_view(request, position=None):
    """ "Check the brief" runs on the ad's text alone: no other field is needed first. The
    form comes back as typed (not validated, so no "required" errors), with the suggested
    track pre-selected when none was chosen; the page then scrolls to the result."""
    initial = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "check")}
    check, check_error, preselected = None, "", None
    try:
        check = services.brief_check_run(
            title=request.POST.get("title", "")[:200],
            description=request.POST.get("job_description", ""),
        )
    except ValidationError as exc:
        check_error = " ".join(exc.message_dict.get("job_description", exc.messages))
    else:
        if check["reading"] in ("plant", "enterprise") and not initial.get("track"):
            preselected = Track.objects.filter(key=check["reading"]).first()
            if preselected is not None:
                initial["track"] = str(preselected.pk)
    form = PositionForm(instance=position, organization=request.organization, initial=initial)
    return render(
        request,
        "interviews/position_form.html",
        {
            "form": form,
            "position": position,
            "check": check,
            "check_error": check_error,
            "preselected": preselected,
            "focus_check": True,
        },
        status=400 if check_error else 200,
    )


def _position_form_view(request, position=None):
    if request.method == "POST" and "check" in request.POST:
        return _brief_check_view(request, position)
    form = PositionForm(request.POST or None, instance=position, organization=request.organization)
    check = position.brief_check if position else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
                "competency_weights": data["competency_weights"] or dict(kit.competency_weights),
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
                once.form_errors_from(exc, form)
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
        request,
        get_for_tenant_or_404(request, selectors.positions_for(request.organization), pk=pk),
    )


@role_required(MANAGERS)
def position_detail(request, pk: int):
    position = get_for_tenant_or_404(request, selectors.positions_for(request.organization), pk=pk)
    names = dict(Competency.objects.values_list("key", "name"))
    weights = [
        (names.get(k, k), round(v * 100, 1))
        for k, v in sorted(position.competency_weights.items(), key=lambda kv: -kv[1])
    ]
    form = SessionForm(organization=request.organization, position=position)
    candidate_q = paging.limit_candidate_picker(request, form)
    q = paging.search_text(request)
    page = paging.paginate(request, selectors.position_applications(position, text=q))
    schedule_form = ScheduleForm()
    return render(
        request,
        "interviews/position_detail.html",
        {
            "position": position,
            "weights": weights,
            "form": form,
            "groups": selectors.position_application_groups(list(page.object_list)),
            "page": page,
            "q": q,
            "candidate_q": candidate_q,
            "label_counts": selectors.position_label_counts(position),
            "names": names,
            "stages": list(position.stages.select_related("kit")),
            "check": position.brief_check,
            "schedule_form": schedule_form,
            "form_key": once.new_key(),
            "question_groups": [
                {
                    **group,
                    "preview": selectors.session_questions_preview(
                        position, group, [i.question.key for i in group["items"]]
                    ),
                }
                for group in selectors.session_question_groups(position)
            ],
        },
    )


# -- candidates -------------------------------------------------------------------------------


@role_required(MANAGERS)
def candidate_list(request):
    q = paging.search_text(request)
    candidates = paging.search(
        Candidate.objects.filter(organization=request.organization), q, "name", "email"
    )
    page = paging.paginate(request, candidates)
    return render(request, "interviews/candidate_list.html", {"page": page, "q": q})


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
            once.form_errors_from(exc, form)
        else:
            messages.success(request, f"Candidate {candidate.name} added.")
            return redirect("interviews:candidate_detail", pk=candidate.pk)
    return render(request, "interviews/candidate_form.html", {"form": form, "duplicate": duplicate})


@role_required(MANAGERS)
def candidate_edit(request, pk: int):
    """Correct a candidate's name, e-mail or phone (``services.candidate_update_contact``): an
    e-mail another candidate has is a 400 naming them; an erased candidate is a 404."""
    candidate = get_for_tenant_or_404(request, Candidate, pk=pk)
    if candidate.erased_at is not None:
        raise Http404("This candidate's personal data was erased.")
    initial = {"name": candidate.name, "email": candidate.email, "phone": candidate.phone}
    form = CandidateForm(request.POST or None, initial=initial, organization=request.organization)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.candidate_update_contact(
                candidate=candidate, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            duplicate = services.candidate_duplicate(
                organization=request.organization, email=form.cleaned_data["email"]
            )
            once.form_errors_from(exc, form)
        else:
            messages.success(request, "Saved." if changed else "Nothing to change.")
            return redirect("interviews:candidate_detail", pk=candidate.pk)
    context = {
        "form": form,
        "duplicate": duplicate,
        "heading": f"Edit {candidate.name}",
        "button": "Save",
        "back_url": reverse("interviews:candidate_detail", args=[candidate.pk]),
    }
    status = 400 if form.errors else 200
    return render(request, "interviews/candidate_form.html", context, status=status)


@role_required(MANAGERS)
def candidate_detail(request, pk: int):
    candidate = get_for_tenant_or_404(request, Candidate, pk=pk)
    sessions = candidate.sessions.select_related("position", "invitation").order_by(
        "-created_at", "-pk"
    )
    page = paging.paginate(request, sessions)
    return render(
        request, "interviews/candidate_detail.html", {"candidate": candidate, "page": page}
    )


# -- sessions ---------------------------------------------------------------------------------


@role_required(MANAGERS)
@require_POST
def session_create(request, position_pk: int):
    position = get_for_tenant_or_404(
        request, selectors.positions_for(request.organization), pk=position_pk
    )
    form = SessionForm(request.POST, organization=request.organization, position=position)
    schedule = ScheduleForm(request.POST)
    if form.is_valid() and schedule.is_valid():

        def create() -> once.Done:
            session = services.session_create(
                position=position,
                candidate=form.cleaned_data["candidate"],
                mode=CandidateSession.Mode.LIVE,
                stage=form.cleaned_data["stage"],
                interviewers=form.cleaned_data["interviewers"],
                created_by=request.user,
                # Only the chosen questions are frozen into the session (None: the whole kit).
                question_keys=form.cleaned_data["questions"],
            )
            if schedule.wanted:
                scheduling.session_schedule(session=session, **schedule.cleaned_data)
            return once.Done(reverse("interviews:session_detail", args=[session.pk]))

        # Safe to repeat: a double click creates one session (apps.accounts.once).
        response = once.submit_form(request, form, create)
        if response is not None:
            messages.success(request, "Session created; the kit is frozen into it.")
            return response
    for bound in (form, schedule):
        for field, errors in bound.errors.items():
            named = bound.fields.get(field)
            name = (named.label or field.replace("_", " ").capitalize()) if named else ""
            messages.error(request, f"{name}: {' '.join(errors)}" if name else " ".join(errors))
    return redirect("interviews:position_detail", pk=position.pk)


@role_required(MANAGERS)
@require_POST
def session_schedule(request, pk: int):
    """Set or change when and where a live session happens; the panel gets new invites."""
    session = get_object_or_404(selectors.sessions_for(request.user, request.organization), pk=pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            scheduling.session_schedule(session=session, **form.cleaned_data)
        except ValidationError as exc:
            once.form_errors_from(exc, form)
        else:
            messages.success(request, "Scheduled: each interviewer gets an e-mail and an invite.")
            return redirect("interviews:session_detail", pk=session.pk)
    return render(
        request,
        "interviews/session_schedule.html",
        {"session": session, "form": form},
        status=400,
    )


@member_required
def session_detail(request, pk: int):
    session = get_object_or_404(selectors.sessions_for(request.user, request.organization), pk=pk)
    if not selectors.is_manager(request.user, request.organization):
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
         "assignable": assign.queryset, "form_key": once.new_key(),
         "schedule_form": ScheduleForm(initial={
             "scheduled_at": session.scheduled_at and timezone.localtime(session.scheduled_at)
             .strftime("%Y-%m-%dT%H:%M"), "location": session.location}),
         "track_names": dict(Track.objects.values_list("key", "name"))},
    )  # fmt: skip


@role_required(MANAGERS)
@require_POST
def session_assign(request, pk: int):
    session = get_object_or_404(selectors.sessions_for(request.user, request.organization), pk=pk)
    form = SessionForm(request.POST, organization=request.organization)
    users = form.fields["interviewers"].queryset.filter(pk__in=request.POST.getlist("interviewers"))
    try:
        services.session_assign_interviewers(session=session, interviewers=users)
        # Newly assigned interviewers of a scheduled interview get its invite too.
        scheduling.session_invite(session=session, interviewers=users)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{len(users)} interviewer(s) assigned.")
    return redirect("interviews:session_detail", pk=session.pk)


@role_required(MANAGERS)
def session_cancel(request, pk: int):
    session = get_object_or_404(selectors.sessions_for(request.user, request.organization), pk=pk)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title="Cancel this session?",
            question=(
                f"{session.candidate.name}'s session for {session.position.title} stops: "
                "its scorecards no longer count, a take-home link stops working, and "
                "interviewers already invited get a calendar cancellation."
            ),
            action="Cancel the session",
            back_url=reverse("interviews:session_detail", args=[session.pk]),
        )
    services.session_cancel(session=session)
    messages.info(request, "Session cancelled.")
    return redirect("interviews:session_detail", pk=session.pk)


@member_required
def my_sessions(request):
    """The member's own interviews with date, mode and state; ``?show=done`` for the done ones
    (the default is what is still to do)."""
    done = request.GET.get("show") == "done"
    page = paging.paginate(
        request, selectors.my_interview_sessions(request.user, request.organization, done=done)
    )
    rows = selectors.my_interview_rows(request.user, page.object_list)
    return render(
        request, "interviews/my_sessions.html", {"rows": rows, "done": done, "page": page}
    )


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


def scorecard_post(request, session: CandidateSession, card: Scorecard) -> dict[str, list[str]]:
    """Save a whole-form post on the scorecard (and submit it when asked). Returns the errors
    to show, empty when it worked; a post that does not validate changes nothing."""
    form = ScorecardForm(request.POST, items=session.items.all())
    if not form.is_valid():
        return form.error_dict()
    try:
        # Save first, in its own transaction: a refused submit must not lose the typing.
        services.scorecard_save_draft(scorecard=card, data=form.scorecard_data())
        if "submit" in request.POST:
            services.scorecard_submit(scorecard=card)
            messages.success(request, "Scorecard submitted. You can now see the debrief.")
        else:
            messages.success(request, "Draft saved.")
    except ValidationError as exc:
        card.refresh_from_db()
        if card.is_submitted:  # a double submit: the first one won, nothing is lost
            messages.info(request, "This scorecard was already submitted.")
            return {}
        return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return {}


def missing_messages(errors: dict[str, list[str]]) -> list[str]:
    """What blocks a submit, question by question, for the banner at the top."""
    return [m for name, msgs in errors.items() if name.startswith("r-") for m in msgs] + errors.get(
        "not_asked", []
    )


def scoring_waits(request, session: CandidateSession) -> HttpResponse | None:
    """The page a scorecard shows instead while a take-home waits for the candidate's answers
    (``session_state.scoring_open``); None when scoring is open."""
    if session_state.scoring_open(session):
        return None
    return render(
        request,
        "takehome/scoring_waits.html",
        {"session": session, "message": session_state.scoring_wait_message(session)},
    )


@member_required
def scorecard(request, pk: int):
    session = _assigned_session(request, pk)
    if waiting := scoring_waits(request, session):
        return waiting
    card = services.scorecard_for(session=session, interviewer=request.user)
    errors = {}
    if request.method == "POST" and not card.is_submitted:
        errors = scorecard_post(request, session, card)
        if not errors:
            return redirect("interviews:scorecard", pk=session.pk)
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
            "missing": missing_messages(errors),
            "recommendations": Scorecard.Recommendation.choices,
            "takehome_answers": selectors.takehome_answers_to_discuss(session),
        },
        status=400 if errors else 200,
    )


@member_required
@require_POST
def scorecard_autosave(request, pk: int):
    """Save whatever fields the page sent (on change); answer a small status line. Bad input
    is a 400 naming the field; a refused save (the scorecard is submitted) a 409."""
    session = _assigned_session(request, pk)
    if not session_state.scoring_open(session):  # no draft is opened for a waiting take-home
        return HttpResponse(
            format_html(
                '<span class="error">Not saved: {}</span>',
                session_state.scoring_wait_message(session),
            ),
            status=409,
        )
    card = services.scorecard_for(session=session, interviewer=request.user)
    form = ScorecardForm(request.POST, items=session.items.all())
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items())
        return HttpResponse(
            format_html('<span class="error">Not saved: {}</span>', problems), status=400
        )
    try:
        services.scorecard_save_draft(scorecard=card, data=form.scorecard_data())
    except ValidationError as exc:
        card.refresh_from_db()
        return HttpResponse(
            format_html('<span class="error">Not saved: {}</span>', " ".join(exc.messages)),
            status=409 if card.is_submitted else 400,
        )
    return HttpResponse(f"<span>Draft saved at {timezone.localtime().strftime('%H:%M:%S')}</span>")


@role_required((Role.ADMIN,))
def scorecard_correct(request, pk: int, scorecard_pk: int):
    session = get_object_or_404(selectors.sessions_for(request.user, request.organization), pk=pk)
    if selectors.is_pending_panelist(request.user, session):
        raise Http404("Submit your own scorecard before correcting others'.")
    # Only submitted scorecards are corrected; a colleague's draft is nobody else's to read.
    card = get_object_or_404(
        session.scorecards.filter(status=Scorecard.Status.SUBMITTED).select_related("interviewer"),
        pk=scorecard_pk,
    )
    rows = selectors.scorecard_form_rows(card, own=False)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        current = {(row["item"].pk, c["key"]): c["value"] for row in rows for c in row["criteria"]}
        try:
            # The same parsing (and refusal of bad values) as the interviewer's own form.
            post = ScorecardForm(request.POST, items=[r["item"] for r in rows])
            if not post.is_valid():
                raise ValidationError(post.error_dict())
            data = post.scorecard_data()
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
            once.form_errors_from(exc, form)
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
    session = get_object_or_404(selectors.sessions_for(request.user, request.organization), pk=pk)
    if not selectors.can_see_debrief(request.user, request.organization, session):
        raise Http404("Submit your own scorecard to see the debrief.")
    data = selectors.debrief(session, user=request.user, organization=request.organization)
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
