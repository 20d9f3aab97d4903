"""The adverse-impact report: selection-rate impact ratios per stage and per decision.

For each self-reported dimension (apps.fairness.dimensions) and each step of the pipeline, the
selection rate of every group is compared with the highest group's by
``apps.scoring.fairness.impact_ratios`` (exact fractions: a ratio *below* 4/5 is evidence of
adverse impact, exactly 4/5 is not; SCORING.md "Fairness").

What "selected" means at each step:
- a **plan stage** of a position: of the applications with a session at that stage (not
  cancelled), those that went further: a session at a later stage, or a decision of
  advanced, offer or hired;
- a **decision** (advanced, offer, hired): of all applications in scope, those that reached it
  (now or in their decision history; an offer counts as advanced, a hire as both).

Groups with fewer than ``MIN_GROUP_SIZE`` applicants at a step are suppressed: they are counted
as "fewer than 5", left out of the comparison, and never named with their counts. Candidates who
did not answer, or preferred not to say, are counted apart and left out of every ratio.
The whole report costs a constant number of queries (4), whatever the organization's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from apps.interviews.models import Application, ApplicationDecision, CandidateSession
from apps.scoring.fairness import impact_ratios

from .dimensions import DIMENSIONS, PREFER_NOT, value_label
from .models import SelfReport

MIN_GROUP_SIZE = 5
#: Decisions in pipeline order: reaching one implies the ones before it.
DECISIONS = [
    (Application.State.ADVANCED, "Advanced"),
    (Application.State.OFFER, "Offer"),
    (Application.State.HIRED, "Hired"),
]
_LADDER = {state: i for i, (state, _) in enumerate(DECISIONS)}


@dataclass(frozen=True)
class GroupRow:
    label: str
    selected: int | None  # None when suppressed
    applicants: int | None
    rate: Fraction | None
    ratio: Fraction | None
    adverse_impact: bool
    highest: bool
    suppressed: bool


@dataclass(frozen=True)
class Step:
    name: str
    kind: str  # "stage" | "decision"
    dimension: str
    rows: list[GroupRow]
    not_reported: int  # applicants at this step without an answer for the dimension
    comparable: bool  # at least two groups large enough to compare


def _steps(applications, sessions, decisions, position_titles) -> list[tuple[str, str, dict]]:
    """(name, kind, {application_id: selected?}) for every stage and decision in scope."""
    reached: dict[int, int] = {}
    for app_id, state in decisions:
        if state in _LADDER:
            reached[app_id] = max(reached.get(app_id, -1), _LADDER[state])
    for app_id, _candidate, state in applications:
        if state in _LADDER:
            reached[app_id] = max(reached.get(app_id, -1), _LADDER[state])
    at_stage: dict[tuple, set[int]] = defaultdict(set)
    furthest: dict[int, int] = {}
    names: dict[tuple, str] = {}
    for app_id, position_id, order, name in sessions:
        at_stage[(position_id, order)].add(app_id)
        furthest[app_id] = max(furthest.get(app_id, -1), order)
        names[(position_id, order)] = name
    steps = []
    for key in sorted(at_stage, key=lambda k: (position_titles.get(k[0], ""), k[0], k[1])):
        position_id, order = key
        outcome = {
            app_id: furthest[app_id] > order or app_id in reached for app_id in at_stage[key]
        }
        title = position_titles.get(position_id, "")
        steps.append((f"{title}: stage {order + 1}, {names[key]}", "stage", outcome))
    for state, label in DECISIONS:
        outcome = {
            app_id: reached.get(app_id, -1) >= _LADDER[state] for app_id, _c, _s in applications
        }
        steps.append((label, "decision", outcome))
    return steps


def adverse_impact_report(organization, *, position_id: int | None = None) -> list[Step]:
    apps_qs = Application.objects.filter(organization=organization)
    if position_id is not None:
        apps_qs = apps_qs.filter(position_id=position_id)
    applications = list(apps_qs.values_list("pk", "candidate_id", "state"))
    in_scope = apps_qs.values("pk")
    sessions = list(
        CandidateSession.objects.filter(application__in=in_scope, stage__isnull=False)
        .exclude(status=CandidateSession.Status.CANCELLED)
        .values_list("application_id", "position_id", "stage__order", "stage__name")
    )
    position_titles = dict(
        Application.objects.filter(pk__in=in_scope)
        .values_list("position_id", "position__title")
        .distinct()
    )
    decisions = list(
        ApplicationDecision.objects.filter(application__in=in_scope).values_list(
            "application_id", "state"
        )
    )
    groups: dict[str, dict[int, str]] = defaultdict(dict)
    for candidate_id, dimension, value in SelfReport.objects.filter(
        organization=organization
    ).values_list("candidate_id", "dimension", "value"):
        if value != PREFER_NOT:
            groups[dimension][candidate_id] = value
    candidate_of = {app_id: candidate_id for app_id, candidate_id, _ in applications}

    report = []
    for name, kind, outcome in _steps(applications, sessions, decisions, position_titles):
        for dimension in DIMENSIONS:
            counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            not_reported = 0
            for app_id, selected in outcome.items():
                value = groups[dimension].get(candidate_of[app_id])
                if value is None:
                    not_reported += 1
                    continue
                counts[value][1] += 1
                counts[value][0] += int(selected)
            large = {v: (s, a) for v, (s, a) in counts.items() if a >= MIN_GROUP_SIZE}
            ratios = impact_ratios(large) if large else {}
            highest = max((r.rate for r in ratios.values() if r.rate is not None), default=None)
            rows = []
            for value, _label in DIMENSIONS[dimension]["options"]:
                if value not in counts:
                    continue
                if value not in large:
                    rows.append(
                        GroupRow(value_label(dimension, value), None, None, None, None, False,
                                 False, True)
                    )  # fmt: skip
                    continue
                r = ratios[value]
                rows.append(
                    GroupRow(
                        label=value_label(dimension, value),
                        selected=r.selected,
                        applicants=r.applicants,
                        rate=r.rate,
                        ratio=r.ratio,
                        adverse_impact=r.adverse_impact and len(large) > 1,
                        highest=highest is not None and r.rate == highest,
                        suppressed=False,
                    )
                )
            if rows or not_reported:
                report.append(
                    Step(name, kind, dimension, rows, not_reported, comparable=len(large) > 1)
                )
    return report
