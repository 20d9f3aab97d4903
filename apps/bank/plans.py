"""What an interview plan can decide: the SCORING.md simulation, run by the engine.

:func:`simulate_plan` runs four synthetic candidates through every stage of a plan, each live
stage rated by its panel, each take-home answer by its raters and not discussed live, and scores
the pooled application with :func:`apps.scoring.engine.score`:

- ``all_3s``: every item rated 3 (meets the bar) -> never ``below_bar``, ``p_above >= 0.8``,
  and coverage reached (not ``incomplete``);
- ``all_2s``: every item rated 2 -> never ``above_bar``, ``p_above <= 0.2``;
- ``mes``: plant items 4, enterprise items 1, core items 3 -> oriented ``plant``; a
  ``mismatch`` for an enterprise role, a ``match`` for a plant role;
- ``mom``: the mirror (enterprise 4, plant 1) -> oriented ``enterprise``.

The same preview serves the shipped-plan test, ``manage.py plan_check`` and the kit builder.
The rules on single kits are in :mod:`apps.bank.kit_rules`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apps.scoring.engine import Item, Role, score
from apps.scoring.inputs import DEFAULT_BAR

from . import kit_rules
from .kit_rules import CORE, TRACKS, ItemSpec, KitSpec

LIVE = "live"
TAKE_HOME = "take_home"
P_ABOVE_AT_THE_BAR = 0.8  # all 3s must be at least this likely above the bar
P_ABOVE_BELOW_THE_BAR = 0.2  # all 2s at most this

#: The synthetic candidates: a rating per item track tag.
PROFILES: dict[str, dict[str, float]] = {
    "all_3s": {"plant": 3, "enterprise": 3, CORE: 3},
    "all_2s": {"plant": 2, "enterprise": 2, CORE: 2},
    "mes": {"plant": 4, "enterprise": 1, CORE: 3},
    "mom": {"plant": 1, "enterprise": 4, CORE: 3},
}
PROFILE_LABELS = {
    "all_3s": "all 3s",
    "all_2s": "all 2s",
    "mes": "MES profile (plant 4, enterprise 1, core 3)",
    "mom": "MOM profile (enterprise 4, plant 1, core 3)",
}


@dataclass(frozen=True)
class StageSpec:
    name: str
    mode: str  # live | take_home
    kit: KitSpec
    panel_size: int = 1
    expected_minutes: int | None = None  # None: the kit's questions' minutes

    @property
    def minutes(self) -> int:
        return self.expected_minutes if self.expected_minutes is not None else self.kit.minutes


@dataclass(frozen=True)
class PlanSpec:
    key: str
    name: str
    track: str
    level: int
    competency_weights: Mapping[str, float]
    stages: tuple[StageSpec, ...] = field(default_factory=tuple)

    def items(self) -> list[ItemSpec]:
        """Every distinct question of the plan (a question in two stages is one item)."""
        seen: dict[str, ItemSpec] = {}
        for stage in self.stages:
            for item in stage.kit.items:
                seen.setdefault(item.key, item)
        return list(seen.values())


# -- adapters ---------------------------------------------------------------------------------


def plan_spec(plan: Any) -> PlanSpec:
    """A :class:`PlanSpec` from a ``Plan`` row (prefetch ``stages__kit__items__question``)."""
    return PlanSpec(
        key=plan.key,
        name=plan.name,
        track=plan.track.key,
        level=plan.level_id,
        competency_weights=dict(plan.competency_weights),
        stages=tuple(
            StageSpec(
                name=s.name,
                mode=s.mode,
                kit=kit_rules.kit_spec(s.kit),
                panel_size=s.panel_size,
                expected_minutes=s.expected_minutes,
            )
            for s in plan.stages.all()
        ),
    )


def bank_plan_spec(bank: Any, key: str) -> PlanSpec:
    """A :class:`PlanSpec` from validated YAML (``apps.bank.schema.Bank``), no database."""
    plan = bank.plans[key]

    def kit(kit_key: str) -> KitSpec:
        k = bank.kits[kit_key]
        items = []
        for i in k.items:
            q = bank.questions[i.question]
            items.append(
                ItemSpec(
                    q.key, q.competency, q.track, q.level, q.kind, q.expected_minutes, i.weight
                )
            )
        return KitSpec(k.key, k.track, k.level, k.take_home, tuple(items), k.competency_weights)

    return PlanSpec(
        key=plan.key,
        name=plan.name,
        track=plan.track,
        level=plan.level,
        competency_weights=dict(plan.competency_weights),
        stages=tuple(
            StageSpec(s.name, s.mode, kit(s.kit), s.interviewers, s.expected_minutes)
            for s in plan.stages
        ),
    )


# -- the simulation ---------------------------------------------------------------------------


def synthetic_items(plan: PlanSpec, ratings: Mapping[str, float]) -> list[Item]:
    """One engine item per question per stage, rated ``ratings[track tag]`` by every rater of
    the stage; take-home answers are not discussed live. Repeated questions pool by id."""
    items = []
    for stage in plan.stages:
        source = TAKE_HOME if stage.mode == TAKE_HOME else LIVE
        for q in stage.kit.items:
            items.append(
                Item(
                    id=q.key,
                    competency=q.competency,
                    track=q.track,
                    level=q.level,
                    weight=q.weight,
                    source=source,
                    ratings=[float(ratings[q.track])] * stage.panel_size,
                )
            )
    return items


def _role(plan: PlanSpec, bar: float) -> Role:
    live_panels = [s.panel_size for s in plan.stages if s.mode == LIVE]
    return Role(
        track=plan.track,
        level=plan.level,
        weights=dict(plan.competency_weights),
        bar=bar,
        panel_size=max(live_panels, default=2),
    )


def _verdict(result: Any) -> dict[str, Any]:
    return {
        "label": result.label,
        "p_above": result.p_above,
        "score": 100 * result.estimate,
        "band": (100 * result.band[0], 100 * result.band[1]),
        "coverage": result.coverage,
        "orientation": result.track.orientation,
        "fit": result.track.fit,
        "n_plant": result.track.plant.n_eff,
        "n_enterprise": result.track.enterprise.n_eff,
        "level_fit": result.level_fit,
    }


def expectation_problems(plan: PlanSpec, verdicts: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Where the simulated verdicts break SCORING.md's plan rules (empty when they all hold)."""
    problems = []
    v3, v2 = verdicts["all_3s"], verdicts["all_2s"]
    if v3["label"] == "incomplete":
        problems.append(
            f"all 3s: incomplete (coverage {v3['coverage']:.0%}): competencies with an "
            "effective count of 2 or more must carry 80% of the weight"
        )
    if v3["label"] == "below_bar":
        problems.append("all 3s: below_bar; a consistent run of 3s must never be below the bar")
    if v3["p_above"] < P_ABOVE_AT_THE_BAR:
        problems.append(
            f"all 3s: only {v3['p_above']:.0%} likely above the bar (needs "
            f"{P_ABOVE_AT_THE_BAR:.0%}): add items to the weighted competencies"
        )
    if v2["label"] == "above_bar":
        problems.append("all 2s: above_bar; a consistent run of 2s must never be above the bar")
    if v2["p_above"] > P_ABOVE_BELOW_THE_BAR:
        problems.append(
            f"all 2s: {v2['p_above']:.0%} likely above the bar (at most "
            f"{P_ABOVE_BELOW_THE_BAR:.0%})"
        )
    for profile, oriented in (("mes", "plant"), ("mom", "enterprise")):
        v = verdicts[profile]
        expected_fit = "match" if oriented == plan.track else "mismatch"
        if v["orientation"] != oriented or v["fit"] != expected_fit:
            problems.append(
                f"{PROFILE_LABELS[profile]}: oriented {v['orientation']}, fit {v['fit']}; "
                f"expected {oriented} and {expected_fit} for a {plan.track} role"
            )
    return problems


