"""The scoring engine: pure Python, no Django.

Plain dataclasses in, plain dataclasses out, so that every number the product shows can be
recomputed from the frozen items, the ratings and the formulas in SCORING.md (shared docs).

- `engine`: the credibility score, its 90% band, the decision label, track fit, level fit.
- `inputs`: the input dataclasses (`Constants`, `Role`, `Item`) and `item_rating`
  (also importable from `engine`).
- `agreement`: Krippendorff's alpha, Cohen's kappa, rater drift (calibration).
- `items`: item statistics for keeping the bank good.
- `fairness`: the four-fifths rule, compared exactly.

Only `apps.py` imports Django; `interviews.services` turns ORM rows into these inputs.
"""

from apps.scoring.engine import (
    SCORING_VERSION,
    Estimate,
    Result,
    TrackFit,
    kelley,
    normal_cdf,
    pool,
    score,
)
from apps.scoring.inputs import DEFAULT_BAR, Constants, Item, Role, item_rating

__all__ = [
    "DEFAULT_BAR",
    "SCORING_VERSION",
    "Constants",
    "Estimate",
    "Item",
    "Result",
    "Role",
    "TrackFit",
    "item_rating",
    "kelley",
    "normal_cdf",
    "pool",
    "score",
]
