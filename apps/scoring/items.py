"""Item statistics for keeping the bank good (SCORING.md, "Item statistics").

Per question: facility (how hard it is at its level), discrimination (does it separate stronger
from weaker candidates), rating-category use (are all anchors in use), and how many answers each
figure rests on. These are classical test theory figures (Crocker & Algina 1986, ch. 14).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

FACILITY_LOW = 0.15
FACILITY_HIGH = 0.90
DISCRIMINATION_KEEP = 0.30
DISCRIMINATION_REVISE = 0.20
#: Under this many answers a discrimination figure is provisional.
PROVISIONAL_UNDER = 100
#: A rating category used fewer times than this is not yet informative.
CATEGORY_MIN_USES = 10
CATEGORIES = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class ItemStats:
    """Statistics of one question over the candidates who answered it."""

    item: Hashable
    answers: int
    facility: float | None  # mean rating / 4
    facility_flag: str | None  # "hard" (< .15), "easy" (> .90) or None
    discrimination: float | None  # corrected item-total correlation
    discrimination_answers: int  # the pairs the correlation rests on
    verdict: str | None  # keep | revise | rework | check_anchors (None: not computable)
    provisional: bool  # fewer than 100 answers behind the discrimination
    categories: dict[int, int]  # uses of each rating 0..4
    sparse_categories: tuple[int, ...]  # categories used fewer than 10 times


def facility(ratings: Sequence[float]) -> float | None:
    """Facility = mean rating / 4 (0..1); None without ratings."""
    if not ratings:
        return None
    return math.fsum(ratings) / len(ratings) / 4


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r; None with fewer than 3 pairs or when either side does not vary."""
    if len(x) != len(y):
        raise ValueError("x and y must have the same length")
    n = len(x)
    if n < 3:
        return None
    mean_x, mean_y = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mean_x) * (b - mean_y) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mean_x) ** 2 for a in x)
    syy = math.fsum((b - mean_y) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def category_counts(ratings: Sequence[float]) -> dict[int, int]:
    """Uses of each rating category 0..4. A fractional rating (a mean over criteria or
    interviewers) counts towards the nearest category, halves rounding up."""
    counts = dict.fromkeys(CATEGORIES, 0)
    for rating in ratings:
        counts[min(4, max(0, math.floor(rating + 0.5)))] += 1
    return counts


def _verdict(r: float | None) -> str | None:
    if r is None:
        return None
    if r < 0:
        return "check_anchors"
    if r >= DISCRIMINATION_KEEP:
        return "keep"
    if r >= DISCRIMINATION_REVISE:
        return "revise"
    return "rework"


def item_statistics(
    responses: Mapping[Hashable, Mapping[Hashable, float]],
) -> dict[Hashable, ItemStats]:
    """Statistics per item from `responses[candidate][item]` = item rating (0-4).

    Discrimination is the corrected item-total correlation: Pearson's r between the item's
    rating and the candidate's rest score, here the mean of their *other* items' ratings. The
    item itself is left out of the total, or it would correlate with itself. Using the mean
    rather than the sum keeps candidates who answered different numbers of items comparable;
    with complete data the two give the same r.
    """
    by_item: dict[Hashable, list[float]] = {}
    pairs: dict[Hashable, tuple[list[float], list[float]]] = {}
    for answers in responses.values():
        for item, rating in answers.items():
            by_item.setdefault(item, []).append(rating)
            others = [r for other, r in answers.items() if other != item]
            if others:
                own, rest = pairs.setdefault(item, ([], []))
                own.append(rating)
                rest.append(math.fsum(others) / len(others))

    stats: dict[Hashable, ItemStats] = {}
    for item, ratings in by_item.items():
        p = facility(ratings)
        own, rest = pairs.get(item, ([], []))
        r = pearson(own, rest)
        counts = category_counts(ratings)
        flag = None
        if p is not None and p < FACILITY_LOW:
            flag = "hard"
        elif p is not None and p > FACILITY_HIGH:
            flag = "easy"
        stats[item] = ItemStats(
            item=item,
            answers=len(ratings),
            facility=p,
            facility_flag=flag,
            discrimination=r,
            discrimination_answers=len(own),
            verdict=_verdict(r),
            provisional=len(own) < PROVISIONAL_UNDER,
            categories=counts,
            sparse_categories=tuple(c for c, uses in counts.items() if uses < CATEGORY_MIN_USES),
        )
    return stats
