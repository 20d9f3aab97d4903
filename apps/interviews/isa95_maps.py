"""The ISA-95 competency map of an application (what the candidate showed) and of a position
(what its interview plan covers): the reads behind ``templates/interviews/_isa95_map.html``.

Both feed :func:`apps.bank.isa95.build_map`, the one place the grid is counted. The candidate's
map uses the tags each session froze (``SessionItem.isa95_*``), so it never moves when the bank's
tags are corrected; the position's map uses the bank's current tags of its stages' kits.
Each runs a constant number of queries, whatever the number of sessions, items or stages.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef

from apps.bank.isa95 import FIELDS, Isa95Map, MapItem, Tags, build_map
from apps.bank.models import Question
from apps.scoring import item_rating

from .models import (
    Application,
    CandidateSession,
    ItemNote,
    Position,
    Rating,
    Scorecard,
)


def isa95_evidence_map(application: Application) -> Isa95Map:
    """The candidate's evidence over every stage of the application that is not cancelled.

    An item counts when at least one submitted scorecard rated it (and did not mark it not
    asked), with the mean over those scorecards of the interviewer's item rating (the
    criterion-weighted mean, 0-4, ``apps.scoring.item_rating``, as the debrief shows it). Items
    nobody rated are no evidence: their cells stay "not probed". One query: the ratings with
    their item's rubric and tags.
    """
    skipped = ItemNote.objects.filter(
        scorecard=OuterRef("scorecard"), item=OuterRef("item"), not_asked=True
    )
    rows = (
        Rating.objects.filter(
            item__session__application=application,
            scorecard__status=Scorecard.Status.SUBMITTED,
        )
        .exclude(item__session__status=CandidateSession.Status.CANCELLED)
        .exclude(Exists(skipped))
        .values_list(
            "scorecard_id",
            "item_id",
            "criterion_key",
            "value",
            "item__frozen__rubric",
            *(f"item__{name}" for name in FIELDS),
        )
    )
    given: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    items: dict[int, tuple[list, Tags]] = {}
    for card_id, item_id, key, value, rubric, *tags in rows:
        given[(card_id, item_id)][key] = value
        if item_id not in items:
            items[item_id] = (rubric, Tags.from_fields(*tags))
    per_item: dict[int, list[float]] = defaultdict(list)
    for (_card_id, item_id), ratings in given.items():
        rubric = items[item_id][0]
        value = item_rating(
            [(ratings[c["key"]], c["weight"]) for c in rubric if c["key"] in ratings]
        )
        if value is not None:
            per_item[item_id].append(value)
    return build_map(
        MapItem(items[pk][1], sum(values) / len(values)) for pk, values in sorted(per_item.items())
    )


def isa95_plan_map(position: Position) -> Isa95Map:
    """What the position's plan would probe: every distinct question of its stages' kits (a
    question in two stages pools into one item), with no ratings. One query."""
    questions = (
        Question.objects.filter(kit_items__kit__position_stages__position=position)
        .distinct()
        .only("pk", *FIELDS)
    )
    return build_map((MapItem(Tags.of(q)) for q in questions), rated=False)
