"""Reads of the bank, each a constant number of queries whatever the bank's size."""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch, QuerySet

from apps.accounts.models import Organization

from .models import Anchor, Criterion, Kit, KitItem, Level, Question, Track


def question_base(organization: Organization | None) -> QuerySet[Question]:
    """Latest versions of the questions this organization may see (shipped + its own)."""
    return (
        Question.objects.latest()
        .visible_to(organization)
        .select_related("competency", "track", "level", "organization")
    )


def with_rubric(qs: QuerySet[Question]) -> QuerySet[Question]:
    return qs.prefetch_related(
        Prefetch(
            "criteria",
            queryset=Criterion.objects.prefetch_related(
                Prefetch("anchors", queryset=Anchor.objects.order_by("rating"))
            ),
        )
    )


def bank_summary(organization: Organization | None) -> dict:
    """Published questions per track x level (a track's count includes core questions)."""
    rows = question_base(organization).published().values_list("track__key", "level_id", "kind")
    tracks = list(Track.objects.all())
    levels = list(Level.objects.all())
    by_cell: Counter = Counter()
    kinds: Counter = Counter()
    total = 0
    for track_key, level, kind in rows:
        total += 1
        kinds[kind] += 1
        for t in tracks:
            if track_key in (None, t.key):
                by_cell[(t.key, level)] += 1
    return {
        "total": total,
        "kinds": dict(kinds),
        "levels": levels,
        "rows": [
            {"track": t, "counts": [by_cell[(t.key, lv.number)] for lv in levels]} for t in tracks
        ],
        "kits": Kit.objects.visible_to(organization).count(),
    }


def kit_base(organization: Organization | None) -> QuerySet[Kit]:
    return Kit.objects.visible_to(organization).select_related("track", "level")


def kit_items(kit: Kit) -> list[KitItem]:
    return list(
        kit.items.select_related("question__competency", "question__track", "question__level")
    )
