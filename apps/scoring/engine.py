"""The credibility score (0-100) with its 90% band, decision label, track fit and level fit.

Implements SCORING.md's credibility section, **version 2**, as one pure function,
`score(role, items, constants)`, over every item of an *application* (one candidate for one
position, all its stages pooled) or of one session (what that stage alone showed).

1. Item score. Items sharing an `id` (the same question asked in two sessions) are pooled into
   one item: their ratings together. `y_q` = mean rating / 4, `k_q` = number of ratings. An item
   whose ratings differ by 2 or more (`Constants.discrepancy`) is *discrepant*: flagged, never
   overridden.
2. Item weight `v_q = L * S * item_weight`: `L` = 1 at the target level, 0.5 one level away,
   items two or more levels away excluded; `S` = 1 for a live answer or a take-home answer
   discussed live, 0.5 for a take-home answer not discussed live.
3. Item error `e_q = sigma_i^2 + sigma_r^2 / k_q`: the item's own noise plus the raters' noise,
   which averages out over interviewers (generalizability theory: Brennan 2001; Shavelson &
   Webb 1991).
4. Competency estimate, Kelley's (1947) true-score formula (the posterior mean of a normal prior
   `N(mu, tau^2)`):
       m_c     = sum(v*y) / sum(v)               observed mean
       n_c     = sum(v)^2 / sum(v^2)             Kish's effective count
       err_c   = sum(v^2 * e_q) / sum(v)^2       error variance of m_c
       rho_c   = tau^2 / (tau^2 + err_c)
       theta_c = rho_c*m_c + (1 - rho_c)*mu,     SE_c = tau*sqrt(1 - rho_c)
   With no evidence: theta_c = mu, SE_c = tau, n_c = 0.
5. Overall: `C = sum(W_c*theta_c)`, `SE = sqrt(sum(W_c^2*SE_c^2))`; score `100*C`, band
   `100*(C -/+ z*SE)` clipped to 0..100; `p_above = Phi((C - bar) / SE)`.
6. Label: `incomplete` when competencies with `n_c >= 2` carry < 80% of the weight; otherwise
   `above_bar` (band low >= bar), `below_bar` (band high < bar), else `borderline`. A critical
   red flag caps `above_bar` at `borderline`.
7. Track fit: step 4 over the `plant` items and over the `enterprise` items; `lean = theta_E -
   theta_P`, `SE_lean = sqrt(SE_E^2 + SE_P^2)`; orientation beyond `z*SE_lean`; fit `unclear`
   below an effective count of 3 on either track, `mismatch` when oriented to the other track,
   `match` when the target track's theta >= bar.
8. Level fit: the highest level whose items, scored as in step 4 without the level factor,
   reach theta >= bar with an effective count >= 2.
9. Next evidence: per weighted competency, the band's half-width if one more live item at the
   target level, rated by the role's usual panel size, were added; the three narrowest, by
   half-width rounded to 0.1, then competency key.

The bar is the borderline candidate's score (the boundary between rating 2 and rating 3 by
default; Livingston & Zieky 1982, Cizek & Bunch 2007), so a consistent run of 3s is never below
it. References: Kelley, T. L. (1947) Fundamentals of Statistics; Kish, L. (1965) Survey Sampling;
Brennan, R. L. (2001) Generalizability Theory; Campion, Palmer & Campion (1997) on mechanical
combination; Sackett, Zhang, Berry & Lievens (2022) on validity.

Competencies that items measure but the role does not weight are estimated and reported under
`competencies` but carry no weight: they do not enter C, SE, coverage or next evidence. They do
enter track fit and level fit, which are about the candidate's profile rather than this role's
weighting.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.scoring.inputs import DEFAULT_BAR, Constants, Item, Role, item_rating

__all__ = [
    "DEFAULTS",
    "DEFAULT_BAR",
    "SCORING_VERSION",
    "Constants",
    "Estimate",
    "Item",
    "PooledItem",
    "Result",
    "Role",
    "TrackFit",
    "item_rating",
    "kelley",
    "normal_cdf",
    "pool",
    "score",
]

#: Bumped whenever a formula or a default constant changes, and stored with every score. A
#: result stored under an older version keeps its string until an explicit rescore.
SCORING_VERSION = "2"

# Thresholds are compared with this slack so that a value equal to a threshold on paper (a
# coverage of 0.1 + 0.7, a band edge of exactly the bar) is not lost to binary rounding.
_EPS = 1e-9

#: The default constants (SCORING.md); frozen, so one shared instance is safe as a default.
DEFAULTS = Constants()

#: How many competencies next evidence lists (SCORING.md step 9).
NEXT_EVIDENCE_COUNT = 3


def _at_least(value: float, threshold: float) -> bool:
    return value >= threshold - _EPS


def _pct(value: float | None) -> float | None:
    """0..1 -> 0..100 rounded to 0.1; `+ 0.0` turns -0.0 into 0.0 for the JSON."""
    if value is None:
        return None
    return round(100 * value, 1) + 0.0


def normal_cdf(x: float) -> float:
    """The standard normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


