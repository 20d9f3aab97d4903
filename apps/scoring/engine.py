"""The credibility score (0-100) with its 90% band, decision label, track fit and level fit.

Implements SCORING.md, steps 1-7, as one pure function, `score(role, items, constants)`.

1. Item score: `y_q = mean(item ratings) / 4`. An item whose item ratings differ by 2 or more
   (`Constants.discrepancy`) is *discrepant*: flagged, never overridden.
2. Item weight: `v_q = L * S * item_weight`; `L` = 1 at the target level, 0.5 one level away,
   and items two or more levels away are excluded; `S` = 1 live, 0.5 take-home.
3. Competency estimate, Kelley's (1947) true-score formula, i.e. the posterior mean of a normal
   prior `N(mu, tau^2)` updated by `n_c` item scores with error `sigma_e`:
       m_c     = sum(v*y) / sum(v)
       n_c     = sum(v)^2 / sum(v^2)           (Kish's effective count)
       rho_c   = n_c*tau^2 / (n_c*tau^2 + sigma_e^2)
       theta_c = rho_c*m_c + (1 - rho_c)*mu,   SE_c = tau*sqrt(1 - rho_c)
   With no evidence: theta_c = mu, SE_c = tau, n_c = 0.
4. Overall: `C = sum(W_c*theta_c)`, `SE = sqrt(sum(W_c^2*SE_c^2))` (competencies independent);
   score `100*C`, band `100*(C -/+ z*SE)` clipped to 0..100.
5. Label: `incomplete` when competencies with `n_c >= 2` carry < 80% of the weight; otherwise
   `above_bar` (band low >= 75), `below_bar` (band high < 75), else `borderline`. A critical red
   flag caps `above_bar` at `borderline`.
6. Track fit: step 3 over the `plant` items and over the `enterprise` items (all competencies,
   same `v_q`); `lean = theta_E - theta_P`, `SE_lean = sqrt(SE_E^2 + SE_P^2)`.
7. Level fit: the highest level whose items, scored as in step 3 with `v_q = S * item_weight`,
   reach theta >= 0.75 with `n >= 2`.

References: Kelley, T. L. (1947) Fundamentals of Statistics; Kish, L. (1965) Survey Sampling
(effective sample size); Campion, Palmer & Campion (1997) on mechanical combination; Sackett,
Zhang, Berry & Lievens (2022) on validity.

Competencies that items measure but the role does not weight are estimated and reported under
`competencies`, but carry no weight: they do not enter C, SE or coverage. They do enter track fit
and level fit, which are about the candidate's profile rather than this role's weighting.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.scoring.inputs import Constants, Item, Role, item_rating

__all__ = [
    "DEFAULTS",
    "SCORING_VERSION",
    "Constants",
    "Estimate",
    "Item",
    "Result",
    "Role",
    "TrackFit",
    "item_rating",
    "kelley",
    "score",
]

#: Bumped whenever a formula or a default constant changes, and stored with every score.
SCORING_VERSION = "2026.1"

# Thresholds are compared with this slack so that a value equal to a threshold on paper (a
# coverage of 0.1 + 0.7, a band edge of exactly 75) is not lost to binary rounding.
_EPS = 1e-9

#: The default constants (SCORING.md); frozen, so one shared instance is safe as a default.
DEFAULTS = Constants()


def _at_least(value: float, threshold: float) -> bool:
    return value >= threshold - _EPS


def _pct(value: float | None) -> float | None:
    """0..1 -> 0..100 rounded to 0.1; `+ 0.0` turns -0.0 into 0.0 for the JSON."""
    if value is None:
        return None
    return round(100 * value, 1) + 0.0


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


def kelley(evidence: Iterable[tuple[float, float]], constants: Constants = DEFAULTS) -> Estimate:
    """Kelley's true-score estimate from `(y, v)` pairs (SCORING.md step 3).

        m = sum(v*y) / sum(v),  n = sum(v)^2 / sum(v^2)
        rho = n*tau^2 / (n*tau^2 + sigma_e^2)
        theta = rho*m + (1 - rho)*mu,  SE = tau*sqrt(1 - rho)

    `n` is Kish's effective count: equal weights give the number of items; unequal weights give
    fewer. Pairs with `v <= 0` carry no evidence. No evidence gives the prior (mu, tau, n = 0).
    """
    pairs = [(y, v) for y, v in evidence if v > 0]
    if not pairs:
        return Estimate(observed=None, estimate=constants.mu, se=constants.tau, n_eff=0.0)
    sum_v = math.fsum(v for _, v in pairs)
    sum_v2 = math.fsum(v * v for _, v in pairs)
    observed = math.fsum(v * y for y, v in pairs) / sum_v
    n_eff = sum_v * sum_v / sum_v2
    prior_var = constants.tau**2
    rho = n_eff * prior_var / (n_eff * prior_var + constants.sigma_e**2)
    return Estimate(
        observed=observed,
        estimate=rho * observed + (1 - rho) * constants.mu,
        se=constants.tau * math.sqrt(1 - rho),
        n_eff=n_eff,
    )


@dataclass(frozen=True)
class TrackFit:
    """SCORING.md step 6: plant vs enterprise profile, and whether it fits the target track."""

    plant: Estimate
    enterprise: Estimate
    lean: float  # theta_E - theta_P
    se_lean: float  # sqrt(SE_E^2 + SE_P^2)
    orientation: str  # enterprise | plant | balanced
    fit: str  # match | mismatch | unclear

    def to_dict(self) -> dict[str, Any]:
        return {
            "plant": _pct(self.plant.estimate),
            "enterprise": _pct(self.enterprise.estimate),
            "lean": _pct(self.lean),
            "se_lean": _pct(self.se_lean),
            "orientation": self.orientation,
            "fit": self.fit,
            # Beyond the CLI's documented keys: each track's own SE and evidence, so a chart can
            # draw each whisker and say "no items" rather than show the prior as a result.
            "se_plant": _pct(self.plant.se),
            "se_enterprise": _pct(self.enterprise.se),
            "n_plant": round(self.plant.n_eff, 2) + 0.0,
            "n_enterprise": round(self.enterprise.n_eff, 2) + 0.0,
        }


@dataclass(frozen=True)
class Result:
    """Everything stored on a session, on the engine's 0..1 scale; `to_dict()` gives 0..100.

    `estimate` is C and `band` its clipped 90% band. `levels` keeps the per-level estimates
    behind `level_fit` (None means "none") for explanation; it is not part of `to_dict()`.
    `flags` are plain dicts with a `kind`: `critical_red_flag` (item, text), `discrepant`
    (item, ratings) and `no_evidence` (competency).
    """

    estimate: float
    se: float
    band: tuple[float, float]
    label: str
    coverage: float
    competencies: dict[str, Estimate]
    track: TrackFit
    level_fit: int | None
    levels: dict[int, Estimate]
    flags: list[dict[str, Any]]
    constants: Constants
    scoring_version: str = field(default=SCORING_VERSION)

    @property
    def score(self) -> float:
        """The credibility score, 100*C, unrounded."""
        return 100 * self.estimate

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON shape; 0..100 values rounded to 0.1, coverage 0..1 to 0.001."""
        return {
            "score": _pct(self.estimate),
            "band": [_pct(self.band[0]), _pct(self.band[1])],
            "se": _pct(self.se),
            "label": self.label,
            "coverage": round(self.coverage, 3) + 0.0,
            "competencies": {key: est.to_dict() for key, est in self.competencies.items()},
            "track": self.track.to_dict(),
            "level_fit": "none" if self.level_fit is None else self.level_fit,
            "flags": [dict(flag) for flag in self.flags],
            "scoring_version": self.scoring_version,
            "constants": self.constants.to_dict(),
        }


