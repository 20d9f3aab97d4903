"""The rules a kit and a plan must meet (SCORING.md, "What a kit and a plan must make possible").

One module that every interface calls: the shipped-bank tests, ``manage.py plan_check``, the
plan preview (:mod:`apps.bank.plans`) and the kit builder. The rules work on small frozen
dataclasses (:class:`KitSpec`, :class:`ItemSpec`), so a builder can check a kit that is not
saved yet; :func:`kit_spec` and :func:`kit_problems` adapt model rows. No Django import: the rows
are read through their attributes only.

A live kit is one interview:
- at most :data:`LIVE_MAX_MINUTES` of expected time, oral and scenario questions only;
- at least :data:`MIN_ITEMS_PER_TRACK` ``plant`` and as many ``enterprise`` items within one
  level of the target, so that track fit can be decided (core items count for competencies but
  not for track fit);
- from level :data:`HEAD_ON_FROM_LEVEL` up, a head-on MES-versus-MOM question
  (:data:`HEAD_ON_KEYS`).

A take-home kit holds written and scenario questions and runs about :data:`TAKE_HOME_MINUTES`.
Every kit's items sit within :data:`LEVEL_SPAN` of its level and in competencies it weighs.

Why head-on questions are a list of keys here rather than a question field: "head-on" is a
judgement about what a question discriminates (it asks the candidate to draw the MES/MOM line
themselves), made when a kit rule is written, not a property an author sets per question; a
flag in the question schema would also make every edit of it a new question version. Keys are
stable across versions, so the list survives edits. An organization's own head-on question can
be added here (or, later, a per-organization list) without a migration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from apps.scoring.inputs import WEIGHT_SUM_TOLERANCE

LIVE_MAX_MINUTES = 60
#: A take-home runs about 90 minutes; outside this range the kit builder warns.
TAKE_HOME_MINUTES = 90
TAKE_HOME_MINUTES_RANGE = (75, 105)
#: A screen (a live stage rated by one interviewer) is a short first look.
SCREEN_MINUTES_RANGE = (30, 45)
LIVE_KINDS = ("oral", "scenario")
TAKE_HOME_KINDS = ("written", "scenario")
TRACKS = ("plant", "enterprise")
CORE = "core"
MIN_ITEMS_PER_TRACK = 3
LEVEL_SPAN = 1
HEAD_ON_FROM_LEVEL = 2
#: The engine's own tolerance for weights summing to 1: one rule, kept in apps.scoring.
WEIGHT_TOLERANCE = WEIGHT_SUM_TOLERANCE

#: Questions that ask the MES-versus-MOM distinction head-on: the candidate must say where plant
#: MES ends and enterprise MOM begins (terms, scope, activities versus systems).
#: Short head-on orals are named ``isa-headon-...`` (one or more per level); a test checks that
#: every question so named is listed here, so a new one cannot be forgotten.
HEAD_ON_KEYS = frozenset(
    {
        "isa-mes-vs-mom-terms",
        "ms-mom-scope-versus-multisite",
        "pe-activities-not-systems",
        "isa-headon-mes-mom-l1",
        "isa-headon-plant-mes-on-the-line",
        "isa-headon-plant-central-dispatch-pushback",
        "isa-headon-ent-mes-everywhere-claim",
        "isa-headon-ent-mom-or-better-mes",
    }
)
HEAD_ON_PREFIX = "isa-headon-"

#: The four ISA-95 (IEC 62264-3) operations categories, as competencies of the bank. An
#: enterprise (MOM) plan samples and weighs every one of them, not only programme topics.
ISA95_OPERATIONS = (
    "production_execution",
    "quality_operations",
    "maintenance_operations",
    "inventory_operations",
)


@dataclass(frozen=True)
class ItemSpec:
    """One question of a kit as the rules and the simulation see it."""

    key: str
    competency: str
    track: str  # plant | enterprise | core
    level: int
    kind: str  # oral | written | scenario
    minutes: int
    weight: float = 1.0


@dataclass(frozen=True)
class KitSpec:
    key: str
    track: str
    level: int
    take_home: bool
    items: tuple[ItemSpec, ...]
    competency_weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return sum(i.minutes for i in self.items)

    def in_span(self) -> list[ItemSpec]:
        """Items within one level of the target: the ones the engine weighs."""
        return [i for i in self.items if abs(i.level - self.level) <= LEVEL_SPAN]

    def per_track(self) -> dict[str, int]:
        """Items per track tag (plant, enterprise, core) within the level span."""
        counts = Counter(i.track for i in self.in_span())
        return {t: counts.get(t, 0) for t in (*TRACKS, CORE)}

    def per_level(self) -> dict[int, int]:
        return dict(sorted(Counter(i.level for i in self.items).items()))

    def head_on(self) -> list[str]:
        return [i.key for i in self.items if i.key in HEAD_ON_KEYS]


def check_kit(kit: KitSpec) -> list[str]:
    """Every rule the kit breaks, as sentences a recruiter can act on; empty when it is fine."""
    problems: list[str] = []
    weights = dict(kit.competency_weights)
    if weights:
        total = sum(weights.values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE or any(w <= 0 for w in weights.values()):
            problems.append(f"competency weights must be positive and sum to 1 (sum {total:.3f})")
    if not kit.items:
        return [*problems, "the kit has no questions"]
    dupes = sorted(k for k, n in Counter(i.key for i in kit.items).items() if n > 1)
    if dupes:
        problems.append(f"a question may appear only once: {', '.join(dupes)}")
    far = [i.key for i in kit.items if abs(i.level - kit.level) > LEVEL_SPAN]
    if far:
        problems.append(
            f"{len(far)} question(s) more than {LEVEL_SPAN} level from L{kit.level} carry no "
            f"weight: {', '.join(far)}"
        )
    if weights:
        unweighted = [i.key for i in kit.items if i.competency not in weights]
        if unweighted:
            problems.append(f"question(s) in a competency the kit does not weigh: "
                            f"{', '.join(unweighted)}")  # fmt: skip
    minutes = kit.minutes
    if kit.take_home:
        wrong = [f"{i.key} ({i.kind})" for i in kit.items if i.kind not in TAKE_HOME_KINDS]
        if wrong:
            problems.append(f"a take-home holds written and scenario questions only: "
                            f"{', '.join(wrong)}")  # fmt: skip
        low, high = TAKE_HOME_MINUTES_RANGE
        if not low <= minutes <= high:
            problems.append(
                f"a take-home runs about {TAKE_HOME_MINUTES} minutes ({low}-{high}); "
                f"this one is {minutes}"
            )
        return problems
    if minutes > LIVE_MAX_MINUTES:
        problems.append(
            f"a live interview is at most {LIVE_MAX_MINUTES} expected minutes; this one is "
            f"{minutes}"
        )
    wrong = [f"{i.key} ({i.kind})" for i in kit.items if i.kind not in LIVE_KINDS]
    if wrong:
        problems.append(f"a live kit holds oral and scenario questions only: {', '.join(wrong)}")
    counts = kit.per_track()
    for track in TRACKS:
        if counts[track] < MIN_ITEMS_PER_TRACK:
            problems.append(
                f"track fit needs at least {MIN_ITEMS_PER_TRACK} {track} items within "
                f"{LEVEL_SPAN} level of L{kit.level}; the kit has {counts[track]}"
            )
    if kit.level >= HEAD_ON_FROM_LEVEL and not kit.head_on():
        problems.append(
            f"from L{HEAD_ON_FROM_LEVEL} up a live kit asks one head-on MES-versus-MOM question "
            f"(one of: {', '.join(sorted(HEAD_ON_KEYS))})"
        )
    return problems


def kit_spec(kit: Any) -> KitSpec:
    """A :class:`KitSpec` from a ``Kit`` row (prefetch ``items__question__track`` for lists)."""
    items = []
    for item in kit.items.all():
        q = item.question
        items.append(
            ItemSpec(
                key=q.key,
                competency=q.competency.key,
                track=q.track.key if q.track_id else CORE,
                level=q.level_id,
                kind=q.kind,
                minutes=q.expected_minutes,
                weight=item.weight,
            )
        )
    return KitSpec(
        key=kit.key,
        track=kit.track.key,
        level=kit.level_id,
        take_home=kit.take_home,
        items=tuple(items),
        competency_weights=dict(kit.competency_weights),
    )


def kit_problems(kit: Any) -> list[str]:
    """The rules a ``Kit`` row breaks (:func:`check_kit` on its questions as they are now)."""
    return check_kit(kit_spec(kit))


def operations_missing(items: Iterable[ItemSpec], weights: Mapping[str, float]) -> list[str]:
    """ISA-95 operations categories that have no item or no weight (enterprise plans)."""
    sampled = {i.competency for i in items}
    return [c for c in ISA95_OPERATIONS if c not in sampled or weights.get(c, 0) <= 0]
