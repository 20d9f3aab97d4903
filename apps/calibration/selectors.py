"""Reads of calibration: the agreement report, and practice answers for a member.

The report rests on the ratings the scores rest on: only submitted scorecards, an item a
scorecard marked "not asked" counts nowhere, and an interviewer's item rating is the
criterion-weighted mean (``apps.interviews.services.scoring.card_item_ratings``). The maths is
``apps.scoring.agreement``'s; here ratings are only sorted into units and coders. It loads in a
constant number of queries whatever the organization's size, and computes in Python.

Units and coders:
- per question: units are the session items of that question key, coders the interviewers;
- per kit: units are the session items of sessions run on that kit;
- per interviewer against the panel: units are the items that interviewer rated, coders that
  interviewer and everyone else who rated the same items (:data:`INTERVIEWER_ALPHA_MEANS`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from apps.accounts.models import Organization
from apps.interviews.models import CandidateSession, Scorecard
from apps.interviews.services.scoring import card_item_ratings
from apps.scoring.agreement import (
    ALPHA_MIN_UNITS,
    DRIFT_MIN_SHARED,
    alpha_reading,
    krippendorff_alpha,
    pairable,
    rater_drift,
)

from .models import PracticeAnswer, PracticeRating

INTERVIEWER_ALPHA_MEANS = (
    "An interviewer's alpha is computed over the items they rated, with them and everyone else "
    "who rated the same answers as coders: how well their ratings agree with the panel's."
)

#: Sessions read per batch of queries: an IN list stays well under the database's limit on
#: bound parameters (65535 on PostgreSQL); the page's queries grow by one batch per CHUNK.
CHUNK = 5000

#: Item ratings are weighted means (2/3 may come out as 0.6666...67 or ...66): rounded, so one
#: value is one ordinal category.
_DIGITS = 6


@dataclass(frozen=True)
class AlphaFigure:
    """One alpha and what it rests on."""

    key: str
    label: str
    alpha: float | None
    reading: str | None  # "reliable", "tentative", "rework"; None when alpha is undefined
    units: int  # pairable units: rated by two or more interviewers
    ratings: int  # the item ratings in those units
    coders: int
    provisional: bool


@dataclass(frozen=True)
class DriftFigure:
    interviewer_id: int
    label: str
    offset: float | None
    shared_items: int
    flagged: bool
    provisional: bool


@dataclass
class Report:
    aggregate_only: bool
    ratings: int = 0  # every item rating counted
    overall: AlphaFigure | None = None
    questions: list[AlphaFigure] = field(default_factory=list)
    kits: list[AlphaFigure] = field(default_factory=list)
    interviewers: list[AlphaFigure] = field(default_factory=list)  # empty when aggregate-only
    drift: list[DriftFigure] = field(default_factory=list)  # empty when aggregate-only
    drift_flagged: int = 0
    drift_interviewers: int = 0  # interviewers who share at least one item with another
    min_units: int = ALPHA_MIN_UNITS
    min_shared: int = DRIFT_MIN_SHARED
    interviewer_alpha_means: str = INTERVIEWER_ALPHA_MEANS


def _alpha_figure(key: str, label: str, units: dict[int, dict[int, float]]) -> AlphaFigure:
    coders = sorted({coder for by_coder in units.values() for coder in by_coder})
    unit_ids = list(units)
    data = [[units[u].get(coder) for u in unit_ids] for coder in coders]
    alpha = krippendorff_alpha(data, "ordinal")
    n_units, n_values = pairable(data)
    return AlphaFigure(
        key=key,
        label=label,
        alpha=alpha,
        reading=alpha_reading(alpha),
        units=n_units,
        ratings=n_values,
        coders=len(coders),
        provisional=alpha is None or n_units < ALPHA_MIN_UNITS,
    )


def _worst_first(figures: list[AlphaFigure]) -> list[AlphaFigure]:
    # What needs work first; figures resting on more units before thinner ones; undefined last.
    return sorted(figures, key=lambda f: (f.alpha is None, f.provisional, f.alpha or 0.0, f.key))


def _names(user_ids: set[int]) -> dict[int, str]:
    rows = get_user_model().objects.filter(pk__in=user_ids)
    names = {}
    for pk, username, first, last in rows.values_list("pk", "username", "first_name", "last_name"):
        full = f"{first} {last}".strip()
        names[pk] = f"{full} ({username})" if full else username
    return names


def calibration_report(*, organization: Organization) -> Report:
    """Agreement between the organization's interviewers, computed in Python: the queries of
    ``card_item_ratings`` per :data:`CHUNK` rated sessions, plus 2 (3 with names)."""
    report = Report(aggregate_only=organization.calibration_aggregate_only)
    submitted = Scorecard.objects.filter(session=OuterRef("pk"), status=Scorecard.Status.SUBMITTED)
    kit_of = dict(
        CandidateSession.objects.filter(organization=organization)
        .filter(Exists(submitted))
        .values_list("pk", "kit_key")
    )
    if not kit_of:
        return report
    session_ids = list(kit_of)
    rows = []
    for start in range(0, len(session_ids), CHUNK):
        rows += card_item_ratings(session_ids=session_ids[start : start + CHUNK])
    interviewer_of = dict(
        Scorecard.objects.filter(
            session__organization=organization, status=Scorecard.Status.SUBMITTED
        ).values_list("pk", "interviewer_id")
    )
    # unit (session item) -> coder (interviewer) -> item rating
    units: dict[int, dict[int, float]] = defaultdict(dict)
    by_question: dict[str, set[int]] = defaultdict(set)
    by_kit: dict[str, set[int]] = defaultdict(set)
    by_interviewer: dict[int, set[int]] = defaultdict(set)
    for session_id, item_id, question_key, card_id, value in rows:
        interviewer = interviewer_of.get(card_id)
        if interviewer is None:
            continue  # its session was erased between the two reads
        report.ratings += 1
        units[item_id][interviewer] = round(value, _DIGITS)
        by_question[question_key].add(item_id)
        by_kit[kit_of[session_id]].add(item_id)
        by_interviewer[interviewer].add(item_id)
    report.overall = _alpha_figure("", "All questions", units)
    report.questions = _worst_first(
        [_alpha_figure(k, k, {u: units[u] for u in ids}) for k, ids in by_question.items()]
    )
    report.kits = _worst_first(
        [_alpha_figure(k, k, {u: units[u] for u in ids}) for k, ids in by_kit.items()]
    )
    drift = rater_drift(units)
    shared = [d for d in drift.values() if d.shared_items]
    report.drift_interviewers = len(shared)
    report.drift_flagged = sum(1 for d in shared if d.flagged)
    if report.aggregate_only:
        return report  # no per-person figure, not even under an id
    names = _names(set(by_interviewer))
    report.interviewers = _worst_first(
        [
            _alpha_figure(str(pk), names.get(pk, "?"), {u: units[u] for u in ids})
            for pk, ids in by_interviewer.items()
        ]
    )
    report.drift = sorted(
        (
            DriftFigure(
                interviewer_id=d.rater,
                label=names.get(d.rater, "?"),
                offset=d.offset,
                shared_items=d.shared_items,
                flagged=d.flagged,
                provisional=d.shared_items < DRIFT_MIN_SHARED,
            )
            for d in shared
        ),
        key=lambda d: (not d.flagged, -abs(d.offset or 0.0), d.label),
    )
    return report


def practice_answers_for(*, organization: Organization, user) -> QuerySet[PracticeAnswer]:
    """The organization's practice answers, each marked ``rated`` when ``user`` has rated it
    (one query)."""
    mine = PracticeRating.objects.filter(practice_answer=OuterRef("pk"), user=user)
    return (
        PracticeAnswer.objects.filter(organization=organization)
        .select_related("question__competency", "question__level")
        .annotate(rated=Exists(mine))
    )


def rubric_rows(question, given: dict | None, *, reference: dict | None = None) -> list[dict]:
    """Per criterion of a question version: the anchors (as the scorecard shows them) and the
    user's rating; with ``reference`` (pass it only once the user has submitted) also the
    reference rating and the difference. Criteria and anchors must be prefetched."""
    rows = []
    for criterion in question.criteria.all():
        mine = (given or {}).get(criterion.key)
        row = {
            "key": criterion.key,
            "name": f"c-{criterion.key}",
            "label": criterion.label,
            "weight": criterion.weight,
            "anchors": [(a.rating, a.text) for a in criterion.anchors.all()],
            "value": mine,
        }
        if reference is not None:
            row["reference"] = reference.get(criterion.key)
            known = mine is not None and row["reference"] is not None
            row["difference"] = mine - row["reference"] if known else None
        rows.append(row)
    return rows
