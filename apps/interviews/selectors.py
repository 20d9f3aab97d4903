"""Reads of the interviews domain, with the blind-scoring and tenant rules built in.

Every function here costs a constant number of queries, whatever the size of the kit or the
number of interviewers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.fields.json import KT
from django.utils import timezone

from apps.accounts.tenancy import can_manage
from apps.bank import kit_rules, plans
from apps.bank.models import Kit, KitItem, Question
from apps.scoring import item_rating

from .models import (
    Answer,
    Application,
    CandidateSession,
    Invitation,
    ItemNote,
    Position,
    PositionStage,
    Rating,
    Scorecard,
    SessionItem,
)
from .session_state import scoring_open
from .verdicts import Verdict


def is_manager(user, organization) -> bool:
    """Admin or recruiter of this organization (the rule lives in ``tenancy.can_manage``)."""
    return can_manage(user, organization)


def sessions_for(user, organization) -> QuerySet[CandidateSession]:
    """The sessions this member may open: all of the organization's for admins and recruiters,
    only the assigned ones for interviewers."""
    if organization is None:
        return CandidateSession.objects.none()
    qs = CandidateSession.objects.filter(organization=organization).select_related(
        "candidate", "position"
    )
    if not is_manager(user, organization):
        qs = qs.filter(interviewers=user)
    return qs


def positions_for(organization) -> QuerySet[Position]:
    if organization is None:
        return Position.objects.none()
    return Position.objects.filter(organization=organization).select_related(
        "track", "level", "kit"
    )


def is_pending_panelist(user, session: CandidateSession) -> bool:
    """The blind rule, whatever the member's role: a panel member of this session who has not
    submitted their own scorecard yet."""
    if not session.interviewers.filter(pk=user.pk).exists():
        return False
    return not session.scorecards.filter(
        interviewer=user, status=Scorecard.Status.SUBMITTED
    ).exists()


def scorecards_visible(user, organization, session: CandidateSession) -> QuerySet[Scorecard]:
    """Blind until submitted: a panel member (admin and recruiter included) sees only their own
    scorecard until they have submitted it; afterwards every submitted one. Admins and
    recruiters who are not on the panel see the submitted ones; nobody sees others' drafts."""
    qs = session.scorecards.select_related("interviewer")
    own = qs.filter(interviewer=user)
    if is_pending_panelist(user, session):
        return own
    if is_manager(user, organization) or own.filter(status=Scorecard.Status.SUBMITTED).exists():
        return qs.filter(status=Scorecard.Status.SUBMITTED) | own
    return own


def can_see_debrief(user, organization, session: CandidateSession) -> bool:
    if is_pending_panelist(user, session):
        return False
    if is_manager(user, organization):
        return True
    return session.scorecards.filter(interviewer=user, status=Scorecard.Status.SUBMITTED).exists()


def scorecard_form_rows(scorecard: Scorecard, *, own: bool = True) -> list[dict]:
    """Everything the scorecard page shows, per item: the frozen question, the anchors as
    choices, the candidate's take-home answer if any, and this interviewer's saved ratings,
    notes, red flags and "not asked" marks (5 queries). ``own``: the page is the
    interviewer's own, so their private scratch notes are included; nobody else gets them."""
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
                "not_asked": bool(note and note.not_asked),
                "scratch": (note.scratch if note else "") if own else "",
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


def debrief(session: CandidateSession, *, user, organization) -> dict:
    """The debrief's data: the stored result plus each submitted interviewer's verdict."""
    scorecards = list(
        scorecards_visible(user, organization, session)
        .filter(status=Scorecard.Status.SUBMITTED)
        .prefetch_related(
            Prefetch("item_notes", queryset=ItemNote.objects.select_related("item__frozen"))
        )
    )
    result = session.result or {}
    flags = result.get("flags", [])
    return {
        "result": result,
        "scorecards": scorecards,
        "not_asked": not_asked_counts(
            (note.item, note.not_asked) for card in scorecards for note in card.item_notes.all()
        ),
        "discrepant": [f for f in flags if f.get("kind") == "discrepant"],
        "critical": [f for f in flags if f.get("kind") == "critical_red_flag"],
    }


