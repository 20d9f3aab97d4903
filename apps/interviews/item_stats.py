"""Item statistics of the bank's questions from one organization's own interviews (issue 14).

Rules this selector keeps:

- **The organization's own sessions only**, non-cancelled, with at least one submitted
  scorecard. Another tenant's ratings never reach these figures.
- **The ratings the scores rest on.** Item ratings come from
  ``apps.interviews.services.scoring.card_item_ratings``, the scoring code path itself (each
  interviewer's criterion-weighted item rating, items marked "not asked" left out). An
  application's rating of a question pools every interviewer and every stage, as the engine
  pools an item (SCORING.md step 1: ``y_q`` is their mean), so ``responses[application]
  [question key]`` = that mean, and all versions of a key count together.
- **One formula home.** Facility, discrimination, category use, the flags and "provisional"
  are ``apps.scoring.items.item_statistics``'s; this module only words them.
- **Constant queries**: the sessions (one query), the ratings (those of ``_load_inputs``, per
  chunk of sessions), the versions, and the questions (one each), whatever the data's size.

The corrected item-total correlation needs each candidate's other items, so statistics are
computed over every question first and filters only choose the rows shown.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from apps.accounts.models import Organization
from apps.bank.models import Question
from apps.scoring import items as engine_items

from .models import CandidateSession, Scorecard, SessionItem
from .services.scoring import card_item_ratings

#: Sessions read per ratings query: keeps the IN lists short on every database.
CHUNK = 500

VERDICT_WORDS = {
    "keep": "keep (r \u2265 .30)",
    "revise": "revise (r .20\u2013.29)",
    "rework": "rework (r < .20)",
    "check_anchors": "check the anchors (r < 0)",
}
FACILITY_WORDS = {
    "hard": "hard at its level (< .15)",
    "easy": "easy at its level (> .90)",
}
FLAGGED_VERDICTS = frozenset({"revise", "rework", "check_anchors"})


@dataclass(frozen=True)
class Row:
    """One question key's figures, with the bank's latest version of it (None if gone)."""

    key: str
    question: Question | None
    versions: tuple[int, ...]
    stats: engine_items.ItemStats
    own: bool  # the organization's own question (it may retire it or open a new version)

    @property
    def facility_words(self) -> str:
        return FACILITY_WORDS.get(self.stats.facility_flag or "", "")

    @property
    def verdict_words(self) -> str:
        if self.stats.verdict is None:
            return "not computable yet (fewer than 3 answers, or no spread)"
        return VERDICT_WORDS[self.stats.verdict]

    @property
    def flagged(self) -> bool:
        return self.stats.facility_flag is not None or self.stats.verdict in FLAGGED_VERDICTS

    @property
    def category_uses(self) -> list[tuple[int, int]]:
        return sorted(self.stats.categories.items())


def item_responses(
    organization: Organization,
) -> tuple[dict[int, dict[str, float]], dict[str, set[int]]]:
    """``responses[application id][question key]`` = the application's pooled item rating
    (0-4), and the question versions asked per key, from the organization's own sessions."""
    sessions = dict(
        CandidateSession.objects.filter(
            organization=organization, scorecards__status=Scorecard.Status.SUBMITTED
        )
        .exclude(status=CandidateSession.Status.CANCELLED)
        .distinct()
        .values_list("pk", "application_id")
    )
    ids = sorted(sessions)
    pooled: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    rated_items: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        for session_id, item_id, key, _card, value in card_item_ratings(
            session_ids=ids[start : start + CHUNK]
        ):
            pooled[sessions[session_id]][key].append(value)
            rated_items.add(item_id)
    responses = {
        application: {key: math.fsum(values) / len(values) for key, values in by_key.items()}
        for application, by_key in pooled.items()
    }
    versions: dict[str, set[int]] = defaultdict(set)
    rows = SessionItem.objects.filter(
        session__organization=organization,
        session__scorecards__status=Scorecard.Status.SUBMITTED,
    ).exclude(session__status=CandidateSession.Status.CANCELLED)
    for item_id, key, version in rows.values_list("pk", "question_key", "question_version"):
        if item_id in rated_items:
            versions[key].add(version)
    return responses, versions


def item_statistics(
    organization: Organization,
    *,
    track: str = "",
    level: int | None = None,
    competency: str = "",
    flagged_only: bool = False,
) -> list[Row]:
    """The rows of the statistics page, most answers first. ``track`` is a track key or
    ``core``; the filters apply to the bank's latest version of each question."""
    responses, versions = item_responses(organization)
    stats = engine_items.item_statistics(responses)
    questions = {
        q.key: q
        for q in Question.objects.latest()
        .visible_to(organization)
        .filter(key__in=list(stats))
        .select_related("competency", "track", "level")
    }
    rows = []
    for key, figures in stats.items():
        question = questions.get(key)
        if question is not None:
            if track and question.track_tag != track:
                continue
            if level is not None and question.level_id != level:
                continue
            if competency and question.competency.key != competency:
                continue
        elif track or level is not None or competency:
            continue
        row = Row(
            key=key,
            question=question,
            versions=tuple(sorted(versions.get(key, ()))),
            stats=figures,
            own=question is not None and question.organization_id == organization.pk,
        )
        if flagged_only and not row.flagged:
            continue
        rows.append(row)
    rows.sort(key=lambda r: (-r.stats.answers, r.key))
    return rows
