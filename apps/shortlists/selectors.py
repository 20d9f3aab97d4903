"""Reads for the compare page, shortlists and evidence reports, each a constant number of
queries whatever the number of candidates.

Grouping rule: two candidates whose 90% bands overlap by at least half of the narrower band
cannot be told apart by this evidence. Groups are formed by chaining such pairs; inside a group
candidates are listed alphabetically, because any other order would read as a ranking.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from apps.bank.models import Competency
from apps.interviews.models import Application, CandidateSession, ItemNote, Position, Scorecard
from apps.interviews.selectors import display_name
from apps.interviews.verdicts import Verdict

from .models import ClientDecision, ShareLink

#: The share of the narrower band two bands must have in common to count as "heavy" overlap.
HEAVY_OVERLAP = 0.5
DONE = {CandidateSession.Status.SUBMITTED, CandidateSession.Status.SCORED}


def heavy_overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    common = min(a[1], b[1]) - max(a[0], b[0])
    narrower = min(a[1] - a[0], b[1] - b[0])
    if narrower <= 0:
        return common >= 0
    return common / narrower >= HEAVY_OVERLAP


def overlap_groups(rows: list[dict]) -> list[list[dict]]:
    """Rows (each with a ``verdict``) chained into groups of heavily overlapping bands, groups
    from the highest band down, rows alphabetical inside a group. Unscored rows come last."""
    scored = sorted(
        (r for r in rows if r["verdict"] is not None),
        key=lambda r: (r["verdict"].band[0] + r["verdict"].band[1]) / 2,
        reverse=True,
    )
    groups: list[list[dict]] = []
    for row in scored:
        joined = [
            g
            for g in groups
            if any(heavy_overlap(row["verdict"].band, o["verdict"].band) for o in g)
        ]
        if not joined:
            groups.append([row])
            continue
        first = joined[0]
        first.append(row)
        for other in joined[1:]:
            first.extend(other)
            groups.remove(other)
    groups = [sorted(g, key=lambda r: (r["name"].casefold(), r["application"].pk)) for g in groups]
    unscored = sorted((r for r in rows if r["verdict"] is None), key=lambda r: r["name"].casefold())
    if unscored:
        groups.append(unscored)
    return groups


def competency_names() -> dict[str, str]:
    return dict(Competency.objects.values_list("key", "name"))


def _stages(application_ids: list[int]) -> dict[int, dict]:
    stages: dict[int, dict] = defaultdict(lambda: {"done": 0, "total": 0, "names": []})
    for app_id, mode, status in (
        CandidateSession.objects.filter(application_id__in=application_ids)
        .exclude(status=CandidateSession.Status.CANCELLED)
        .order_by("created_at", "pk")
        .values_list("application_id", "mode", "status")
    ):
        entry = stages[app_id]
        entry["total"] += 1
        if status in DONE:
            entry["done"] += 1
            entry["names"].append(CandidateSession.Mode(mode).label)
    return stages


def candidate_rows(applications: list[Application], names: dict[str, str]) -> list[dict]:
    """What the compare page and reports show per application (1 query for the stages)."""
    stages = _stages([a.pk for a in applications])
    rows = []
    for application in applications:
        verdict = Verdict.from_result(application.result)
        competencies = []
        if verdict is not None:
            keys = [k for k in application.role_weights if k in verdict.competencies] or list(
                verdict.competencies
            )
            for key in keys:
                c = verdict.competencies[key]
                est, se = c.get("estimate"), c.get("se") or 0
                competencies.append(
                    {
                        "key": key,
                        "name": names.get(key, key),
                        "estimate": est,
                        "low": None if est is None else max(0, round(est - 1.645 * se)),
                        "high": None if est is None else min(100, round(est + 1.645 * se)),
                    }
                )
        rows.append(
            {
                "application": application,
                "name": application.candidate.name,
                "verdict": verdict,
                "competencies": competencies,
                "track_text": verdict.track_explanation(application.role_track) if verdict else "",
                "stages": stages.get(application.pk, {"done": 0, "total": 0, "names": []}),
            }
        )
    return rows


def position_compare(position: Position) -> dict:
    """The compare page of a position (3 queries): rows grouped by heavy band overlap."""
    applications = list(
        position.applications.select_related("candidate").order_by("candidate__name", "pk")
    )
    rows = candidate_rows(applications, competency_names())
    groups = overlap_groups(rows)
    for number, group in enumerate(groups, start=1):
        for row in group:
            row["group"] = number
    return {"groups": groups, "rows": [r for g in groups for r in g]}


def panel_details(applications: list[Application], *, notes: bool) -> dict[int, list[dict]]:
    """Per application, each submitted scorecard's interviewer and recommendation, and with
    ``notes`` the free-text notes (overall and per question): 1 or 2 queries."""
    cards = list(
        Scorecard.objects.filter(
            session__application_id__in=[a.pk for a in applications],
            status=Scorecard.Status.SUBMITTED,
        )
        .exclude(session__status=CandidateSession.Status.CANCELLED)
        .select_related("interviewer", "session")
        .order_by("session__created_at", "submitted_at", "pk")
    )
    item_notes: dict[int, list[str]] = defaultdict(list)
    if notes:
        for note in (
            ItemNote.objects.filter(scorecard__in=cards)
            .exclude(notes="")
            .select_related("item")
            .order_by("item__order", "pk")
        ):
            item_notes[note.scorecard_id].append(note.notes)
    panels: dict[int, list[dict]] = defaultdict(list)
    for card in cards:
        panels[card.session.application_id].append(
            {
                "name": display_name(card.interviewer),
                "recommendation": card.get_recommendation_display(),
                "mode": card.session.get_mode_display(),
                "notes": card.notes if notes else "",
                "item_notes": item_notes.get(card.pk, []),
            }
        )
    return panels


def links_for(**subject) -> list[ShareLink]:
    """The links of a shortlist (``shortlist=``) or of one report (``application=``), each with
    ``opened``, its number of logged requests (1 query)."""
    return list(
        ShareLink.objects.filter(**subject)
        .select_related("created_by")
        .annotate(opened=Count("accesses"))
    )


def decisions_for(applications: list[Application]) -> dict[int, list[ClientDecision]]:
    by_application: dict[int, list[ClientDecision]] = defaultdict(list)
    for decision in ClientDecision.objects.filter(application__in=applications):
        by_application[decision.application_id].append(decision)
    return by_application