def plan_problems(plan: PlanSpec) -> list[str]:
    """The rules the plan's structure breaks: its stages' kits, modes, panels, repeats, and
    (enterprise plans) the four ISA-95 operations categories."""
    problems = [] if plan.stages else ["the plan has no stages"]
    for n, stage in enumerate(plan.stages, 1):
        where = f"stage {n} {stage.name!r} (kit {stage.kit.key})"
        if stage.mode not in (LIVE, TAKE_HOME):
            problems.append(f"{where}: unknown mode {stage.mode!r}")
        if stage.kit.take_home != (stage.mode == TAKE_HOME):
            wanted = "take-home" if stage.mode == TAKE_HOME else "live"
            problems.append(f"{where}: a {stage.mode} stage needs a {wanted} kit")
        if stage.panel_size < 1:
            problems.append(f"{where}: at least one interviewer rates each item")
        if stage.kit.track != plan.track:
            problems.append(f"{where}: the kit is for the {stage.kit.track} track")
        problems.extend(f"{where}: {p}" for p in kit_rules.check_kit(stage.kit))
    asked = Counter(q.key for stage in plan.stages for q in stage.kit.items)
    repeated = sorted(k for k, n in asked.items() if n > 1)
    if repeated:
        problems.append(
            "asked in more than one stage (pooled as one item, so the repeat adds little "
            f"evidence): {', '.join(repeated)}"
        )
    weights = dict(plan.competency_weights)
    if abs(sum(weights.values()) - 1.0) > kit_rules.WEIGHT_TOLERANCE:
        problems.append(f"competency weights sum to {sum(weights.values()):.3f}, not 1")
    if plan.track == "enterprise":
        missing = kit_rules.operations_missing(plan.items(), weights)
        if missing:
            problems.append(
                "an enterprise plan samples and weighs all four ISA-95 operations categories; "
                f"missing: {', '.join(missing)}"
            )
    return problems


