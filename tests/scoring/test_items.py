"""Item statistics and the four-fifths rule."""

from __future__ import annotations

from fractions import Fraction

import pytest

from apps.scoring.fairness import FOUR_FIFTHS, impact_ratios, is_adverse_impact
from apps.scoring.items import category_counts, facility, item_statistics, pearson


def test_facility_is_the_mean_rating_over_four() -> None:
    assert facility([4, 2, 0]) == pytest.approx(0.5)
    assert facility([]) is None


def test_category_counts_round_fractional_ratings_to_the_nearest_category() -> None:
    assert category_counts([0, 1, 1, 2.5, 3.4, 4]) == {0: 1, 1: 2, 2: 0, 3: 2, 4: 1}


def test_pearson_needs_three_pairs_and_variation() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2], [1, 2]) is None
    assert pearson([1, 1, 1], [1, 2, 3]) is None


def test_corrected_item_total_correlation() -> None:
    responses = {
        "ann": {"Q1": 4, "Q2": 4, "Q3": 0},
        "bob": {"Q1": 2, "Q2": 2, "Q3": 2},
        "cat": {"Q1": 0, "Q2": 0, "Q3": 4},
        "dan": {"Q1": 4, "Q2": 3, "Q3": 1},
    }
    stats = item_statistics(responses)
    # Q3 = (0, 2, 4, 1) against the rest means (mean of Q1, Q2) = (4, 2, 0, 3.5):
    #   deviations from 1.75 and 2.375: (-1.75, .25, 2.25, -.75), (1.625, -.375, -2.375, 1.125)
    #   sxy = -9.125, sxx = 8.75, syy = 9.6875, r = -9.125/sqrt(84.765625) = -.991113
    # It falls as the others rise: check its anchors (or its key).
    assert stats["Q3"].discrimination == pytest.approx(-0.991113, abs=1e-6)
    assert stats["Q3"].verdict == "check_anchors"
    assert stats["Q3"].discrimination_answers == 4
    assert stats["Q3"].provisional  # fewer than 100 answers
    # Q1 = (4, 2, 0, 4) against rest means (2, 2, 2, 2): no variation, no correlation.
    assert stats["Q1"].discrimination is None
    assert stats["Q1"].verdict is None


def test_facility_flags_and_sparse_categories() -> None:
    easy = {f"c{i}": {"Q1": 4, "Q2": i % 5} for i in range(20)}
    stats = item_statistics(easy)
    assert stats["Q1"].facility == 1.0
    assert stats["Q1"].facility_flag == "easy"
    assert stats["Q1"].categories == {0: 0, 1: 0, 2: 0, 3: 0, 4: 20}
    assert stats["Q1"].sparse_categories == (0, 1, 2, 3)
    assert stats["Q2"].facility_flag is None  # mean 2 -> .5
    hard = item_statistics({f"c{i}": {"Q1": 0} for i in range(3)})
    assert hard["Q1"].facility_flag == "hard"
    assert hard["Q1"].discrimination is None  # no other items to correlate with


@pytest.mark.parametrize(
    ("r", "verdict"), [(0.30, "keep"), (0.25, "revise"), (0.20, "revise"), (0.1, "rework")]
)
def test_discrimination_verdicts(r: float, verdict: str) -> None:
    from apps.scoring.items import _verdict

    assert _verdict(r) == verdict


def test_four_fifths_compares_exactly_at_the_boundary() -> None:
    # 1 of 3 vs 5 of 12: ratio (1/3)/(5/12) = 12/15 = 4/5 exactly, which is NOT adverse
    # impact; in floating point it is 0.7999999999999999 and would wrongly be.
    assert (1 / 3) / (5 / 12) < 0.8
    result = impact_ratios({"a": (1, 3), "b": (5, 12)})
    assert result["a"].ratio == FOUR_FIFTHS
    assert not result["a"].adverse_impact
    assert result["b"].ratio == 1


def test_four_fifths_below_the_boundary_is_adverse_impact() -> None:
    # 1/3 vs 5/11: ratio 11/15 = .733 < .8
    result = impact_ratios({"a": (1, 3), "b": (5, 11)})
    assert result["a"].ratio == Fraction(11, 15)
    assert result["a"].adverse_impact
    assert is_adverse_impact(Fraction(79, 100))
    assert not is_adverse_impact(Fraction(8, 10))


def test_four_fifths_without_applicants_or_selections() -> None:
    result = impact_ratios({"a": (0, 0), "b": (0, 10), "c": (0, 5)})
    assert result["a"].rate is None
    assert result["b"].ratio is None  # nobody selected: no highest rate to compare with
    assert not result["b"].adverse_impact
    with pytest.raises(ValueError, match="more selected"):
        impact_ratios({"a": (3, 2)})
