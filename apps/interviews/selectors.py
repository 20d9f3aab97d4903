"""Reads of the interviews domain, with the blind-scoring and tenant rules built in.

Every function here costs a constant number of queries, whatever the size of the kit or the
number of interviewers.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch, QuerySet

from apps.accounts.models import Role
from apps.accounts.tenancy import tenant_filter

from .models import Answer, CandidateSession, ItemNote, Position, Rating, Scorecard


def is_manager(request) -> bool:
    return bool(request.membership) and request.membership.role in (Role.ADMIN, Role.RECRUITER)


def sessions_for(request) -> QuerySet[CandidateSession]:
    """The sessions this member may open: all of the organization's for admins and recruiters,
    only the assigned ones for interviewers."""
    qs = tenant_filter(request, CandidateSession.objects.select_related("candidate", "position"))
    if not is_manager(request):
        qs = qs.filter(interviewers=request.user)
    return qs


def positions_for(request) -> QuerySet[Position]:
    return tenant_filter(request, Position.objects.select_related("track", "level", "kit"))


def scorecards_visible(request, session: CandidateSession) -> QuerySet[Scorecard]:
    """Blind until submitted: an interviewer sees only their own scorecard until they have
    submitted it; afterwards (and for admins and recruiters) every submitted one."""
    qs = session.scorecards.select_related("interviewer")
    if is_manager(request):
        return qs
    own = qs.filter(interviewer=request.user).first()
    if own is None or not own.is_submitted:
        return qs.filter(interviewer=request.user)
    return qs.filter(status=Scorecard.Status.SUBMITTED) | qs.filter(interviewer=request.user)


def can_see_debrief(request, session: CandidateSession) -> bool:
    if is_manager(request):
        return True
    return session.scorecards.filter(
        interviewer=request.user, status=Scorecard.Status.SUBMITTED
    ).exists()


def scorecard_form_rows(scorecard: Scorecard) -> list[dict]:
    """Everything the scorecard page shows, per item: the frozen question, the anchors as
    choices, the candidate's take-home answer if any, and this interviewer's saved ratings,
    notes and red flags (5 queries)."""
    items = list(scorecard.session.items.all())
    ratings = defaultdict(dict)
    for r in Rating.objects.filter(scorecard=scorecard):
        ratings[r.item_id][r.criterion_key] = r.value
    notes = {n.item_id: n for n in ItemNote.objects.filter(scorecard=scorecard)}
    answers = {a.item_id: a for a in Answer.objects.filter(item__session_id=scorecard.session_id)}
    rows = []
    for item in items:
        note = notes.get(item.pk)
        picked = set(note.red_flags) if note else set()
        rows.append(
            {
                "item": item,
                "criteria": [
                    {
                        "key": c["key"],
                        "label": c["label"],
                        "weight": c["weight"],
                        "name": f"r-{item.pk}-{c['key']}",
                        "value": ratings[item.pk].get(c["key"]),
                        "anchors": [(int(k), v) for k, v in sorted(c["anchors"].items())],
                    }
                    for c in item.rubric
                ],
                "notes": note.notes if note else "",
                "answer": answers.get(item.pk),
                "red_flags": [
                    {
                        "index": i,
                        "text": f["text"],
                        "critical": f.get("critical", False),
                        "checked": i in picked,
                    }
                    for i, f in enumerate(item.red_flags)
                ],
            }
        )
    return rows


def debrief(session: CandidateSession, request) -> dict:
    """The debrief's data: the stored result plus each submitted interviewer's verdict."""
    scorecards = list(
        scorecards_visible(request, session)
        .filter(status=Scorecard.Status.SUBMITTED)
        .prefetch_related(Prefetch("item_notes", queryset=ItemNote.objects.select_related("item")))
    )
    result = session.result or {}
    flags = result.get("flags", [])
    return {
        "result": result,
        "scorecards": scorecards,
        "discrepant": [f for f in flags if f.get("kind") == "discrepant"],
        "critical": [f for f in flags if f.get("kind") == "critical_red_flag"],
    }