def _item_weight(item: Item, role: Role, constants: Constants) -> float:
    """`v_q = L * S * item_weight`; 0 for an item too many levels from the target (excluded)."""
    level_factor = constants.level_factor.get(abs(item.level - role.level))
    if level_factor is None:
        return 0.0
    return level_factor * constants.source_factor[item.source] * item.weight


def _flags(
    role: Role, items: Sequence[Item], competencies: dict[str, Estimate], constants: Constants
) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    # A critical red flag counts wherever it was observed, even on an item excluded by level:
    # it is about the candidate, not about the evidence for one competency.
    for item in items:
        texts: Sequence[str | None] = item.critical_flag_texts
        if not texts and item.critical_flags:
            texts = [None]
        for text in texts:
            flags.append({"kind": "critical_red_flag", "item": item.id, "text": text})
    for item in items:
        if item.ratings and _at_least(max(item.ratings) - min(item.ratings), constants.discrepancy):
            flags.append({"kind": "discrepant", "item": item.id, "ratings": list(item.ratings)})
    for competency in role.weights:
        if competencies[competency].n_eff == 0:
            flags.append({"kind": "no_evidence", "competency": competency})
    return flags


def _label(low: float, high: float, coverage: float, critical: bool, constants: Constants) -> str:
    if coverage < constants.coverage_min - _EPS:
        return "incomplete"
    if _at_least(low, constants.bar):
        # On the numbers it clears the bar, but a critical red flag needs a human look first.
        return "borderline" if critical else "above_bar"
    if high < constants.bar - _EPS:
        return "below_bar"
    return "borderline"


