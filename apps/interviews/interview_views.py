"""The interviewer's pages for the room: interview mode and prep mode.

Interview mode is the scorecard as a tool for use during a live interview: one question per
screen on a phone (a compact list on a desk), a question index, a progress count, the save
state always in view, 0-4 rating buttons with the chosen anchor's text, a "Not asked" toggle,
private scratch notes and a timer against the stage's minutes. It saves through the same form
and services as the scorecard page (``views.scorecard_post`` and the autosave endpoint), so
every rule (blind scoring, not-asked, submit checks) holds here too. Prep mode shows the whole
kit with its guidance before the interview, and changes nothing.

Both are for the interviewers assigned to the session; anyone else gets a 404.

Before that, the recruiter chooses the questions of one live interview on the position's page;
``session_questions_preview`` answers the page's preview of what a chosen subset can show
(minutes, coverage, track-fit evidence) from the plan simulation in ``apps.bank.plans``.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render

from apps.accounts.models import MANAGER_ROLES
from apps.accounts.tenancy import get_for_tenant_or_404, member_required, role_required

from . import selectors, services
from .models import CandidateSession, Scorecard
from .views import _assigned_session, missing_messages, scorecard_post, scoring_waits


def _slot_minutes(session: CandidateSession, items) -> int:
    """The interview's length: the stage's minutes when it sets them, else the questions'."""
    stage = session.stage
    if stage is not None and stage.expected_minutes:
        return stage.expected_minutes
    return sum(item.expected_minutes for item in items)


def _progress(rows: list[dict]) -> dict:
    not_asked = sum(1 for r in rows if r["not_asked"])
    rated = sum(1 for r in rows if r["rated"])
    return {"rated": rated, "asked": len(rows) - not_asked, "not_asked": not_asked}


@member_required
def interview_mode(request, pk: int):
    session = _assigned_session(request, pk)
    if waiting := scoring_waits(request, session):  # the same gate as the scorecard page
        return waiting
    card = services.scorecard_for(session=session, interviewer=request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and not card.is_submitted:
        errors = scorecard_post(request, session, card)
        if not errors:
            if "submit" in request.POST:
                return redirect("interviews:scorecard", pk=session.pk)
            return redirect("interviews:interview_mode", pk=session.pk)
    rows = selectors.scorecard_form_rows(card)
    for row in rows:
        for crit in row["criteria"]:
            crit["errors"] = errors.get(crit["name"], [])
            crit["chosen"] = dict(crit["anchors"]).get(crit["value"], "")
        row["rated"] = not row["not_asked"] and all(c["value"] is not None for c in row["criteria"])
    return render(
        request,
        "interviews/interview_mode.html",
        {
            "session": session,
            "card": card,
            "rows": rows,
            "progress": _progress(rows),
            "minutes": _slot_minutes(session, [r["item"] for r in rows]),
            "errors": errors,
            "missing": missing_messages(errors),
            "general_errors": errors.get("__all__", []),
            "recommendations": Scorecard.Recommendation.choices,
        },
        status=400 if errors else 200,
    )


@member_required
def interview_prep(request, pk: int):
    session = _assigned_session(request, pk)
    items = list(session.items.all())
    return render(
        request,
        "interviews/interview_prep.html",
        {
            "session": session,
            "items": items,
            "minutes": _slot_minutes(session, items),
            "questions_minutes": sum(item.expected_minutes for item in items),
        },
    )


@role_required(MANAGER_ROLES)
def session_questions_preview(request, position_pk: int):
    """The preview of a chosen subset of a stage kit's questions (GET ``stage``, the stage id
    or empty for the position's kit, and ``questions``, keys): a fragment the position page
    swaps in as the recruiter ticks questions. Unknown keys are ignored; an unknown stage is a
    404."""
    position = get_for_tenant_or_404(
        request, selectors.positions_for(request.organization), pk=position_pk
    )
    stage = request.GET.get("stage") or ""
    groups = selectors.session_question_groups(position)
    group = next((g for g in groups if str(g["stage"].pk if g["stage"] else "") == stage), None)
    if group is None:
        raise Http404("No such live stage.")
    keys = request.GET.getlist("questions")
    return render(
        request,
        "interviews/_session_preview.html",
        {"group": group, "preview": selectors.session_questions_preview(position, group, keys)},
    )
