"""Version 2 worked by hand: pooling across sessions, rater counts, discussed live, the bar per
role, p_above and next evidence (SCORING.md "Credibility score ... (scoring version 2)").

Defaults: mu = .5, tau = .15 (tau^2 = .0225), e_q = .0225 + .0169/k, z = 1.645, bar = .625,
panel_size = 2. See tests/scoring/test_credibility.py's docstring for the rho/SE table; the
figures used here:

    one item, k = 1: rho = .363489, SE = .119672, SE^2 = .0143215
    one item, k = 2: rho = .420954, SE = .114143, SE^2 = .0130285
    one item, k = 3: rho = .444371, SE = .111811
    two items, k = 2: err = .015475, rho = .592495, SE^2 = .0225*.407505 = .0091689
    three items, k = 2: rho = .685627, SE = .084103
    six items, k = 2: rho = .813498, SE = .064779
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from apps.scoring import Item, Role, normal_cdf, pool, score


def phi(x: float) -> float:
    """The standard normal CDF by hand, for the expected values."""
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def item(
    item_id: str,
    *,
    competency: str = "a",
    track: str = "enterprise",
    level: int = 3,
    weight: float = 1.0,
    source: str = "live",
    ratings: Sequence[float] = (3,),
    **extra: object,
) -> Item:
    return Item(item_id, competency, track, level, weight, source, list(ratings), **extra)


ROLE = Role(track="enterprise", level=3, weights={"a": 1.0})
STRICT = Role(track="enterprise", level=3, weights={"a": 1.0}, bar=0.75)


# --- rater counts (steps 1 and 3) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "rho", "theta", "se"),
    [
        # e = .0394: rho = .0225/.0619, theta = .5 + .25*rho, SE = .15*sqrt(1 - rho)
        ([3], 0.363489, 0.590872, 0.119672),
        # e = .03095: rho = .0225/.05345
        ([3, 3], 0.420954, 0.605239, 0.114143),
        # e = .028133: rho = .0225/.050633
        ([3, 3, 3], 0.444371, 0.611093, 0.111811),
    ],
)
def test_one_item_by_one_two_three_raters(
    ratings: list[float], rho: float, theta: float, se: float
) -> None:
    a = score(ROLE, [item("A1", ratings=ratings)]).competencies["a"]
    assert a.observed == 0.75
    assert a.n_eff == 1.0  # raters are not items
    assert a.estimate == pytest.approx(theta, abs=1e-6)
    assert a.estimate == pytest.approx(rho * 0.75 + (1 - rho) * 0.5, abs=1e-6)
    assert a.se == pytest.approx(se, abs=1e-6)
    assert a.se == pytest.approx(0.15 * math.sqrt(1 - rho), abs=1e-6)


def test_the_same_mean_with_three_raters_gives_a_narrower_band_than_with_one() -> None:
    # Mean 3 either way (y = .75). Band half-widths 1.645*SE:
    #   one rater:    1.645*.119672 = .196861 -> band [39.4, 78.8] around 59.1
    #   three raters: 1.645*.111811 = .183929 -> [.611093 -/+ .183929] = [42.7, 79.5] around 61.1
    one = score(ROLE, [item("A1", ratings=[3])])
    three = score(ROLE, [item("A1", ratings=[2.5, 3, 3.5])])
    assert three.se < one.se
    assert one.to_dict()["band"] == [39.4, 78.8]
    assert three.to_dict()["band"] == [42.7, 79.5]
    assert three.band[1] - three.band[0] < one.band[1] - one.band[0]
    # and the estimate trusts the mean more: 61.1 > 59.1
    assert three.to_dict()["score"] == 61.1


# --- pooling (step 1) ---------------------------------------------------------------------


def test_an_item_asked_in_two_sessions_is_one_item_with_its_ratings_pooled() -> None:
    # Screen: A1 rated 3 by one interviewer. Panel: A1 again, rated 3 by another.
    # Pooled: one item, k = 2, y = .75 -> rho = .420954, theta = .605239, SE = .114143, n = 1.
    screen = [item("A1", ratings=[3])]
    panel = [item("A1", ratings=[3])]
    pooled = score(ROLE, screen + panel)
    once = score(ROLE, [item("A1", ratings=[3, 3])])
    assert pooled == once
    a = pooled.competencies["a"]
    assert a.n_eff == 1.0
    assert a.estimate == pytest.approx(0.605239, abs=1e-6)
    assert a.se == pytest.approx(0.114143, abs=1e-6)
    # Two different questions, one rater each, are two items: n = 2, err = .0394/2 = .0197,
    # rho = .533175, theta = .633294, SE = .102487 (narrower: a new question samples more).
    distinct = score(ROLE, [item("A1", ratings=[3]), item("A2", ratings=[3])]).competencies["a"]
    assert distinct.n_eff == 2.0
    assert distinct.estimate == pytest.approx(0.633294, abs=1e-6)
    assert distinct.se == pytest.approx(0.102487, abs=1e-6)
    assert pool(screen + panel)[0].ratings == (3, 3)
    assert pool(screen + panel)[0].k == 2


def test_a_discrepancy_across_sessions_is_flagged() -> None:
    # A1 rated 1 in the screen and 3 in the panel: pooled ratings [1, 3] differ by 2 ->
    # discrepant, and still counted with their mean: y = 2/4 = .5.
    result = score(ROLE, [item("A1", ratings=[1]), item("A2"), item("A1", ratings=[3])])
    assert {"kind": "discrepant", "item": "A1", "ratings": [1, 3]} in result.flags
    assert [flag for flag in result.flags if flag["kind"] == "discrepant"] == [
        {"kind": "discrepant", "item": "A1", "ratings": [1, 3]}
    ]
    assert result.competencies["a"].observed == pytest.approx((0.5 + 0.75) / 2)
    assert result.competencies["a"].n_eff == 2.0


def test_pooled_critical_flags_are_all_listed() -> None:
    text = "treats MES and MOM as synonyms"
    items = [item("A1", critical_flags=1, critical_flag_texts=[text]), item("A1", ratings=[4])]
    result = score(ROLE, items)
    assert result.flags == [{"kind": "critical_red_flag", "item": "A1", "text": text}]


# --- discussed live (step 2) --------------------------------------------------------------


def test_a_take_home_answer_discussed_live_weighs_as_a_live_answer() -> None:
    # Live L rated 4 (y 1, v 1) and take-home T rated 0 (y 0), one rater each (e .0394).
    # Not discussed: S = .5, v_T = .5: m = 1/1.5 = .666667, n = 2.25/1.25 = 1.8,
    #   err = (.0394 + .25*.0394)/2.25 = .0218889, rho = .0225/.0443889 = .506884,
    #   theta = .5 + .506884*.166667 = .584481, SE = .15*sqrt(.493116) = .105333
    # Discussed live: S = 1, v_T = 1: m = .5, n = 2, err = .0197, rho = .533175,
    #   theta = .5, SE = .102487
    live = item("L", ratings=[4])
    not_discussed = score(ROLE, [live, item("T", source="take_home", ratings=[0])])
    discussed = score(ROLE, [live, item("T", source="take_home", ratings=[0], discussed_live=True)])
    a = not_discussed.competencies["a"]
    assert (a.observed, a.n_eff) == (pytest.approx(2 / 3), pytest.approx(1.8))
    assert a.estimate == pytest.approx(0.584481, abs=1e-6)
    assert a.se == pytest.approx(0.105333, abs=1e-6)
    b = discussed.competencies["a"]
    assert (b.observed, b.n_eff) == (0.5, 2.0)
    assert b.estimate == pytest.approx(0.5)
    assert b.se == pytest.approx(0.102487, abs=1e-6)
    # discussed_live on a live answer changes nothing
    assert score(ROLE, [item("L", ratings=[4], discussed_live=True)]) == score(
        ROLE, [item("L", ratings=[4])]
    )


# --- the bar per role and p_above (steps 5-6) ---------------------------------------------


def test_p_above_worked_case() -> None:
    # Six items rated 3 by two interviewers: y = .75, n = 6, k = 2:
    #   err = .03095/6 = .00515833, rho = .0225/.02765833 = .813498
    #   C = .5 + .25*.813498 = .703375, SE = .15*sqrt(.186502) = .064779
    #   band = .703375 -/+ .106561 = [.596814, .809936] -> [59.7, 81.0]
    #   p_above = Phi((.703375 - .625)/.064779) = Phi(1.209883) = .886837 -> .89
    result = score(ROLE, [item(f"A{i}", ratings=[3, 3]) for i in range(6)])
    assert result.estimate == pytest.approx(0.703375, abs=1e-6)
    assert result.se == pytest.approx(0.064779, abs=1e-6)
    assert result.p_above == pytest.approx(phi((0.703375 - 0.625) / 0.064779), abs=1e-5)
    assert result.p_above == pytest.approx(0.886837, abs=1e-5)
    assert result.p_above == pytest.approx(normal_cdf((result.estimate - 0.625) / result.se))
    out = result.to_dict()
    assert out["band"] == [59.7, 81.0]
    assert out["label"] == "borderline"  # "borderline, 89% likely above the bar"
    assert out["p_above"] == 0.89
    assert out["bar"] == 62.5


def test_normal_cdf() -> None:
    assert normal_cdf(0) == 0.5
    assert normal_cdf(1.645) == pytest.approx(0.95, abs=1e-4)
    assert normal_cdf(-1.645) == pytest.approx(0.05, abs=1e-4)


def test_a_role_sets_its_own_bar() -> None:
    # The same six items rated 3 and 3 (above): C = .703375, SE = .064779, band [59.7, 81.0]
    #   bar .625: borderline, p_above .89, level fit 3 (.703 >= .625, n 6)
    #   bar .75:  .597 < .75 <= .810 -> borderline still, but
    #             p_above = Phi((.703375 - .75)/.064779) = Phi(-.719755) = .235835 -> .24,
    #             level fit none (.703 < .75)
    threes = [item(f"A{i}", ratings=[3, 3]) for i in range(6)]
    default, strict = score(ROLE, threes), score(STRICT, threes)
    assert default.estimate == strict.estimate  # the bar moves the verdict, not the score
    assert (default.label, strict.label) == ("borderline", "borderline")
    assert default.to_dict()["p_above"] == 0.89
    assert strict.p_above == pytest.approx(phi((0.703375 - 0.75) / 0.064779), abs=1e-5)
    assert strict.to_dict()["p_above"] == 0.24
    assert strict.to_dict()["bar"] == 75.0
    assert (default.level_fit, strict.level_fit) == (3, None)
    # Six items rated 3 and 4 (y = .875): C = .5 + .375*.813498 = .805062, SE .064779,
    #   band = .805062 -/+ .106561 = [.698501, .911623] -> [69.9, 91.2]
    #   bar .625: low .699 >= .625 -> above_bar, p = Phi(2.779636) = .997279 -> 1.0
    #   bar .75:  .699 < .75 -> borderline, p = Phi(.849985) = .802337 -> .8
    strong = [item(f"A{i}", ratings=[3, 4]) for i in range(6)]
    default, strict = score(ROLE, strong), score(STRICT, strong)
    assert default.to_dict()["band"] == [69.9, 91.2]
    assert (default.label, strict.label) == ("above_bar", "borderline")
    assert default.to_dict()["p_above"] == 1.0
    assert strict.p_above == pytest.approx(0.802337, abs=1e-5)
    assert strict.to_dict()["p_above"] == 0.8


# --- a consistent run of 3s ---------------------------------------------------------------


def test_a_candidate_rated_3_throughout_with_enough_evidence_is_never_below_bar() -> None:
    # Three competencies (W .4, .3, .3) x three items x two raters, all 3s:
    #   per competency: y = .75, n = 3, k = 2: e = .03095, err = .03095/3 = .0103167,
    #   rho = .0225/.0328167 = .685627, theta = .5 + .25*.685627 = .671407,
    #   SE_c = .15*sqrt(.314373) = .084103
    #   C = .671407 (every theta equal), SE = .084103*sqrt(.16 + .09 + .09) = .084103*.583095
    #     = .049040
    #   band = .671407 -/+ 1.645*.049040 = -/+ .080671 -> [.590735, .752078] -> [59.1, 75.2]
    #   coverage 1 (every n = 3 >= 2); low .591 < .625 <= high .752 -> borderline
    #   p_above = Phi((.671407 - .625)/.049040) = Phi(.946312) = .828002 -> .83
    role = Role(track="enterprise", level=3, weights={"a": 0.4, "b": 0.3, "c": 0.3})
    items = [
        item(f"{c}{i}", competency=c, ratings=[3, 3]) for c in ("a", "b", "c") for i in range(3)
    ]
    result = score(role, items)
    assert result.estimate == pytest.approx(0.671407, abs=1e-6)
    assert result.se == pytest.approx(0.049040, abs=1e-6)
    assert result.p_above == pytest.approx(0.828002, abs=1e-5)
    out = result.to_dict()
    assert out["score"] == 67.1
    assert out["band"] == [59.1, 75.2]
    assert out["coverage"] == 1.0
    assert out["p_above"] == 0.83
    assert out["label"] == "borderline"
    assert out["label"] != "below_bar"
    assert out["p_above"] >= 0.8


# --- next evidence (step 9) ---------------------------------------------------------------


def test_next_evidence_half_widths_and_an_exact_tie_listed_alphabetically() -> None:
    # Role W: mom .5, isa95 .25, integration .25 (isa95 listed before integration); panel 2.
    # Evidence: mom one live item rated by two (SE^2 = .0130285); isa95 and integration none
    # (SE^2 = tau^2 = .0225).
    #   V = .25*.0130285 + .0625*.0225 + .0625*.0225 = .0032571 + .0028125 = .0060696
    #   now: half-width 1.645*sqrt(.0060696) = 1.645*.077908 = .128158 -> 12.8
    # One more live item at level 3 rated by 2 (v 1, e .03095):
    #   mom: two items k 2: SE^2 = .0091689
    #     V' = .0060696 - .25*.0130285 + .25*.0091689 = .0051047 -> 1.645*.071447 = .117531 -> 11.8
    #   isa95 (and integration alike): one item k 2: SE^2 = .0130285
    #     V' = .0060696 - .0625*.0225 + .0625*.0130285 = .0054777 -> 1.645*.074011 = .121749
    #     -> 12.2
    # Order: mom 11.8, then the exact tie at 12.2 by key: integration before isa95.
    role = Role(
        track="enterprise",
        level=3,
        weights={"mom": 0.5, "isa95": 0.25, "integration": 0.25},
        panel_size=2,
    )
    result = score(role, [item("M1", competency="mom", ratings=[2, 3])])
    assert result.to_dict()["band"][1] - result.to_dict()["score"] == pytest.approx(12.8, abs=0.1)
    assert [c for c, _ in result.next_evidence] == ["mom", "integration", "isa95"]
    halfwidths = dict(result.next_evidence)
    assert halfwidths["mom"] == pytest.approx(0.117531, abs=1e-6)
    assert halfwidths["isa95"] == pytest.approx(0.121749, abs=1e-6)
    assert halfwidths["integration"] == halfwidths["isa95"]
    assert result.to_dict()["next_evidence"] == [
        {"competency": "mom", "band_halfwidth": 11.8},
        {"competency": "integration", "band_halfwidth": 12.2},
        {"competency": "isa95", "band_halfwidth": 12.2},
    ]


def test_next_evidence_uses_the_roles_panel_size() -> None:
    # As above with panel_size 1 (e .0394 for the new item):
    #   mom: items (v 1, e .03095) + (v 1, e .0394): err = .0175875, rho = .561272,
    #     SE^2 = .0225*.438728 = .0098714; V' = .0060696 - .0032571 + .0024678 = .0052803
    #     -> 1.645*.072666 = .119536 -> 12.0
    #   isa95: one item k 1: SE^2 = .0143215; V' = .0060696 - .0014063 + .0008951 = .0055585
    #     -> 1.645*.074555 = .122643 -> 12.3
    role = Role(
        track="enterprise",
        level=3,
        weights={"mom": 0.5, "isa95": 0.25, "integration": 0.25},
        panel_size=1,
    )
    result = score(role, [item("M1", competency="mom", ratings=[2, 3])])
    assert result.to_dict()["next_evidence"] == [
        {"competency": "mom", "band_halfwidth": 12.0},
        {"competency": "integration", "band_halfwidth": 12.3},
        {"competency": "isa95", "band_halfwidth": 12.3},
    ]
    assert result.to_dict()["panel_size"] == 1


def test_next_evidence_lists_at_most_three_weighted_competencies() -> None:
    # W: ops .4, mom .2, isa95 .2, integration .2, culture 0; no evidence on the weighted ones
    # (SE^2 .0225 each), plus rated items of culture (W 0) and of x (not in the role).
    #   V = .0225*(.16 + .04*3) = .0063 -> half-width 1.645*.079373 = .130568
    #   ops: V' = .0063 - .16*(.0225 - .0130285) = .0047846 -> 1.645*.069171 = .113786 -> 11.4
    #   mom, isa95, integration: V' = .0063 - .04*.0094715 = .0059211 -> .126581 -> 12.7 each
    # Three listed: ops, then the tie by key: integration, isa95; mom (and culture, x) left out.
    role = Role(
        track="enterprise",
        level=3,
        weights={"ops": 0.4, "mom": 0.2, "isa95": 0.2, "integration": 0.2, "culture": 0.0},
    )
    items = [item(f"C{i}", competency="culture", ratings=[1]) for i in range(3)]
    items.append(item("X1", competency="x", ratings=[0]))
    result = score(role, items)
    assert result.to_dict()["next_evidence"] == [
        {"competency": "ops", "band_halfwidth": 11.4},
        {"competency": "integration", "band_halfwidth": 12.7},
        {"competency": "isa95", "band_halfwidth": 12.7},
    ]
    assert "culture" in result.competencies and "x" in result.competencies


def test_next_evidence_with_one_weighted_competency_lists_one() -> None:
    result = score(ROLE, [])
    # tau^2 = .0225 -> one item k 2: SE = .114143 -> 1.645*.114143 = .187765 -> 18.8
    assert result.to_dict()["next_evidence"] == [{"competency": "a", "band_halfwidth": 18.8}]
