"""What the engine is given: the constants, the role, the frozen items and their ratings.

The dataclasses validate themselves on construction, so a `Role` or an `Item` that exists is one
the formulas can use; a bad value raises `ValueError` naming the item (or the role, or the
constant) and the field, which the CLI and the services can show as they are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

#: The rubric scale: every criterion rating, and so every item rating, lies in 0..4.
RATING_MIN = 0.0
RATING_MAX = 4.0

LEVELS = (1, 2, 3, 4)
#: A position targets one of the two tracks; an item may also be `core` (both tracks need it).
ROLE_TRACKS = ("plant", "enterprise")
ITEM_TRACKS = ("plant", "enterprise", "core")
#: `take_home` means a take-home answer that was not discussed live.
SOURCES = ("live", "take_home")

#: The default bar on the 0..1 scale: the boundary between rating 2 and rating 3 (2.5 / 4).
DEFAULT_BAR = 0.625
#: The range a position may set its own bar in, on the 0..1 scale (SCORING.md: 50 to 87.5).
BAR_MIN = 0.50
BAR_MAX = 0.875

#: How far the role's competency weights may stray from summing to 1 (rounding in stored weights).
WEIGHT_SUM_TOLERANCE = 1e-6


def _is_number(value: object) -> bool:
    # bool is an int subclass, but `true` is never a meaningful rating or weight.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_finite_number(value: object) -> bool:
    return _is_number(value) and math.isfinite(value)  # type: ignore[arg-type]


def _bar_shown(bar: object) -> str:
    # Bars are shown on the 0..100 scale people use; a non-number is shown as it came.
    return f"{100 * bar:g}" if _is_finite_number(bar) else repr(bar)  # type: ignore[operator]


@dataclass(frozen=True)
class Constants:
    """The prior, the measurement model and the decision thresholds (SCORING.md v2, steps 2-9).

    - `mu`, `tau`: mean and spread of true competency scores (0..1 scale) before any evidence.
    - `sigma_i`: an item's own noise (how much one question samples a competency).
    - `sigma_r`: one rater's noise; an item rated by `k` interviewers has error
      `e_q = sigma_i^2 + sigma_r^2 / k` (generalizability theory: Brennan 2001).
    - `z`: 1.645 gives a two-sided 90% band.
    - `discrepancy`: two item ratings this far apart (rating points) flag the item.
    - `coverage_min`, `coverage_n_min`: the label is `incomplete` unless competencies with an
      effective count >= `coverage_n_min` carry at least `coverage_min` of the weight.
    - `level_factor`: `L` by distance between item level and target level; a distance not listed
      (2 or more by default) excludes the item.
    - `source_factor`: `S`, 1 for a live answer (or a take-home answer discussed live), 0.5 for
      a take-home answer not discussed live.
    - `track_fit_min_n`, `level_fit_min_n`: the effective counts track fit and level fit need.

    The bar is not a constant: it belongs to the role (`Role.bar`), since a position may set its
    own. The defaults are SCORING.md's; they are to be re-estimated from data once a role family
    has 30+ scored candidates, and never per demographic group. The constants used are stored
    with each score so that it can be reproduced.
    """

    mu: float = 0.50
    tau: float = 0.15
    sigma_i: float = 0.15
    sigma_r: float = 0.13
    z: float = 1.645
    discrepancy: float = 2.0
    coverage_min: float = 0.80
    coverage_n_min: float = 2.0
    level_factor: Mapping[int, float] = field(default_factory=lambda: {0: 1.0, 1: 0.5})
    source_factor: Mapping[str, float] = field(
        default_factory=lambda: {"live": 1.0, "take_home": 0.5}
    )
    track_fit_min_n: float = 3.0
    level_fit_min_n: float = 2.0

    def __post_init__(self) -> None:
        def check(name: str, ok: bool, rule: str) -> None:
            if not ok:
                raise ValueError(f"constants, field {name!r}: {rule}, got {getattr(self, name)!r}")

        for f in fields(self):
            if f.name not in ("level_factor", "source_factor"):
                check(f.name, _is_finite_number(getattr(self, f.name)), "must be a finite number")
        check("mu", 0 <= self.mu <= 1, "must lie in 0..1")
        # tau > 0 and sigma_i > 0 keep rho_c strictly between 0 and 1, so SE_c > 0.
        check("tau", self.tau > 0, "must be > 0")
        check("sigma_i", self.sigma_i > 0, "must be > 0")
        check("sigma_r", self.sigma_r >= 0, "must be >= 0")
        check("z", self.z >= 0, "must be >= 0")
        check("discrepancy", self.discrepancy > 0, "must be > 0")
        check("coverage_min", 0 <= self.coverage_min <= 1, "must lie in 0..1")
        check("coverage_n_min", self.coverage_n_min >= 0, "must be >= 0")
        check("track_fit_min_n", self.track_fit_min_n >= 0, "must be >= 0")
        check("level_fit_min_n", self.level_fit_min_n >= 0, "must be >= 0")
        check(
            "level_factor",
            isinstance(self.level_factor, Mapping)
            and all(
                isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in self.level_factor
            )
            and all(_is_finite_number(v) and 0 < v <= 1 for v in self.level_factor.values()),
            "must map level distances (integers >= 0) to factors in (0, 1]",
        )
        check(
            "source_factor",
            isinstance(self.source_factor, Mapping)
            and set(self.source_factor) == set(SOURCES)
            and all(_is_finite_number(v) and 0 < v <= 1 for v in self.source_factor.values()),
            f"must map exactly {', '.join(SOURCES)} to factors in (0, 1]",
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Constants:
        """Defaults overridden by `data` (JSON-shaped: level distances may be strings like "1")."""
        if not isinstance(data, Mapping):
            raise ValueError("constants: must be an object")
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise ValueError(f"constants, field {key!r}: unknown constant")
        values = dict(data)
        if "level_factor" in values and isinstance(values["level_factor"], Mapping):
            converted: dict[int, Any] = {}
            for key, factor in values["level_factor"].items():
                try:
                    distance = int(key)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"constants, field 'level_factor': {key!r} is not a level distance"
                    ) from None
                converted[distance] = factor
            values["level_factor"] = converted
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: level distances become strings, as JSON object keys must be."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["level_factor"] = {str(k): v for k, v in sorted(self.level_factor.items())}
        out["source_factor"] = dict(self.source_factor)
        return out


@dataclass(frozen=True)
class Role:
    """The role as frozen when the application began: track (`plant` or `enterprise`), level
    1-4, competency weights, the bar and the usual panel size.

    The weights `W_c` must sum to 1 (within 1e-6): a score is a weighted mean, and silently
    renormalising would hide a misconfigured position. `bar` is on the 0..1 scale (0.625, the
    boundary between ratings 2 and 3, by default; SCORING.md step 5); `panel_size` is how many
    interviewers usually rate a live item, used to say what one more item would give (step 9).
    """

    track: str
    level: int
    weights: Mapping[str, float]
    bar: float = DEFAULT_BAR
    panel_size: int = 2

    def __post_init__(self) -> None:
        if self.track not in ROLE_TRACKS:
            raise ValueError(
                f"role, field 'track': must be one of {', '.join(ROLE_TRACKS)}, got {self.track!r}"
            )
        if not (isinstance(self.level, int) and not isinstance(self.level, bool)) or (
            self.level not in LEVELS
        ):
            raise ValueError(f"role, field 'level': must be an integer 1-4, got {self.level!r}")
        if not isinstance(self.weights, Mapping) or not self.weights:
            raise ValueError("role, field 'weights': must map at least one competency to a weight")
        for competency, weight in self.weights.items():
            if not isinstance(competency, str) or not competency:
                raise ValueError(f"role, field 'weights': bad competency key {competency!r}")
            if not _is_finite_number(weight) or weight < 0:
                raise ValueError(
                    f"role, field 'weights': weight of {competency!r} must be a number >= 0, "
                    f"got {weight!r}"
                )
        if not _is_finite_number(self.bar) or not 0 <= self.bar <= 1:
            raise ValueError(f"role, field 'bar': must lie in 0..100, got {_bar_shown(self.bar)}")
        if (
            not isinstance(self.panel_size, int)
            or isinstance(self.panel_size, bool)
            or self.panel_size < 1
        ):
            raise ValueError(
                f"role, field 'panel_size': must be an integer >= 1, got {self.panel_size!r}"
            )
        total = math.fsum(self.weights.values())
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            raise ValueError(
                f"role, field 'weights': competency weights sum to {total:.6g}, not 1 "
                f"(tolerance {WEIGHT_SUM_TOLERANCE:g})"
            )


@dataclass(frozen=True)
class Item:
    """One frozen session item and its item ratings, one per interviewer who rated it.

    `ratings` are item ratings on the 0-4 scale (fractional when criteria are weighted; see
    `item_rating`). An item nobody has rated yet has no ratings and contributes no evidence.
    `critical_flags` counts observations of red flags the bank marks critical;
    `critical_flag_texts` says which (the label is capped at `borderline` either way).
    `discussed_live` marks a take-home answer an interviewer went through with the candidate
    live: it then weighs as a live answer (`S = 1`).
    """

    id: str
    competency: str
    track: str
    level: int
    weight: float
    source: str
    ratings: Sequence[float]
    critical_flags: int = 0
    critical_flag_texts: Sequence[str] = ()
    discussed_live: bool = False

    def __post_init__(self) -> None:
        # Stored as tuples so that a frozen item really does not change after scoring.
        try:
            object.__setattr__(self, "ratings", tuple(self.ratings))
            object.__setattr__(self, "critical_flag_texts", tuple(self.critical_flag_texts))
        except TypeError:
            pass  # not iterable: reported below, with the field named
        self._check()

    @classmethod
    def trusted(
        cls,
        id: str,
        competency: str,
        track: str,
        level: int,
        weight: float,
        source: str,
        ratings: tuple[float, ...],
        critical_flag_texts: tuple[str, ...] = (),
        discussed_live: bool = False,
    ) -> Item:
        """An item from values already validated: a frozen session item (checked when it was
        frozen) and ratings the database constrains to 0-4. Skips the field checks, which
        dominated a bulk rescore; everything else should use the checking constructor."""
        item = object.__new__(cls)
        # The fields written in one go into the instance's dict (a frozen dataclass without
        # slots): what ten object.__setattr__ calls did, at a fraction of the cost.
        item.__dict__.update(
            id=id, competency=competency, track=track, level=level, weight=weight,
            source=source, ratings=ratings, critical_flags=len(critical_flag_texts),
            critical_flag_texts=critical_flag_texts, discussed_live=discussed_live,
        )  # fmt: skip
        return item

    def _error(self, name: str, problem: str) -> ValueError:
        who = f"item {self.id!r}" if isinstance(self.id, str) and self.id else "item (no id)"
        return ValueError(f"{who}, field {name!r}: {problem}")

    def _check(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise self._error("id", f"must be a non-empty string, got {self.id!r}")
        if not isinstance(self.competency, str) or not self.competency:
            raise self._error("competency", f"must be a non-empty string, got {self.competency!r}")
        if self.track not in ITEM_TRACKS:
            raise self._error(
                "track", f"must be one of {', '.join(ITEM_TRACKS)}, got {self.track!r}"
            )
        if not (isinstance(self.level, int) and not isinstance(self.level, bool)) or (
            self.level not in LEVELS
        ):
            raise self._error("level", f"must be an integer 1-4, got {self.level!r}")
        if not _is_finite_number(self.weight) or self.weight <= 0:
            raise self._error("weight", f"must be a number > 0, got {self.weight!r}")
        if self.source not in SOURCES:
            raise self._error("source", f"must be one of {', '.join(SOURCES)}, got {self.source!r}")
        if not isinstance(self.ratings, tuple):
            raise self._error("ratings", f"must be a list of ratings, got {self.ratings!r}")
        for rating in self.ratings:
            if not _is_finite_number(rating):
                raise self._error("ratings", f"rating {rating!r} is not a number")
            if not RATING_MIN <= rating <= RATING_MAX:
                raise self._error("ratings", f"rating {rating!r} is outside 0..4")
        if (
            not isinstance(self.critical_flags, int)
            or isinstance(self.critical_flags, bool)
            or self.critical_flags < 0
        ):
            raise self._error(
                "critical_flags", f"must be an integer >= 0, got {self.critical_flags!r}"
            )
        if not isinstance(self.discussed_live, bool):
            raise self._error(
                "discussed_live", f"must be true or false, got {self.discussed_live!r}"
            )
        if not isinstance(self.critical_flag_texts, tuple) or not all(
            isinstance(text, str) for text in self.critical_flag_texts
        ):
            raise self._error("critical_flag_texts", "must be a list of strings")

    @property
    def answered_live(self) -> bool:
        """Live, or a take-home answer discussed live: what the source factor `S` looks at."""
        return self.source == "live" or self.discussed_live

    @property
    def y(self) -> float | None:
        """Item score `y_q` = mean item rating / 4 (0..1); None when nobody has rated it."""
        if not self.ratings:
            return None
        return math.fsum(self.ratings) / len(self.ratings) / RATING_MAX


def item_rating(criteria: Iterable[tuple[float | None, float]]) -> float | None:
    """One interviewer's rating of one item: the criterion-weighted mean of criterion ratings.

    `criteria` holds `(rating, weight)` per rubric criterion. Following ORA2/Moodle rubrics, a
    criterion with weight 0 (feedback only) scores nothing rather than zero, and an unrated
    criterion (`None`) is left out rather than counted as 0. Returns None when nothing weighted
    was rated: no evidence is not the same as a rating of 0.

        item_rating = sum(w_k * r_k) / sum(w_k)   over rated criteria with w_k > 0
    """
    total = 0.0
    weight_sum = 0.0
    for rating, weight in criteria:
        if not _is_finite_number(weight) or weight < 0:
            raise ValueError(f"criterion weight must be a number >= 0, got {weight!r}")
        if rating is None or weight == 0:
            continue
        if not _is_finite_number(rating) or not RATING_MIN <= rating <= RATING_MAX:
            raise ValueError(f"criterion rating {rating!r} is outside 0..4")
        total += weight * rating
        weight_sum += weight
    if weight_sum == 0:
        return None
    return total / weight_sum
