"""Reads of the interviews domain, with the blind-scoring and tenant rules built in.

Every function here costs a constant number of queries, whatever the size of the kit or the
number of interviewers.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch, QuerySet

from apps.accounts.models import Role
from apps.accounts.tenancy import tenant_filter
from apps.bank.models import Question
from apps.scoring import item_rating

from .models import (
    Answer,
    Application,
    CandidateSession,
    ItemNote,
    Position,
    Rating,
    Scorecard,
    SessionItem,
)
from .verdicts import Verdict


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


def is_pending_panelist(user, session: CandidateSession) -> bool:
    """The blind rule, whatever the member's role: a panel member of this session who has not
    submitted their own scorecard yet."""
    if not session.interviewers.filter(pk=user.pk).exists():
        return False
    return not session.scorecards.filter(
        interviewer=user, status=Scorecard.Status.SUBMITTED
    ).exists()


def scorecards_visible(request, session: CandidateSession) -> QuerySet[Scorecard]:
    """Blind until submitted: a panel member (admin and recruiter included) sees only their own
    scorecard until they have submitted it; afterwards every submitted one. Admins and
    recruiters who are not on the panel see the submitted ones; nobody sees others' drafts."""
    qs = session.scorecards.select_related("interviewer")
    own = qs.filter(interviewer=request.user)
    if is_pending_panelist(request.user, session):
        return own
    if is_manager(request) or own.filter(status=Scorecard.Status.SUBMITTED).exists():
        return qs.filter(status=Scorecard.Status.SUBMITTED) | own
    return own


def can_see_debrief(request, session: CandidateSession) -> bool:
    if is_pending_panelist(request.user, session):
        return False
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


# -- applications -----------------------------------------------------------------------------


def applications_for(request) -> QuerySet[Application]:
    """The organization's applications, for admins and recruiters."""
    return tenant_filter(
        request, Application.objects.select_related("candidate", "position", "state_changed_by")
    )


def application_pending_for(user, application: Application) -> bool:
    """Blind scoring on the application page: a panel member of any live stage of it who has
    not submitted their own scorecard sees no pooled verdict, whatever their role."""
    assigned = set(
        CandidateSession.objects.filter(application=application, interviewers=user)
        .exclude(status=CandidateSession.Status.CANCELLED)
        .values_list("pk", flat=True)
    )
    if not assigned:
        return False
    done = set(
        Scorecard.objects.filter(
            session_id__in=assigned, interviewer=user, status=Scorecard.Status.SUBMITTED
        ).values_list("session_id", flat=True)
    )
    return bool(assigned - done)


def discussable_answers(application_id: int) -> QuerySet[Answer]:
    """The take-home answers a live stage of this application may mark as discussed live:
    answers of its take-home stages that were not cancelled. The one home of that rule, for
    the scorecard's list and the marking view alike."""
    return Answer.objects.filter(
        item__session__application_id=application_id,
        item__session__mode=CandidateSession.Mode.TAKE_HOME,
    ).exclude(item__session__status=CandidateSession.Status.CANCELLED)