@dataclass(frozen=True)
class PooledItem:
    """One question's evidence in an application: every rating of every occurrence (step 1).

    The first occurrence gives the competency, track, level and weight (a question's frozen copy
    keeps them across sessions); `answered_live` holds when any occurrence was answered live or
    discussed live, since the live answer is then part of the evidence.
    """

    id: str
    competency: str
    track: str
    level: int
    weight: float
    answered_live: bool
    ratings: tuple[float, ...]
    critical_flag_texts: tuple[str | None, ...]

    @property
    def k(self) -> int:
        return len(self.ratings)

    @property
    def y(self) -> float | None:
        if not self.ratings:
            return None
        return math.fsum(self.ratings) / len(self.ratings) / 4.0


def pool(items: Iterable[Item]) -> list[PooledItem]:
    """Items sharing an id become one item with all their ratings, in first-seen order."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        texts: Sequence[str | None] = item.critical_flag_texts
        if not texts and item.critical_flags:
            texts = [None] * item.critical_flags
        # An occurrence counts as answered live only once it has ratings: a live stage that is
        # scheduled (or not yet submitted) has not heard the answer yet.
        live = item.answered_live and bool(item.ratings)
        entry = merged.get(item.id)
        if entry is None:
            merged[item.id] = {
                "item": item,
                "live": live,
                "ratings": list(item.ratings),
                "flags": list(texts),
            }
        else:
            entry["live"] = entry["live"] or live
            entry["ratings"].extend(item.ratings)
            entry["flags"].extend(texts)
    return [
        PooledItem(
            id=key,
            competency=entry["item"].competency,
            track=entry["item"].track,
            level=entry["item"].level,
            weight=entry["item"].weight,
            answered_live=entry["live"],
            ratings=tuple(entry["ratings"]),
            critical_flag_texts=tuple(entry["flags"]),
        )
        for key, entry in merged.items()
    ]


@dataclass(frozen=True)
class Estimate:
    """A Kelley estimate on the 0..1 scale: observed mean, shrunk estimate, SE, effective count."""

    observed: float | None
    estimate: float
    se: float
    n_eff: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "observed": _pct(self.observed),
            "estimate": _pct(self.estimate),
            "se": _pct(self.se),
            "n_eff": round(self.n_eff, 2) + 0.0,
        }


#: One piece of evidence for an estimate: (y, v, e) = item score, item weight, item error.
Evidence = tuple[float, float, float]


def kelley(evidence: Iterable[Evidence], constants: Constants = DEFAULTS) -> Estimate:
    """Kelley's true-score estimate from `(y, v, e)` triples (SCORING.md step 4).

        m = sum(v*y) / sum(v),  n = sum(v)^2 / sum(v^2),  err = sum(v^2*e) / sum(v)^2
        rho = tau^2 / (tau^2 + err)
        theta = rho*m + (1 - rho)*mu,  SE = tau*sqrt(1 - rho)

    `n` is Kish's effective count: equal weights give the number of items; unequal weights give
    fewer. Triples with `v <= 0` carry no evidence. No evidence gives the prior (mu, tau, n = 0).
    """
    triples = [(y, v, e) for y, v, e in evidence if v > 0]
    if not triples:
        return Estimate(observed=None, estimate=constants.mu, se=constants.tau, n_eff=0.0)
    sum_v = math.fsum(v for _, v, _ in triples)
    sum_v2 = math.fsum(v * v for _, v, _ in triples)
    observed = math.fsum(v * y for y, v, _ in triples) / sum_v
    err = math.fsum(v * v * e for _, v, e in triples) / (sum_v * sum_v)
    prior_var = constants.tau**2
    rho = prior_var / (prior_var + err)
    return Estimate(
        observed=observed,
        estimate=rho * observed + (1 - rho) * constants.mu,
        se=constants.tau * math.sqrt(1 - rho),
        n_eff=sum_v * sum_v / sum_v2,
    )


def item_error(raters: int, constants: Constants = DEFAULTS) -> float:
    """`e_q = sigma_i^2 + sigma_r^2 / k_q` (SCORING.md step 3); `raters` >= 1."""
    return constants.sigma_i**2 + constants.sigma_r**2 / raters


@dataclass(frozen=True)
class TrackFit:
    """SCORING.md step 7: plant vs enterprise profile, and whether it fits the target track.

    `missing` says how many more items (live, at the target level) each track needs before fit
    can be decided: 0 when its effective count already reaches the minimum.
    """

    plant: Estimate
    enterprise: Estimate
    lean: float  # theta_E - theta_P
    se_lean: float  # sqrt(SE_E^2 + SE_P^2)
    orientation: str  # enterprise | plant | balanced
    fit: str  # match | mismatch | unclear
    missing: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plant": _pct(self.plant.estimate),
            "enterprise": _pct(self.enterprise.estimate),
            "lean": _pct(self.lean),
            "se_lean": _pct(self.se_lean),
            "orientation": self.orientation,
            "fit": self.fit,
            # Beyond the CLI's documented keys: each track's own SE and evidence, so a chart can
            # draw each whisker and a page can say "needs 2 more plant items".
            "se_plant": _pct(self.plant.se),
            "se_enterprise": _pct(self.enterprise.se),
            "n_plant": round(self.plant.n_eff, 2) + 0.0,
            "n_enterprise": round(self.enterprise.n_eff, 2) + 0.0,
            "missing": dict(self.missing),
        }


@dataclass(frozen=True)
class Result:
    """Everything stored on an application or session, on the engine's 0..1 scale;
    `to_dict()` gives 0..100.

    `estimate` is C and `band` its clipped 90% band; `p_above` how likely the true score is
    above `bar`. `levels` keeps the per-level estimates behind `level_fit` (None means "none")
    for explanation; it is not part of `to_dict()`. `flags` are plain dicts with a `kind`:
    `critical_red_flag` (item, text), `discrepant` (item, ratings) and `no_evidence`
    (competency). `next_evidence` lists `(competency, band half-width 0..1)`, best first.
    """

    estimate: float
    se: float
    band: tuple[float, float]
    bar: float
    p_above: float
    label: str
    coverage: float
    competencies: dict[str, Estimate]
    track: TrackFit
    level_fit: int | None
    levels: dict[int, Estimate]
    flags: list[dict[str, Any]]
    next_evidence: list[tuple[str, float]]
    constants: Constants
    panel_size: int = 2
    scoring_version: str = field(default=SCORING_VERSION)

    @property
    def score(self) -> float:
        """The credibility score, 100*C, unrounded."""
        return 100 * self.estimate

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON shape; 0..100 values rounded to 0.1, coverage 0..1 to 0.001,
        `p_above` 0..1 to 0.01."""
        return {
            "score": _pct(self.estimate),
            "band": [_pct(self.band[0]), _pct(self.band[1])],
            "se": _pct(self.se),
            "bar": _pct(self.bar),
            "p_above": round(self.p_above, 2) + 0.0,
            "label": self.label,
            "coverage": round(self.coverage, 3) + 0.0,
            "competencies": {key: est.to_dict() for key, est in self.competencies.items()},
            "track": self.track.to_dict(),
            "level_fit": "none" if self.level_fit is None else self.level_fit,
            "flags": [dict(flag) for flag in self.flags],
            "next_evidence": [
                {"competency": c, "band_halfwidth": _pct(hw)} for c, hw in self.next_evidence
            ],
            "panel_size": self.panel_size,
            "scoring_version": self.scoring_version,
            "constants": self.constants.to_dict(),
        }