def _track_fit(
    role: Role, evidence: dict[str, list[tuple[float, float]]], constants: Constants
) -> TrackFit:
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
    if not (
        _at_least(plant.n_eff, constants.track_fit_min_n)
        and _at_least(enterprise.n_eff, constants.track_fit_min_n)
    ):
        fit = "unclear"
    elif orientation not in ("balanced", role.track):
        fit = "mismatch"
    elif _at_least(target.estimate, constants.bar):
        fit = "match"
    else:
        fit = "unclear"
    return TrackFit(plant, enterprise, lean, se_lean, orientation, fit)


def _level_fit(
    items: Sequence[Item], constants: Constants
) -> tuple[int | None, dict[int, Estimate]]:
    levels: dict[int, Estimate] = {}
    for level in (1, 2, 3, 4):
        # No level factor here: the question is how the candidate does at level L itself.
        levels[level] = kelley(
            [
                (item.y, constants.source_factor[item.source] * item.weight)
                for item in items
                if item.level == level and item.y is not None
            ],
            constants,
        )
    passed = [
        level
        for level, est in levels.items()
        if _at_least(est.estimate, constants.bar)
        and _at_least(est.n_eff, constants.level_fit_min_n)
    ]
    return (max(passed) if passed else None), levels


def score(role: Role, items: Sequence[Item], constants: Constants = DEFAULTS) -> Result:
    """Score one session: SCORING.md steps 1-7. See the module docstring for the formulas.

    Raises ValueError for duplicate item ids (the role, items and constants validate themselves).
    """
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"item {item.id!r}, field 'id': duplicate item id")
        seen.add(item.id)

    # Steps 1-2: (y_q, v_q) per competency and per track. Unrated or excluded items add nothing.
    by_competency: dict[str, list[tuple[float, float]]] = {c: [] for c in role.weights}
    by_track: dict[str, list[tuple[float, float]]] = {"plant": [], "enterprise": [], "core": []}
    for item in items:
        by_competency.setdefault(item.competency, [])
        v = _item_weight(item, role, constants)
        if item.y is None or v == 0:
            continue
        by_competency[item.competency].append((item.y, v))
        by_track[item.track].append((item.y, v))

    # Step 3, role competencies first (in the role's order), then unweighted ones by name.
    order = list(role.weights) + sorted(c for c in by_competency if c not in role.weights)
    competencies = {c: kelley(by_competency[c], constants) for c in order}

    # Step 4. Competency estimates are independent, so their variances add with weights W_c^2.
    weights = role.weights
    estimate = math.fsum(w * competencies[c].estimate for c, w in weights.items())
    se = math.sqrt(math.fsum(w * w * competencies[c].se ** 2 for c, w in weights.items()))
    low = estimate - constants.z * se
    high = estimate + constants.z * se
    band = (min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0))

    # Step 5.
    coverage = math.fsum(
        w for c, w in weights.items() if _at_least(competencies[c].n_eff, constants.coverage_n_min)
    )
    flags = _flags(role, items, competencies, constants)
    critical = any(flag["kind"] == "critical_red_flag" for flag in flags)
    label = _label(low, high, coverage, critical, constants)

    # Steps 6-7.
    track = _track_fit(role, by_track, constants)
    level_fit, levels = _level_fit(items, constants)

    return Result(
        estimate=estimate,
        se=se,
        band=band,
        label=label,
        coverage=coverage,
        competencies=competencies,
        track=track,
        level_fit=level_fit,
        levels=levels,
        flags=flags,
        constants=constants,
    )