def simulate_plan(plan: Any, *, bar: float = DEFAULT_BAR) -> dict[str, Any]:
    """The preview of what a plan can decide (a ``Plan`` row or a :class:`PlanSpec`).

    Returns ``plan``, ``name``, ``track``, ``level``, ``stages`` (name, mode, kit, panel_size,
    minutes, items per track, per level, problems), ``items`` (distinct questions per track),
    ``minutes``, ``coverage`` and ``track_fit_decidable`` (of the all-3s run), ``verdicts``
    (per profile: label, p_above, score, band, coverage, orientation, fit, n_plant,
    n_enterprise, level_fit; empty when the role itself is invalid, e.g. weights not summing to
    1) and ``problems`` (structure and simulation; empty = fine).
    """
    spec = plan if isinstance(plan, PlanSpec) else plan_spec(plan)
    counts = Counter(q.track for q in spec.items())
    try:
        role = _role(spec, bar)
        verdicts = {
            name: _verdict(score(role, synthetic_items(spec, ratings)))
            for name, ratings in PROFILES.items()
        }
    except ValueError as exc:
        # A half-edited plan (weights not summing to 1, a bad bar) must still get a preview
        # that says what is wrong, not an error page.
        verdicts = {}
        simulation_problems = [f"cannot simulate: {exc}"]
    else:
        simulation_problems = expectation_problems(spec, verdicts)
    v3 = verdicts.get("all_3s", {"coverage": 0.0, "n_plant": 0.0, "n_enterprise": 0.0})
    return {
        "plan": spec.key,
        "name": spec.name,
        "track": spec.track,
        "level": spec.level,
        "bar": bar,
        "stages": [
            {
                "name": s.name,
                "mode": s.mode,
                "kit": s.kit.key,
                "panel_size": s.panel_size,
                "minutes": s.minutes,
                "items": s.kit.per_track(),
                "levels": s.kit.per_level(),
                "head_on": s.kit.head_on(),
                "problems": kit_rules.check_kit(s.kit),
            }
            for s in spec.stages
        ],
        "items": {t: counts.get(t, 0) for t in (*TRACKS, CORE)},
        "minutes": sum(s.minutes for s in spec.stages),
        "coverage": v3["coverage"],
        "track_fit_decidable": min(v3["n_plant"], v3["n_enterprise"]) >= 3,
        "verdicts": verdicts,
        "problems": plan_problems(spec) + simulation_problems,
    }


def format_preview(preview: Mapping[str, Any]) -> str:
    """The preview as text (``manage.py plan_check``; the kit builder shows the same lines)."""
    lines = [f"{preview['plan']}: {preview['name']} ({preview['track']}, L{preview['level']})"]
    for n, s in enumerate(preview["stages"], 1):
        mode = "live" if s["mode"] == LIVE else "take-home"
        t = s["items"]
        levels = " ".join(f"L{lv}x{c}" for lv, c in s["levels"].items())
        lines.append(
            f"  {n}. {s['name']:<16} {mode:<9} panel {s['panel_size']}  {s['kit']:<24} "
            f"{s['minutes']:>3} min  plant {t['plant']} / enterprise {t['enterprise']} / "
            f"core {t['core']}  ({levels})"
        )
    t = preview["items"]
    lines.append(
        f"  whole plan: {preview['minutes']} min; {sum(t.values())} questions: plant "
        f"{t['plant']} / enterprise {t['enterprise']} / core {t['core']}; coverage "
        f"{preview['coverage']:.0%}"
    )
    v = preview["verdicts"]
    decidable = "yes" if preview["track_fit_decidable"] else "no"
    for name in ("all_3s", "all_2s") if v else ():
        r = v[name]
        lines.append(
            f"  {PROFILE_LABELS[name]}: {r['label']}, {r['p_above']:.0%} likely above the bar "
            f"(score {r['score']:.1f}, band {r['band'][0]:.1f}-{r['band'][1]:.1f})"
            + (f"; track fit decidable: {decidable}" if name == "all_3s" else "")
        )
    for name in ("mes", "mom") if v else ():
        r = v[name]
        lines.append(
            f"  {PROFILE_LABELS[name]}: oriented {r['orientation']}, fit {r['fit']} "
            f"(n plant {r['n_plant']:.1f}, n enterprise {r['n_enterprise']:.1f})"
        )
    if preview["problems"]:
        lines.append("  PROBLEMS:")
        lines.extend(f"  - {p}" for p in preview["problems"])
    else:
        lines.append("  meets the kit and plan rules")
    return "\n".join(lines)