def _item_weight(item: PooledItem, role: Role, constants: Constants) -> float:
    """`v_q = L * S * item_weight`; 0 for an item too many levels from the target (excluded)."""
    level_factor = constants.level_factor.get(abs(item.level - role.level))
    if level_factor is None:
        return 0.0
    return level_factor * _source_factor(item, constants) * item.weight


def _source_factor(item: PooledItem, constants: Constants) -> float:
    return constants.source_factor["live" if item.answered_live else "take_home"]


def _flags(
    role: Role,
    items: Sequence[PooledItem],
    competencies: dict[str, Estimate],
    constants: Constants,
) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    # A critical red flag counts wherever it was observed, even on an item excluded by level:
    # it is about the candidate, not about the evidence for one competency.
    for item in items:
        for text in item.critical_flag_texts:
            flags.append({"kind": "critical_red_flag", "item": item.id, "text": text})
    for item in items:
        if item.ratings and _at_least(max(item.ratings) - min(item.ratings), constants.discrepancy):
            flags.append({"kind": "discrepant", "item": item.id, "ratings": list(item.ratings)})
    for competency, weight in role.weights.items():
        if weight > 0 and competencies[competency].n_eff == 0:
            flags.append({"kind": "no_evidence", "competency": competency})
    return flags


def _label(low: float, high: float, coverage: float, critical: bool, bar: float, c: Constants):
    if coverage < c.coverage_min - _EPS:
        return "incomplete"
    if _at_least(low, bar):
        # On the numbers it clears the bar, but a critical red flag needs a human look first.
        return "borderline" if critical else "above_bar"
    if high < bar - _EPS:
        return "below_bar"
    return "borderline"


