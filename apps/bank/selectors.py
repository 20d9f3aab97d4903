"""Reads of the bank, each a constant number of queries whatever the bank's size."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.accounts.models import Organization

from . import kit_rules, plans
from .models import Anchor, Criterion, Kit, KitItem, Level, Plan, PlanStage, Question, Track


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


# -- the kit builder --------------------------------------------------------------------------


def _items_prefetch() -> Prefetch:
    return Prefetch(
        "items",
        queryset=KitItem.objects.select_related(
            "question__competency", "question__track", "question__level"
        ).order_by("order", "pk"),
    )


def kits_with_items(qs: QuerySet[Kit]) -> QuerySet[Kit]:
    """Kits with their items and questions loaded in one more query (for ``kit_spec``)."""
    return qs.prefetch_related(_items_prefetch())


def plan_for_kit(organization: Organization | None, kit: Kit) -> Plan | None:
    """The plan a position of the kit's track and level would be suggested (the organization's
    own first, then the shipped one), with every stage's kit and questions loaded: four
    queries whatever the plan's size."""
    return (
        Plan.objects.visible_to(organization)
        .filter(track_id=kit.track_id, level_id=kit.level_id)
        .own_first()
        .select_related("track")
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=PlanStage.objects.select_related("kit__track").order_by("order", "pk"),
            ),
            Prefetch("stages__kit__items", queryset=_items_prefetch().queryset),
        )
        .first()
    )


def kit_preview(
    *, organization: Organization | None, kit: Kit, stage: int | None = None
) -> dict[str, Any]:
    """What a plan can decide with this kit (SCORING.md "What a kit and a plan must make
    possible"): the suggested plan for the kit's track and level with this kit in place of one
    of its stages of the same mode, or, without such a plan, a one-stage plan of this kit.

    ``stage`` picks the stage to replace (an index into the plan's stages); by default the
    stage of the same mode whose kit shares the most questions with this one (a copy replaces
    its source), then the one with the largest panel (a new live kit previews as the panel).
    Returns ``spec`` (the kit's :class:`KitSpec`), ``problems`` (the kit rules it breaks), ``plan``
    (the row or None), ``stage`` (the index replaced or None), ``stages`` (the choices: index
    and name) and ``preview`` (:func:`apps.bank.plans.simulate_plan`).
    """
    spec = kit_rules.kit_spec(kit)
    mode = plans.TAKE_HOME if kit.take_home else plans.LIVE
    plan = plan_for_kit(organization, kit)
    choices: list[tuple[int, str]] = []
    chosen = None
    if plan is not None:
        plan_spec = plans.plan_spec(plan)
        choices = [(n, s.name) for n, s in enumerate(plan_spec.stages) if s.mode == mode]
        if choices:
            mine = {i.key for i in spec.items}
            indexes = [n for n, _ in choices]
            if stage in indexes:
                chosen = stage
            else:
                chosen = max(
                    indexes,
                    key=lambda n: (
                        len(mine & {i.key for i in plan_spec.stages[n].kit.items}),
                        plan_spec.stages[n].panel_size,
                        n,
                    ),
                )
            stages = list(plan_spec.stages)
            # The kit's own minutes, not a figure the plan gave the stage it replaces.
            stages[chosen] = dataclasses.replace(stages[chosen], kit=spec, expected_minutes=None)
            plan_spec = dataclasses.replace(plan_spec, stages=tuple(stages))
    if chosen is None:
        plan = None
        plan_spec = plans.PlanSpec(
            key=kit.key,
            name=kit.name,
            track=spec.track,
            level=spec.level,
            competency_weights=dict(spec.competency_weights),
            stages=(
                plans.StageSpec(
                    name=kit.name, mode=mode, kit=spec, panel_size=1 if kit.take_home else 2
                ),
            ),
        )
    return {
        "spec": spec,
        "problems": kit_rules.check_kit(spec),
        "plan": plan,
        "stage": chosen,
        "stages": choices,
        "preview": plans.simulate_plan(plan_spec),
    }
