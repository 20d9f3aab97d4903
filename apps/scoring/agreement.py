"""Agreement between interviewers: Krippendorff's alpha, Cohen's kappa and rater drift.

Used for calibration (SCORING.md, "Agreement between interviewers"): alpha >= .80 reliable,
.667-.80 tentative, < .667 rework the anchors or calibrate the interviewers (Krippendorff 2004).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Level = Literal["nominal", "ordinal", "interval", "ratio"]

#: Krippendorff's (2004) reading of alpha.
ALPHA_RELIABLE = 0.80
ALPHA_TENTATIVE = 0.667
#: An alpha resting on fewer pairable units (units rated by two or more coders) is shown but
#: marked provisional. SCORING.md sets no minimum; with under 10 units one odd answer moves
#: alpha by a tenth or more, which is the width of the "tentative" band.
ALPHA_MIN_UNITS = 10
#: Rater drift (SCORING.md): flagged when the mean offset from the panel exceeds DRIFT_THRESHOLD
#: rating points over DRIFT_MIN_SHARED or more shared items; under that many, provisional.
DRIFT_THRESHOLD = 0.5
DRIFT_MIN_SHARED = 20


def alpha_reading(alpha: float | None) -> Literal["reliable", "tentative", "rework"] | None:
    """Krippendorff's reading: >= .80 reliable, .667-.80 tentative, below .667 rework the
    anchors or calibrate the interviewers. None when alpha is undefined."""
    if alpha is None:
        return None
    if alpha >= ALPHA_RELIABLE:
        return "reliable"
    if alpha >= ALPHA_TENTATIVE:
        return "tentative"
    return "rework"


def pairable(data: Sequence[Sequence[Hashable | None]]) -> tuple[int, int]:
    """What an alpha over `data[coder][unit]` rests on: (units rated by two or more coders,
    values in those units). Other units drop out of alpha."""
    n_units = max((len(row) for row in data), default=0)
    units = values = 0
    for u in range(n_units):
        m_u = sum(1 for row in data if row[u] is not None)
        if m_u >= 2:
            units += 1
            values += m_u
    return units, values


def _delta2(level: Level, values: list[float], totals: dict[float, float]) -> dict[tuple, float]:
    """Squared difference function delta^2(c, k) for every pair of observed values.

    nominal:  0 if c == k else 1
    ordinal:  (sum_{g=c..k} n_g - (n_c + n_k)/2)^2, over the sorted values, with n_g the number
              of pairable values equal to g (ranks, not distances, carry the meaning)
    interval: (c - k)^2
    ratio:    ((c - k) / (c + k))^2
    """
    out: dict[tuple, float] = {}
    if level == "ordinal":
        ordered = sorted(values)
        cumulative = [0.0]
        for value in ordered:
            cumulative.append(cumulative[-1] + totals[value])
        position = {value: i for i, value in enumerate(ordered)}
    for c in values:
        for k in values:
            if level == "nominal":
                d = 0.0 if c == k else 1.0
            elif level == "ordinal":
                i, j = sorted((position[c], position[k]))
                d = (cumulative[j + 1] - cumulative[i] - (totals[c] + totals[k]) / 2) ** 2
            elif level == "interval":
                d = (float(c) - float(k)) ** 2
            elif level == "ratio":
                d = 0.0 if c == k else ((float(c) - float(k)) / (float(c) + float(k))) ** 2
            else:
                raise ValueError(f"unknown level of measurement {level!r}")
            out[(c, k)] = d
    return out


def krippendorff_alpha(
    data: Sequence[Sequence[Hashable | None]], level: Level = "ordinal"
) -> float | None:
    """Krippendorff's alpha for `data[coder][unit]`, with `None` marking a missing value.

        alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_{c,k} o_ck d2_ck / sum_{c,k} n_c n_k d2_ck

    where the coincidence matrix `o_ck` counts, within each unit rated by `m_u >= 2` coders,
    every ordered pair of values from different coders with weight `1/(m_u - 1)`; `n_c` are its
    margins and `n` the number of pairable values. Units rated by fewer than two coders carry no
    information about agreement and drop out (Krippendorff 2004, 2011 "Computing Krippendorff's
    alpha-reliability").

    Returns None when alpha is undefined: fewer than two pairable values, or no variation at
    all (every value the same, so there is no disagreement to expect).
    """
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"unknown level of measurement {level!r}")
    n_units = max((len(row) for row in data), default=0)
    if any(len(row) != n_units for row in data):
        raise ValueError("every coder's row must have one entry per unit (None when missing)")

    coincidence: Counter[tuple] = Counter()
    for u in range(n_units):
        values = [row[u] for row in data if row[u] is not None]
        m_u = len(values)
        if m_u < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] += 1 / (m_u - 1)

    totals: dict = Counter()
    for (c, _), count in coincidence.items():
        totals[c] += count
    n = math.fsum(totals.values())
    if n < 2:
        return None
    values = list(totals)
    delta2 = _delta2(level, values, totals)
    observed = math.fsum(count * delta2[pair] for pair, count in coincidence.items())
    expected = math.fsum(totals[c] * totals[k] * delta2[(c, k)] for c in values for k in values)
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa for two raters over the same units (Artstein & Poesio 2008, section 2.4).

        kappa = (p_o - p_e) / (1 - p_e),   p_e = sum_k p_a(k) * p_b(k)

    Returns None when it is undefined (no units, or both raters always used one same category).
    """
    if len(a) != len(b):
        raise ValueError("both raters must rate the same units")
    if not a:
        return None
    n = len(a)
    p_o = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    count_a, count_b = Counter(a), Counter(b)
    p_e = math.fsum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    if p_e == 1:
        return None
    return (p_o - p_e) / (1 - p_e)


@dataclass(frozen=True)
class Drift:
    """One interviewer's mean offset from the rest of the panel over the items they shared."""

    rater: Hashable
    offset: float | None  # mean(own rating - mean of the other raters' ratings); None if no share
    shared_items: int
    flagged: bool


def rater_drift(
    ratings: Mapping[Hashable, Mapping[Hashable, float]],
    *,
    threshold: float = DRIFT_THRESHOLD,
    min_shared: int = DRIFT_MIN_SHARED,
) -> dict[Hashable, Drift]:
    """Per rater: mean offset from the panel, flagged when |offset| > 0.5 over 20+ shared items.

    `ratings[item][rater]` is a rater's item rating (0-4). For each item a rater shares with at
    least one other rater, the offset is their rating minus the mean of the *other* raters'
    ratings of it (including themselves would pull the panel towards them and hide the drift):

        offset_r = mean over shared items q of (x_rq - mean_{s != r} x_sq)
    """
    offsets: dict[Hashable, list[float]] = {}
    for by_rater in ratings.values():
        for rater, value in by_rater.items():
            others = [v for r, v in by_rater.items() if r != rater]
            offsets.setdefault(rater, [])
            if others:
                offsets[rater].append(value - math.fsum(others) / len(others))
    result: dict[Hashable, Drift] = {}
    for rater, diffs in offsets.items():
        offset = math.fsum(diffs) / len(diffs) if diffs else None
        flagged = offset is not None and len(diffs) >= min_shared and abs(offset) > threshold
        result[rater] = Drift(rater, offset, len(diffs), flagged)
    return result