def takehome_answers_to_discuss(session: CandidateSession) -> list[Answer]:
    """On a live stage's scorecard: the answered take-home questions of the same application
    (1 query; none for a take-home stage)."""
    if session.mode != CandidateSession.Mode.LIVE:
        return []
    return list(
        discussable_answers(session.application_id)
        .exclude(text="")
        .select_related("item")
        .order_by("item__session_id", "item__order")
    )


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def application_debrief(application: Application) -> dict:
    """Everything the application's page shows below the verdict (a constant number of
    queries): its stages, each submitted interviewer's ratings and notes per question (question
    text, rounded values, names), recommendations, take-home answers discussed live, and bank
    questions that would supply the next evidence."""
    verdict = Verdict.from_result(application.result)
    sessions = list(
        application.sessions.order_by("created_at", "pk").prefetch_related("interviewers")
    )
    active = [s.pk for s in sessions if s.status != CandidateSession.Status.CANCELLED]
    items = {
        i.pk: i
        for i in SessionItem.objects.filter(session_id__in=active).only(
            "pk",
            "session_id",
            "order",
            "question_key",
            "prompt",
            "competency_key",
            "competency_name",
            "rubric",
            "red_flags",
            "track_tag",
            "level",
            "kind",
        )
    }
    cards = list(
        Scorecard.objects.filter(session_id__in=active, status=Scorecard.Status.SUBMITTED)
        .select_related("interviewer", "session")
        .order_by("session__created_at", "submitted_at", "pk")
    )
    given: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for card_id, item_id, key, value in Rating.objects.filter(scorecard__in=cards).values_list(
        "scorecard_id", "item_id", "criterion_key", "value"
    ):
        given[(card_id, item_id)][key] = value
    notes = {(n.scorecard_id, n.item_id): n for n in ItemNote.objects.filter(scorecard__in=cards)}
    panels = []
    for card in cards:
        rows = []
        for item in sorted(
            (i for i in items.values() if i.session_id == card.session_id), key=lambda i: i.order
        ):
            ratings = given.get((card.pk, item.pk), {})
            value = item_rating(
                [(ratings[c["key"]], c["weight"]) for c in item.rubric if c["key"] in ratings]
            )
            note = notes.get((card.pk, item.pk))
            flags = [
                item.red_flags[i]["text"]
                for i in (note.red_flags if note else [])
                if i < len(item.red_flags)
            ]
            rows.append(
                {
                    "item": item,
                    "rating": None if value is None else round(value, 1),
                    "not_rated": value is None,
                    "notes": note.notes if note else "",
                    "flags": flags,
                }
            )
        panels.append({"card": card, "name": display_name(card.interviewer), "rows": rows})
    discussed = list(
        Answer.objects.filter(item__session_id__in=active, discussed_live_at__isnull=False)
        .select_related("item", "discussed_live_by")
        .order_by("item__order")
    )
    return {
        "verdict": verdict,
        "sessions": sessions,
        "panels": panels,
        "recommendations": [c.recommendation for c in cards if c.recommendation],
        "discussed": discussed,
        "suggestions": next_evidence_questions(application, verdict, items.values()),
        "questions": {i.question_key: i.prompt for i in items.values()},
    }


def next_evidence_questions(
    application: Application, verdict: Verdict | None, used_items, per_competency: int = 3
) -> list[dict]:
    """For each competency next evidence names: unused published bank questions of that
    competency, for the role's track (or core) at its level, live-friendly kinds first."""
    if verdict is None or not verdict.next_evidence:
        return []
    wanted = [n["competency"] for n in verdict.next_evidence]
    used = {i.question_key for i in used_items}
    candidates = (
        Question.objects.latest()
        .published()
        .visible_to(application.organization)
        .for_track(application.role_track)
        .filter(competency__key__in=wanted, level_id=application.role_level)
        .exclude(key__in=used)
        .select_related("competency")
        .order_by("kind", "expected_minutes", "key")
    )
    by_competency: dict[str, list[Question]] = defaultdict(list)
    for question in candidates:
        bucket = by_competency[question.competency.key]
        if len(bucket) < per_competency:
            bucket.append(question)
    return [
        {
            "competency": n["competency"],
            "halfwidth": n["band_halfwidth"],
            "questions": by_competency.get(n["competency"], []),
        }
        for n in verdict.next_evidence
    ]


def position_applications(position: Position) -> list[dict]:
    """A position's candidates grouped by verdict label, never ranked by score within a group
    whose bands overlap: each group is listed by name (2 queries, whatever its size)."""
    applications = list(
        position.applications.select_related("candidate").order_by("candidate__name", "pk")
    )
    stages: dict[int, list[CandidateSession]] = defaultdict(list)
    for session in (
        CandidateSession.objects.filter(position=position)
        .select_related("stage")
        .order_by("created_at", "pk")
    ):
        stages[session.application_id].append(session)
    order = ["above_bar", "borderline", "below_bar", "incomplete", None]
    groups: dict[str | None, list[dict]] = {key: [] for key in order}
    for application in applications:
        verdict = Verdict.from_result(application.result)
        groups[verdict.label if verdict else None].append(
            {"application": application, "verdict": verdict, "stages": stages[application.pk]}
        )
    return [
        {"label": key, "rows": rows, "overlap": _bands_overlap([r["verdict"] for r in rows])}
        for key, rows in groups.items()
        if rows
    ]


def _bands_overlap(verdicts: list[Verdict | None]) -> bool:
    bands = [v.band for v in verdicts if v is not None]
    return any(a[0] <= b[1] and b[0] <= a[1] for i, a in enumerate(bands) for b in bands[i + 1 :])
