"""Inter-rater agreement against published test vectors, and rater drift."""

from __future__ import annotations

import pytest

from apps.scoring.agreement import cohen_kappa, krippendorff_alpha, rater_drift

# Krippendorff's own reliability data: 4 coders x 12 units, None where a coder gave no value
# (Krippendorff 2011, "Computing Krippendorff's alpha-reliability", section C).
N = None
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_alpha_matches_the_published_values(level: str, expected: float) -> None:
    assert krippendorff_alpha(KRIPPENDORFF, level) == pytest.approx(expected, abs=5e-4)  # type: ignore[arg-type]


def test_krippendorff_alpha_nominal_exactly() -> None:
    # Pairable values n = 40 with margins n_1..n_5 = 9, 13, 10, 5, 3. Off-diagonal coincidences
    # sum to 8; sum_{c != k} n_c n_k = 40^2 - (81 + 169 + 100 + 25 + 9) = 1216.
    # alpha = 1 - (n - 1) * 8 / 1216 = 1 - 312/1216 = 113/152 = .743421
    assert krippendorff_alpha(KRIPPENDORFF, "nominal") == pytest.approx(113 / 152)


def test_units_rated_by_one_coder_carry_no_information() -> None:
    # Unit 12 (only coder B) drops out: removing it changes nothing.
    trimmed = [row[:11] for row in KRIPPENDORFF]
    assert krippendorff_alpha(trimmed) == krippendorff_alpha(KRIPPENDORFF)


def test_perfect_agreement_is_one() -> None:
    assert krippendorff_alpha([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]], "ordinal") == pytest.approx(1)


def test_alpha_is_undefined_without_variation_or_pairs() -> None:
    assert krippendorff_alpha([[3, 3, 3], [3, 3, 3]]) is None
    assert krippendorff_alpha([[1, None], [None, 2]]) is None
    assert krippendorff_alpha([]) is None


def test_alpha_rejects_ragged_data_and_unknown_levels() -> None:
    with pytest.raises(ValueError, match="one entry per unit"):
        krippendorff_alpha([[1, 2], [1]])
    with pytest.raises(ValueError, match="level of measurement"):
        krippendorff_alpha([[1, 2], [1, 2]], "cardinal")  # type: ignore[arg-type]


def test_cohen_kappa_matches_artstein_and_poesio() -> None:
    # p_o = (20 + 50)/100 = .70; p_e = .4*.3 + .6*.7 = .54; kappa = .16/.46 = .347826
    y1 = [0] * 40 + [1] * 60
    y2 = [0] * 20 + [1] * 20 + [0] * 10 + [1] * 50
    assert cohen_kappa(y1, y2) == pytest.approx(0.348, abs=5e-4)


def test_cohen_kappa_edge_cases() -> None:
    assert cohen_kappa([], []) is None
    assert cohen_kappa([2, 2], [2, 2]) is None  # p_e = 1: chance explains everything
    assert cohen_kappa([0, 1, 2], [0, 1, 2]) == 1.0
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 2])


def panel(items: int, offset: float) -> dict[str, dict[str, float]]:
    """Raters p and q always give 2; r gives 2 + offset."""
    return {f"Q{i}": {"p": 2.0, "q": 2.0, "r": 2.0 + offset} for i in range(items)}


def test_a_rater_drifting_more_than_half_a_point_over_20_items_is_flagged() -> None:
    drift = rater_drift(panel(20, 1.0))
    # r vs the mean of p and q: +1 on every item. p vs mean(q, r) = 2 - 2.5 = -.5: not > .5.
    assert drift["r"].offset == pytest.approx(1.0)
    assert drift["r"].shared_items == 20
    assert drift["r"].flagged
    assert drift["p"].offset == pytest.approx(-0.5)
    assert not drift["p"].flagged


def test_drift_needs_20_shared_items_and_more_than_half_a_point() -> None:
    assert not rater_drift(panel(19, 1.0))["r"].flagged
    assert not rater_drift(panel(40, 0.5))["r"].flagged  # exactly .5 does not exceed .5
    assert rater_drift(panel(40, -0.75))["r"].flagged


def test_items_rated_by_one_rater_alone_are_not_shared() -> None:
    drift = rater_drift({"Q1": {"p": 4.0}, "Q2": {"p": 1.0, "q": 3.0}})
    assert drift["p"].shared_items == 1
    assert drift["p"].offset == pytest.approx(-2.0)
    assert rater_drift({"Q1": {"p": 4.0}})["p"].offset is None