def _items_missing(evidence: Sequence[Evidence], minimum: float) -> int:
    """How many more items of weight 1 reach an effective count of `minimum` (step 9)."""
    sum_v = math.fsum(v for _, v, _ in evidence)
    sum_v2 = math.fsum(v * v for _, v, _ in evidence)
    added = 0
    while sum_v2 == 0 or sum_v * sum_v / sum_v2 < minimum - _EPS:
        sum_v += 1.0
        sum_v2 += 1.0
        added += 1
    return added


def _track_fit(role: Role, evidence: dict[str, list[Evidence]], constants: Constants) -> TrackFit:
    plant = kelley(evidence["plant"], constants)
    enterprise = kelley(evidence["enterprise"], constants)
    lean = enterprise.estimate - plant.estimate
    se_lean = math.sqrt(enterprise.se**2 + plant.se**2)
    margin = constants.z * se_lean
    if lean > margin + _EPS:
        orientation = "enterprise"
    elif lean < -margin - _EPS:
        orientation = "plant"
    else:
        orientation = "balanced"
    target = enterprise if role.track == "enterprise" else plant
    missing = {
        track: _items_missing(evidence[track], constants.track_fit_min_n)
        for track in ("plant", "enterprise")
    }
    if any(missing.values()):
        fit = "unclear"
    elif orientation not in ("balanced", role.track):
        fit = "mismatch"
    elif _at_least(target.estimate, role.bar):
        fit = "match"
    else:
        fit = "unclear"
    return TrackFit(plant, enterprise, lean, se_lean, orientation, fit, missing)