def not_asked_counts(marks) -> list[dict]:
    """Questions some submitting interviewer did not ask, with how many did not, in question
    order, from (item, not asked) pairs already read: no query."""
    counts: dict[int, dict] = {}
    for item, not_asked in marks:
        if not_asked:
            entry = counts.setdefault(item.pk, {"item": item, "count": 0})
            entry["count"] += 1
    return sorted(counts.values(), key=lambda e: (e["item"].session_id, e["item"].order))


# -- applications -----------------------------------------------------------------------------


def applications_for(organization) -> QuerySet[Application]:
    """The organization's applications, for admins and recruiters."""
    if organization is None:
        return Application.objects.none()
    return Application.objects.filter(organization=organization).select_related(
        "candidate", "position", "state_changed_by"
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
        .select_related("item__frozen")
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
        application.sessions.order_by("created_at", "pk")
        .select_related("invitation")
        .prefetch_related("interviewers")
    )
    active = [s.pk for s in sessions if s.status != CandidateSession.Status.CANCELLED]
    items = {
        i.pk: i
        for i in SessionItem.objects.filter(session_id__in=active).only(
            "pk",
            "session_id",
            "order",
            "question_key",
            "frozen__prompt",
            "competency_key",
            "competency_name",
            "frozen__rubric",
            "frozen__red_flags",
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
                    "not_asked": bool(note and note.not_asked),
                    "notes": note.notes if note else "",
                    "flags": flags,
                }
            )
        panels.append({"card": card, "name": display_name(card.interviewer), "rows": rows})
    discussed = list(
        Answer.objects.filter(item__session_id__in=active, discussed_live_at__isnull=False)
        .select_related("item__frozen", "discussed_live_by")
        .order_by("item__order")
    )
    return {
        "verdict": verdict,
        "sessions": sessions,
        "panels": panels,
        "recommendations": [c.recommendation for c in cards if c.recommendation],
        "discussed": discussed,
        "not_asked": not_asked_counts(
            (items[note.item_id], note.not_asked)
            for note in notes.values()
            if note.item_id in items
        ),
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


#: The order of a position's verdict groups; None is "not scored yet".
LABEL_ORDER = ["above_bar", "borderline", "below_bar", "incomplete", None]


def position_applications(position: Position, *, text: str = "") -> QuerySet[Application]:
    """A position's applications in verdict-group order, then by candidate name (never ranked
    by score within a group: where bands overlap the order would mean nothing), optionally only
    candidates whose name or e-mail contains ``text``. A queryset, so a page of it is one query."""
    label = KT("result__label")
    rank = Case(
        *[When(**{"result__label": key}, then=Value(i)) for i, key in enumerate(LABEL_ORDER[:-1])],
        default=Value(len(LABEL_ORDER) - 1),
        output_field=IntegerField(),
    )
    qs = position.applications.select_related("candidate").alias(label=label, rank=rank)
    if text:
        qs = qs.filter(Q(candidate__name__icontains=text) | Q(candidate__email__icontains=text))
    return qs.order_by("rank", "candidate__name", "pk")


def position_label_counts(position: Position) -> dict[str | None, int]:
    """How many of the position's applications carry each verdict label (one query)."""
    rows = position.applications.values(label=KT("result__label")).annotate(n=Count("pk"))
    counts: dict[str | None, int] = {}
    for row in rows:
        key = row["label"] if row["label"] in LABEL_ORDER else None
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def position_application_groups(applications: list[Application]) -> list[dict]:
    """One page of a position's applications grouped by verdict label, with each one's sessions
    (1 query for the sessions, whatever the page's size)."""
    stages: dict[int, list[CandidateSession]] = defaultdict(list)
    for session in (
        CandidateSession.objects.filter(application__in=[a.pk for a in applications])
        .select_related("stage", "invitation")
        .order_by("created_at", "pk")
    ):
        stages[session.application_id].append(session)
    groups: dict[str | None, list[dict]] = {key: [] for key in LABEL_ORDER}
    for application in applications:
        verdict = Verdict.from_result(application.result)
        label = verdict.label if verdict else None
        groups[label if label in groups else None].append(
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


# -- each role's home: a to-do list -------------------------------------------------------------

TODO_LIMIT = 20
EXPIRING_WITHIN = timedelta(hours=48)
DEBRIEF_RECENT = timedelta(days=14)


def _panel_sessions(user, organization) -> QuerySet[CandidateSession]:
    return (
        CandidateSession.objects.filter(organization=organization, interviewers=user)
        .exclude(status=CandidateSession.Status.CANCELLED)
        .select_related("candidate", "position", "stage", "invitation")
    )


def home_todo(user, organization, *, now: datetime | None = None) -> dict[str, list]:
    """What this member should do next, as lists of at most ``TODO_LIMIT`` rows each, in a
    constant number of queries (one per list):

    - ``scorecards_due``: live sessions on their panel whose scorecard they have not submitted;
    - ``answers_in``: take-homes on their panel whose answers are in (or whose deadline passed)
      and that they have not scored yet;
    - ``debriefs_ready``: sessions scored in the last 14 days that they may open (their own
      panels; every one of the organization's for admins and recruiters);
    - for admins and recruiters, ``expiring``: take-home links not started that expire within
      48 hours, and ``unassigned``: submitted take-homes with no panel (those Greenhouse
      ordered), which nobody will score until someone is assigned.
    """
    now = now or timezone.now()
    if organization is None:
        return {}
    submitted_by_me = Scorecard.objects.filter(
        interviewer=user, status=Scorecard.Status.SUBMITTED
    ).values("session_id")
    pending = (
        _panel_sessions(user, organization)
        .exclude(pk__in=submitted_by_me)
        .exclude(status=CandidateSession.Status.SCORED)
    )
    # One query per mode, so a long list of live interviews never hides the answers that are in.
    takehomes = pending.filter(mode=CandidateSession.Mode.TAKE_HOME).order_by(
        F("invitation__submitted_at").asc(nulls_last=True), "invitation__expires_at", "created_at"
    )
    todo: dict[str, list] = {
        "scorecards_due": list(
            pending.filter(mode=CandidateSession.Mode.LIVE).order_by(
                F("scheduled_at").asc(nulls_last=True), "created_at"
            )[:TODO_LIMIT]
        ),
        # The gate (session_state.scoring_open) is read per row: handed in first, then by
        # deadline, so only links still running can fall past the bound.
        "answers_in": [s for s in takehomes[: TODO_LIMIT * 5] if scoring_open(s, now=now)][
            :TODO_LIMIT
        ],
    }
    scored = CandidateSession.objects.filter(
        organization=organization,
        status=CandidateSession.Status.SCORED,
        scored_at__gte=now - DEBRIEF_RECENT,
    ).select_related("candidate", "position")
    manager = is_manager(user, organization)
    if manager:  # blind scoring: not while their own scorecard on that panel is pending
        scored = scored.exclude(
            pk__in=CandidateSession.objects.filter(interviewers=user)
            .exclude(pk__in=submitted_by_me)
            .values("pk")
        )
    else:
        scored = scored.filter(interviewers=user, pk__in=submitted_by_me)
    todo["debriefs_ready"] = list(scored.order_by("-scored_at")[:TODO_LIMIT])
    if manager:
        todo["expiring"] = list(
            Invitation.objects.filter(
                organization=organization,
                submitted_at__isnull=True,
                revoked_at__isnull=True,
                started_at__isnull=True,
                expires_at__gte=now,
                expires_at__lte=now + EXPIRING_WITHIN,
            )
            .exclude(session__status=CandidateSession.Status.CANCELLED)
            .select_related("session__candidate", "session__position")
            .order_by("expires_at")[:TODO_LIMIT]
        )
        todo["unassigned"] = list(
            CandidateSession.objects.filter(
                organization=organization,
                mode=CandidateSession.Mode.TAKE_HOME,
                invitation__submitted_at__isnull=False,
                interviewers__isnull=True,
            )
            .exclude(status__in=[CandidateSession.Status.CANCELLED, CandidateSession.Status.SCORED])
            .select_related("candidate", "position", "invitation")
            .order_by("invitation__submitted_at")[:TODO_LIMIT]
        )
    return todo


def my_interview_sessions(user, organization, *, done: bool) -> QuerySet[CandidateSession]:
    """The member's own interviews (their panels): to do (their scorecard not submitted, the
    soonest first) or done (their scorecard submitted, the latest first)."""
    if organization is None:
        return CandidateSession.objects.none()
    sessions = _panel_sessions(user, organization)
    submitted_by_me = Scorecard.objects.filter(
        interviewer=user, status=Scorecard.Status.SUBMITTED
    ).values("session_id")
    if done:
        return sessions.filter(pk__in=submitted_by_me).order_by("-created_at", "-pk")
    return sessions.exclude(pk__in=submitted_by_me).order_by(
        F("scheduled_at").asc(nulls_last=True), "created_at", "pk"
    )


def my_interview_rows(user, sessions) -> list[dict]:
    """Rows of My interviews for (a page of) those sessions, with date, mode and the member's
    own scorecard (1 query for the scorecards, whatever the number of rows)."""
    sessions = list(sessions)
    mine = {
        card.session_id: card
        for card in Scorecard.objects.filter(interviewer=user, session__in=[s.pk for s in sessions])
    }
    rows = []
    for session in sessions:
        take_home = session.mode == CandidateSession.Mode.TAKE_HOME
        invitation = getattr(session, "invitation", None) if take_home else None
        rows.append(
            {
                "session": session,
                "when": session.scheduled_at
                or (invitation.expires_at if invitation is not None else None),
                "card": mine.get(session.pk),
            }
        )
    return rows


# -- choosing the questions of one live interview ---------------------------------------------


def session_question_groups(position: Position) -> list[dict]:
    """The questions a new live session of this position can ask: per live stage of its plan
    (or the position's kit when it has no plan stage), the kit's questions in order, with
    minutes. 3 queries, whatever the number of stages and questions."""
    stages = list(position.stages.filter(mode=PositionStage.Mode.LIVE).order_by("order"))
    kit_ids = {s.kit_id for s in stages} | {position.kit_id}
    kits = {k.pk: k for k in Kit.objects.filter(pk__in=kit_ids).select_related("track")}
    by_kit: dict[int, list] = defaultdict(list)
    for kit_item in (
        KitItem.objects.filter(kit_id__in=kit_ids)
        .select_related("question__competency", "question__track")
        .order_by("kit_id", "order", "pk")
    ):
        by_kit[kit_item.kit_id].append(kit_item)
    groups = [{"stage": None, "kit": kits[position.kit_id], "items": by_kit[position.kit_id]}]
    groups += [{"stage": s, "kit": kits[s.kit_id], "items": by_kit[s.kit_id]} for s in stages]
    for group in groups:
        group["minutes"] = sum(i.question.expected_minutes for i in group["items"])
        group["slot"] = (
            group["stage"].expected_minutes
            if group["stage"] is not None and group["stage"].expected_minutes
            else None
        )
    return groups


def session_questions_preview(position: Position, group: dict, keys) -> dict:
    """What the chosen questions of one live interview can show, by the plan simulation
    (``apps.bank.plans.simulate_plan``, the kit builder's preview): minutes, questions per
    track, coverage and whether track fit is decidable from all-3s answers, the verdicts of
    the synthetic candidates, and the kit rules the subset breaks. No query."""
    chosen = set(keys)
    kit_items = [i for i in group["items"] if i.question.key in chosen]
    spec = kit_rules.KitSpec(
        key=group["kit"].key,
        track=group["kit"].track.key,
        level=group["kit"].level_id,
        take_home=False,
        items=tuple(
            kit_rules.ItemSpec(
                key=i.question.key,
                competency=i.question.competency.key,
                track=i.question.track.key if i.question.track_id else kit_rules.CORE,
                level=i.question.level_id,
                kind=i.question.kind,
                minutes=i.question.expected_minutes,
                weight=i.weight,
            )
            for i in kit_items
        ),
        competency_weights=dict(group["kit"].competency_weights),
    )
    stage = group["stage"]
    plan = plans.PlanSpec(
        key=spec.key,
        name=stage.name if stage is not None else position.title,
        track=position.track.key,
        level=position.level_id,
        competency_weights=dict(position.competency_weights),
        stages=(
            plans.StageSpec(
                name=stage.name if stage is not None else "Live interview",
                mode=plans.LIVE,
                kit=spec,
                panel_size=stage.panel_size if stage is not None else position.panel_size,
            ),
        ),
    )
    preview = plans.simulate_plan(plan, bar=position.bar / 100)
    preview["chosen"] = len(kit_items)
    preview["of"] = len(group["items"])
    return preview
