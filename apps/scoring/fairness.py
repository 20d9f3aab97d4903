"""Selection-rate impact ratios: the four-fifths rule (29 CFR 1607.4(D)).

A group's impact ratio is its selection rate divided by the highest group's selection rate. A
ratio *below* 4/5 is evidence of adverse impact; exactly 4/5 is not. Rates and ratios are exact
`Fraction`s because the boundary is exactly where the rule decides: 1 of 3 selected against 5
of 12 is a ratio of exactly 4/5, but `(1/3) / (5/12)` is 0.7999999999999999 in floating point.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction

FOUR_FIFTHS = Fraction(4, 5)


@dataclass(frozen=True)
class ImpactRatio:
    group: Hashable
    selected: int
    applicants: int
    rate: Fraction | None  # selected / applicants; None without applicants
    ratio: Fraction | None  # rate / highest rate; None when undefined
    adverse_impact: bool  # ratio < 4/5


def is_adverse_impact(ratio: Fraction) -> bool:
    """True when `ratio` is below four fifths; 4/5 itself is not adverse impact."""
    return Fraction(ratio) < FOUR_FIFTHS


def impact_ratios(groups: Mapping[Hashable, tuple[int, int]]) -> dict[Hashable, ImpactRatio]:
    """Impact ratios from `groups[group] = (selected, applicants)`.

        rate_g = selected_g / applicants_g,  ratio_g = rate_g / max_h rate_h

    A group without applicants has no rate and is left out of the comparison; when nobody was
    selected at all there is no highest rate to compare with and no ratio.
    """
    rates: dict[Hashable, Fraction | None] = {}
    for group, (selected, applicants) in groups.items():
        for name, value in (("selected", selected), ("applicants", applicants)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"group {group!r}: {name} must be an integer >= 0, got {value!r}")
        if selected > applicants:
            raise ValueError(f"group {group!r}: more selected ({selected}) than applicants")
        rates[group] = Fraction(selected, applicants) if applicants else None
    highest = max((rate for rate in rates.values() if rate is not None), default=None)
    result: dict[Hashable, ImpactRatio] = {}
    for group, (selected, applicants) in groups.items():
        rate = rates[group]
        ratio = rate / highest if rate is not None and highest else None
        result[group] = ImpactRatio(
            group=group,
            selected=selected,
            applicants=applicants,
            rate=rate,
            ratio=ratio,
            adverse_impact=ratio is not None and is_adverse_impact(ratio),
        )
    return result