def _level_fit(
    items: Sequence[PooledItem], bar: float, constants: Constants
) -> tuple[int | None, dict[int, Estimate]]:
    levels: dict[int, Estimate] = {}
    for level in (1, 2, 3, 4):
        # No level factor here: the question is how the candidate does at level L itself.
        levels[level] = kelley(
            [
                (
                    item.y,
                    _source_factor(item, constants) * item.weight,
                    item_error(item.k, constants),
                )
                for item in items
                if item.level == level and item.y is not None
            ],
            constants,
        )
    passed = [
        level
        for level, est in levels.items()
        if _at_least(est.estimate, bar) and _at_least(est.n_eff, constants.level_fit_min_n)
    ]
    return (max(passed) if passed else None), levels


def _next_evidence(
    role: Role,
    by_competency: dict[str, list[Evidence]],
    competencies: dict[str, Estimate],
    constants: Constants,
) -> list[tuple[str, float]]:
    """Step 9: the band half-width with one more live item at the target level (v = 1) rated by
    the role's usual panel, per weighted competency; the narrowest three first."""
    weights = {c: w for c, w in role.weights.items() if w > 0}
    base = math.fsum(w * w * competencies[c].se ** 2 for c, w in weights.items())
    extra = (0.5, 1.0, item_error(role.panel_size, constants))  # y does not move the SE
    options = []
    for competency, weight in weights.items():
        se_new = kelley([*by_competency[competency], extra], constants).se
        variance = base - weight * weight * competencies[competency].se ** 2
        variance += weight * weight * se_new**2
        halfwidth = constants.z * math.sqrt(max(variance, 0.0))
        options.append((round(100 * halfwidth, 1), competency, halfwidth))
    options.sort(key=lambda option: (option[0], option[1]))
    return [(competency, hw) for _, competency, hw in options[:NEXT_EVIDENCE_COUNT]]


def score(role: Role, items: Sequence[Item], constants: Constants = DEFAULTS) -> Result:
    """Score an application (or one session): SCORING.md v2, steps 1-9. See the module
    docstring for the formulas. Items sharing an id are pooled (step 1)."""
    pooled = pool(items)

    # Steps 1-3: (y_q, v_q, e_q) per competency and per track. Unrated or excluded items add
    # nothing.
    by_competency: dict[str, list[Evidence]] = {c: [] for c in role.weights}
    by_track: dict[str, list[Evidence]] = {"plant": [], "enterprise": [], "core": []}
    for item in pooled:
        by_competency.setdefault(item.competency, [])
        v = _item_weight(item, role, constants)
        if item.y is None or v == 0:
            continue
        evidence = (item.y, v, item_error(item.k, constants))
        by_competency[item.competency].append(evidence)
        by_track[item.track].append(evidence)

    # Step 4, role competencies first (in the role's order), then unweighted ones by name.
    order = list(role.weights) + sorted(c for c in by_competency if c not in role.weights)
    competencies = {c: kelley(by_competency[c], constants) for c in order}

    # Step 5. Competency estimates are independent, so their variances add with weights W_c^2.
    weights = role.weights
    estimate = math.fsum(w * competencies[c].estimate for c, w in weights.items())
    se = math.sqrt(math.fsum(w * w * competencies[c].se ** 2 for c, w in weights.items()))
    low = estimate - constants.z * se
    high = estimate + constants.z * se
    band = (min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0))
    p_above = normal_cdf((estimate - role.bar) / se)

    # Step 6.
    coverage = math.fsum(
        w
        for c, w in weights.items()
        if w > 0 and _at_least(competencies[c].n_eff, constants.coverage_n_min)
    )
    flags = _flags(role, pooled, competencies, constants)
    critical = any(flag["kind"] == "critical_red_flag" for flag in flags)
    label = _label(low, high, coverage, critical, role.bar, constants)

    # Steps 7-9.
    track = _track_fit(role, by_track, constants)
    level_fit, levels = _level_fit(pooled, role.bar, constants)
    next_evidence = _next_evidence(role, by_competency, competencies, constants)

    return Result(
        estimate=estimate,
        se=se,
        band=band,
        bar=role.bar,
        p_above=p_above,
        label=label,
        coverage=coverage,
        competencies=competencies,
        track=track,
        level_fit=level_fit,
        levels=levels,
        flags=flags,
        next_evidence=next_evidence,
        constants=constants,
        panel_size=role.panel_size,
    )
