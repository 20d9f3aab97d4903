"""The credibility score, worked by hand (SCORING.md version 2, steps 1-8).

Default constants throughout: mu = .50, tau = .15 (tau^2 = .0225), sigma_i = .15
(sigma_i^2 = .0225), sigma_r = .13 (sigma_r^2 = .0169), z = 1.645, bar = .625.

Item error (step 3), by the number of raters k:  e_q = .0225 + .0169/k

    k = 1: e = .0394      k = 2: e = .03095      k = 3: e = .028133      k = 4: e = .026725

For n items of weight v = 1 with k raters each, err_c = e/n and

    rho = .0225 / (.0225 + e/n),   theta = rho*m + (1 - rho)*.5,   SE = .15*sqrt(1 - rho)

    n=1, k=1: err .0394     rho = .0225/.0619    = .363489  SE = .15*sqrt(.636511) = .119672
    n=1, k=2: err .03095    rho = .0225/.05345   = .420954  SE = .15*sqrt(.579046) = .114143
    n=1, k=3: err .028133   rho = .0225/.050633  = .444371  SE = .15*sqrt(.555629) = .111811
    n=2, k=1: err .0197     rho = .0225/.0422    = .533175  SE = .15*sqrt(.466825) = .102487
    n=3, k=1: err .013133   rho = .0225/.035633  = .631431  SE = .15*sqrt(.368569) = .091065
    n=3, k=2: err .010317   rho = .0225/.032817  = .685627  SE = .15*sqrt(.314373) = .084103
    n=4, k=2: err .0077375  rho = .0225/.0302375 = .744109  SE = .15*sqrt(.255891) = .075878
    n=6, k=1: err .0065667  rho = .0225/.0290667 = .774083  SE = .15*sqrt(.225917) = .071296
    n=6, k=2: err .0051583  rho = .0225/.0276583 = .813498  SE = .15*sqrt(.186502) = .064779
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pytest

from apps.scoring import SCORING_VERSION, Constants, Item, Role, item_rating, kelley, score
from apps.scoring.engine import item_error

ENTERPRISE_L3 = Role(track="enterprise", level=3, weights={"a": 1.0})
TWO_COMPETENCIES = Role(track="enterprise", level=3, weights={"a": 0.5, "b": 0.5})


def item(
    item_id: str,
    *,
    competency: str = "a",
    track: str = "enterprise",
    level: int = 3,
    weight: float = 1.0,
    source: str = "live",
    ratings: Sequence[float] = (4,),
    **extra: object,
) -> Item:
    return Item(item_id, competency, track, level, weight, source, list(ratings), **extra)


def repeated(count: int, rating: float, **kwargs: object) -> list[Item]:
    prefix = str(kwargs.get("competency", "a")).upper() + str(kwargs.get("track", "e"))[0]
    return [item(f"{prefix}{i}", ratings=[rating], **kwargs) for i in range(count)]


# --- item ratings (step 1) ----------------------------------------------------------------


def test_item_rating_is_the_criterion_weighted_mean() -> None:
    # (3*2 + 4*1) / (2 + 1) = 10/3
    assert item_rating([(3, 2.0), (4, 1.0)]) == pytest.approx(10 / 3)


def test_item_rating_ignores_feedback_only_and_unrated_criteria() -> None:
    # The weight-0 criterion scores nothing (not a 0); the unrated one is left out.
    assert item_rating([(3, 1.0), (0, 0.0), (None, 1.0)]) == 3.0


def test_item_rating_is_none_without_ratings() -> None:
    assert item_rating([]) is None
    assert item_rating([(None, 1.0)]) is None
    assert item_rating([(2, 0.0)]) is None


def test_item_rating_rejects_ratings_off_the_scale() -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.4"):
        item_rating([(5, 1.0)])


# --- Kelley estimate and item error (steps 3-4) -------------------------------------------


def test_item_error_shrinks_with_the_number_of_raters() -> None:
    # e_q = sigma_i^2 + sigma_r^2/k = .0225 + .0169/k
    assert item_error(1) == pytest.approx(0.0394)
    assert item_error(2) == pytest.approx(0.03095)  # .0225 + .00845
    assert item_error(3) == pytest.approx(0.0281333, abs=1e-7)  # .0225 + .0056333
    # One rater is about .20 of error, as version 1's sigma_e: sqrt(.0394) = .198494
    assert math.sqrt(item_error(1)) == pytest.approx(0.198494, abs=1e-6)
    # Only the raters' part averages out: never below the item's own noise.
    assert item_error(1000) > 0.0225


def test_kelley_with_no_evidence_is_the_prior() -> None:
    est = kelley([])
    assert (est.observed, est.estimate, est.se, est.n_eff) == (None, 0.5, 0.15, 0.0)


def test_kelley_with_equal_errors_is_version_1s_formula() -> None:
    # Three items (y = .75, v = 1, e = .03095): err = .03095/3 = .0103167 (= e/n_c)
    #   rho = .0225/.0328167 = .685627, theta = .5 + .685627*.25 = .671407,
    #   SE = .15*sqrt(.314373) = .084103
    est = kelley([(0.75, 1.0, 0.03095)] * 3)
    assert est.n_eff == pytest.approx(3.0)
    assert est.estimate == pytest.approx(0.671407, abs=1e-6)
    assert est.se == pytest.approx(0.084103, abs=1e-6)


def test_kelley_with_unequal_errors() -> None:
    # (y 1, v 1, e .0394: one rater) and (y .5, v 1, e .028133: three raters)
    #   m = .75, n = 2, err = (.0394 + .0281333)/2^2 = .0168833
    #   rho = .0225/.0393833 = .571308, theta = .5 + .571308*.25 = .642827
    #   SE = .15*sqrt(.428692) = .098212
    est = kelley([(1.0, 1.0, item_error(1)), (0.5, 1.0, item_error(3))])
    assert est.observed == pytest.approx(0.75)
    assert est.estimate == pytest.approx(0.642827, abs=1e-6)
    assert est.se == pytest.approx(0.098212, abs=1e-6)


def test_effective_count_of_unequal_weights() -> None:
    # v = 1, .5: n = 1.5^2 / (1 + .25) = 2.25/1.25 = 1.8 (the errors do not enter n)
    assert kelley([(1.0, 1.0, 0.0394), (0.0, 0.5, 0.03095)]).n_eff == pytest.approx(1.8)


def test_a_heavy_item_among_many_light_ones_lowers_the_effective_count() -> None:
    # Kish's n = sum(v)^2/sum(v^2) is a property of the spec, not a bug: one live on-level item
    # (v = 1) and 16 take-home items one level away (v = .25): n = 5^2/2 = 12.5. One more v = 1
    # item makes the weights more unequal: n = 6^2/3 = 12, so the SE grows a little even
    # though the new item agrees. An added item with v <= 2*sum(v^2)/sum(v) never lowers n.
    e = 0.0394
    light = [(1.0, 0.25, e)] * 16
    assert kelley([(1.0, 1.0, e), *light]).n_eff == pytest.approx(12.5)
    assert kelley([(1.0, 1.0, e), (1.0, 1.0, e), *light]).n_eff == pytest.approx(12.0)


# --- whole sessions -----------------------------------------------------------------------


def test_one_item() -> None:
    # y = 3/4 = .75, v = 1, k = 1: e = .0394, err = .0394, rho = .0225/.0619 = .363489
    # theta = .5 + .363489*.25 = .590872; SE = .15*sqrt(.636511) = .119672
    # band = .590872 -/+ 1.645*.119672 = -/+ .196861 -> [.394011, .787733] -> [39.4, 78.8]
    # p_above = Phi((.590872 - .625)/.119672) = Phi(-.285180) = .3878 -> .39
    # coverage: n = 1 < 2, so 0 -> incomplete
    # track: theta_E = .590872 (SE .119672), theta_P = prior .5 (SE .15); lean = .090872,
    #        SE_lean = sqrt(.014321 + .0225) = .191888; .09 < 1.645*.192 -> balanced;
    #        plant needs 3 items of v = 1 (n 0 -> 3), enterprise 2 more (n 1 -> 2 -> 3)
    # next evidence (panel 2): a with a second item (v 1, e .03095):
    #        err = (.0394 + .03095)/2^2 = .0175875, rho = .0225/.0400875 = .561272,
    #        SE = .15*sqrt(.438728) = .099355, half-width 1.645*.099355 = .163439 -> 16.3
    result = score(ENTERPRISE_L3, [item("A1", ratings=[3])])
    assert result.estimate == pytest.approx(0.590872, abs=1e-6)
    assert result.se == pytest.approx(0.119672, abs=1e-6)
    out = result.to_dict()
    assert out["score"] == 59.1
    assert out["band"] == [39.4, 78.8]
    assert out["se"] == 12.0
    assert out["bar"] == 62.5
    assert out["p_above"] == 0.39
    assert out["label"] == "incomplete"
    assert out["coverage"] == 0.0
    assert out["competencies"] == {
        "a": {"observed": 75.0, "estimate": 59.1, "se": 12.0, "n_eff": 1.0}
    }
    assert out["track"] == {
        "plant": 50.0,
        "enterprise": 59.1,
        "lean": 9.1,
        "se_lean": 19.2,
        "orientation": "balanced",
        "fit": "unclear",
        # Per-track SE and evidence (tau = 15 with no plant items; 12 with one enterprise item).
        "se_plant": 15.0,
        "se_enterprise": 12.0,
        "n_plant": 0.0,
        "n_enterprise": 1.0,
        "missing": {"plant": 3, "enterprise": 2},
    }
    assert out["level_fit"] == "none"
    assert out["flags"] == []
    assert out["next_evidence"] == [{"competency": "a", "band_halfwidth": 16.3}]


def test_no_evidence_gives_the_prior_and_incomplete() -> None:
    # Every theta = mu = .5, SE_c = .15: C = .5, SE = sqrt(2 * .5^2 * .15^2) = .106066
    # band = 50 -/+ 1.645*10.6066 = 50 -/+ 17.448 = [32.55, 67.45]
    # p_above = Phi((.5 - .625)/.106066) = Phi(-1.178511) = .1193 -> .12
    result = score(TWO_COMPETENCIES, [item("A1", ratings=[])])  # rated by nobody yet
    out = result.to_dict()
    assert out["score"] == 50.0
    assert out["se"] == 10.6
    assert out["band"] == [32.6, 67.4]
    assert out["p_above"] == 0.12
    assert out["label"] == "incomplete"
    assert out["competencies"]["a"] == {"observed": None, "estimate": 50.0, "se": 15.0, "n_eff": 0}
    assert out["flags"] == [
        {"kind": "no_evidence", "competency": "a"},
        {"kind": "no_evidence", "competency": "b"},
    ]
    assert out["track"]["se_lean"] == 21.2  # sqrt(.15^2 + .15^2) = .212132
    assert score(TWO_COMPETENCIES, []).to_dict()["score"] == 50.0


def test_all_fours_on_six_items_is_above_bar_and_the_band_clips_at_100() -> None:
    # y = 1 on n = 6 items, k = 2 each: rho = .813498, theta = .5 + .5*.813498 = .906749;
    # SE = .064779; band = .906749 -/+ .106561 = [.800188, 1.013310] -> [80.0, 100.0]
    # p_above = Phi(.281749/.064779) = Phi(4.349) = .999993 -> 1.0
    result = score(ENTERPRISE_L3, [item(f"A{i}", ratings=[4, 4]) for i in range(6)])
    out = result.to_dict()
    assert out["score"] == 90.7
    assert out["band"] == [80.0, 100.0]
    assert result.band[1] == 1.0
    assert out["p_above"] == 1.0
    assert out["label"] == "above_bar"
    assert out["coverage"] == 1.0
    assert out["competencies"]["a"]["observed"] == 100.0


def test_all_fours_on_four_items_clear_the_default_bar_but_not_75() -> None:
    # n = 4, k = 2: rho = .744109, theta = .5 + .5*.744109 = .872055; SE = .075878
    # band = .872055 -/+ .124820 = [.747235, .996875] -> [74.7, 99.7]
    # bar 62.5: low .747 >= .625 -> above_bar. bar 75: .747 < .75 <= .997 -> borderline.
    items = [item(f"A{i}", ratings=[4, 4]) for i in range(4)]
    out = score(ENTERPRISE_L3, items).to_dict()
    assert out["score"] == 87.2
    assert out["band"] == [74.7, 99.7]
    assert out["label"] == "above_bar"
    strict = Role(track="enterprise", level=3, weights={"a": 1.0}, bar=0.75)
    assert score(strict, items).label == "borderline"


def test_clipping_can_hide_part_of_a_band_that_narrowed() -> None:
    # Competency a (W .96): 27 fours, k = 1: err = .0394/27 = .00145926,
    #   rho = .0225/.02395926 = .939094, theta_a = .969547, SE_a = .15*sqrt(.060906) = .037019.
    # Competency b (W .04): one 0: theta_b = .5 - .5*.363489 = .318255, SE_b = .119672.
    #   C = .96*.969547 + .04*.318255 = .943495
    #   SE = sqrt(.9216*.00137038 + .0016*.0143215) = sqrt(.00128586) = .035859
    #   band = .943495 -/+ .058988 = [.884508, 1.002483] -> [88.5, 100.0], width 11.5 shown
    # A second 0 on b (agreeing): theta_b = .5 - .5*.533175 = .233412, SE_b = .102487
    #   C = .940102, SE = sqrt(.00126295 + .0016*.0105036) = .035774 (narrower)
    #   band = .940102 -/+ .058848 = [.881254, .998949] -> [88.1, 99.9], width 11.8 shown
    # The band itself narrowed (2*z*SE: 11.80 -> 11.77 points) but it slid down from under the
    # clip, so the band shown is wider: clipping, not a loss of information.
    role = Role(track="enterprise", level=3, weights={"a": 0.96, "b": 0.04})
    items = repeated(27, 4) + repeated(1, 0, competency="b")
    before = score(role, items)
    after = score(role, [*items, item("B-extra", competency="b", ratings=[0])])
    assert after.se < before.se
    assert before.se == pytest.approx(0.035859, abs=1e-6)
    assert after.se == pytest.approx(0.035774, abs=1e-6)
    assert before.to_dict()["band"] == [88.5, 100.0]
    assert after.to_dict()["band"] == [88.1, 99.9]


def test_all_zeros_is_below_bar_and_the_band_clips_at_0() -> None:
    # y = 0 on n = 6, k = 1: rho = .774083, theta = .225917*.5 = .112959; SE = .071296
    # band = .112959 -/+ .117282 = [-.004323, .230241] -> [0.0, 23.0]
    # p_above = Phi((.112959 - .625)/.071296) = Phi(-7.18) ~ 3e-13 -> 0.0
    result = score(ENTERPRISE_L3, repeated(6, 0))
    out = result.to_dict()
    assert out["score"] == 11.3
    assert out["band"] == [0.0, 23.0]
    assert result.band[0] == 0.0
    assert out["p_above"] == 0.0
    assert out["label"] == "below_bar"


def test_a_critical_red_flag_caps_above_bar_at_borderline() -> None:
    text = "treats MES and MOM as synonyms"
    items = [item(f"A{i}", ratings=[4, 4]) for i in range(5)]
    items.append(item("A5", ratings=[4, 4], critical_flags=1, critical_flag_texts=[text]))
    out = score(ENTERPRISE_L3, items).to_dict()
    assert out["band"] == [80.0, 100.0]  # as in the all-fours case: above the bar on the numbers
    assert out["label"] == "borderline"
    assert {"kind": "critical_red_flag", "item": "A5", "text": text} in out["flags"]


def test_a_critical_red_flag_leaves_below_bar_and_incomplete_alone() -> None:
    flagged = item("Z", ratings=[0], critical_flags=1)
    assert score(ENTERPRISE_L3, [*repeated(5, 0), flagged]).label == "below_bar"
    result = score(ENTERPRISE_L3, [flagged])
    assert result.label == "incomplete"
    assert result.flags == [{"kind": "critical_red_flag", "item": "Z", "text": None}]


def test_track_mismatch() -> None:
    # Plant items (competency a) all 4s, enterprise items (competency b) all 0s, n = 3, k = 1:
    #   rho = .631431; theta_P = .5 + .5*.631431 = .815716, theta_E = .5 - .5*.631431 = .184284
    #   SE_P = SE_E = .091065; lean = -.631431; SE_lean = .091065*sqrt(2) = .128785
    #   lean < -1.645*.128785 = -.211851 -> plant; both n = 3 >= 3; target enterprise -> mismatch
    # Overall C = .5*.815716 + .5*.184284 = .5, SE = .091065*sqrt(.5) = .064393
    #   band = .5 -/+ .105926 -> [39.4, 60.6]: high .606 < .625 -> below_bar
    #   p_above = Phi(-.125/.064393) = Phi(-1.941219) = .0261 -> .03
    items = repeated(3, 4, competency="a", track="plant") + repeated(3, 0, competency="b")
    out = score(TWO_COMPETENCIES, items).to_dict()
    assert out["track"] == {
        "plant": 81.6,
        "enterprise": 18.4,
        "lean": -63.1,
        "se_lean": 12.9,
        "orientation": "plant",
        "fit": "mismatch",
        "se_plant": 9.1,
        "se_enterprise": 9.1,
        "n_plant": 3.0,
        "n_enterprise": 3.0,
        "missing": {"plant": 0, "enterprise": 0},
    }
    assert out["score"] == 50.0
    assert out["band"] == [39.4, 60.6]
    assert out["p_above"] == 0.03
    assert out["label"] == "below_bar"


def test_track_match() -> None:
    # theta_E: six 4s, k = 1: .5 + .5*.774083 = .887041 (SE .071296)
    # theta_P: three 3s, k = 1: .5 + .25*.631431 = .657858 (SE .091065)
    # lean = .229183 > 1.645*sqrt(.071296^2 + .091065^2) = 1.645*.115654 = .190251 -> enterprise
    # both n >= 3, theta_E >= .625 -> match
    items = repeated(6, 4, track="enterprise") + repeated(3, 3, track="plant")
    track = score(ENTERPRISE_L3, items).track
    assert track.orientation == "enterprise"
    assert track.fit == "match"
    assert track.missing == {"plant": 0, "enterprise": 0}
    assert track.enterprise.estimate == pytest.approx(0.887041, abs=1e-6)
    assert track.plant.estimate == pytest.approx(0.657858, abs=1e-6)
    assert track.lean == pytest.approx(0.229183, abs=1e-6)


def test_a_balanced_profile_matches_when_the_target_track_reaches_the_bar() -> None:
    # Plant role; three plant and three enterprise items, all rated 3 by two interviewers:
    #   theta_P = theta_E = .5 + .25*.685627 = .671407 (SE .084103), lean 0 -> balanced.
    # Both n = 3. bar .625: .671 >= .625 -> match. bar .75: .671 < .75 -> unclear.
    items = [item(f"P{i}", track="plant", ratings=[3, 3]) for i in range(3)]
    items += [item(f"E{i}", track="enterprise", ratings=[3, 3]) for i in range(3)]
    default = score(Role(track="plant", level=3, weights={"a": 1.0}), items).track
    assert default.orientation == "balanced"
    assert default.plant.estimate == pytest.approx(0.671407, abs=1e-6)
    assert default.fit == "match"
    strict = score(Role(track="plant", level=3, weights={"a": 1.0}, bar=0.75), items).track
    assert strict.fit == "unclear"
    assert strict.missing == {"plant": 0, "enterprise": 0}  # unclear on the numbers, not evidence


def test_track_fit_is_unclear_with_thin_evidence_and_says_what_is_missing() -> None:
    # Six enterprise 4s (n 6) but one plant item (n 1): plant needs 2 more items of v = 1
    # (n = 2^2/2 = 2 < 3, then 3^2/3 = 3) -> "needs 2 more plant items".
    items = repeated(6, 4, track="enterprise") + repeated(1, 0, track="plant")
    track = score(ENTERPRISE_L3, items).track
    assert track.fit == "unclear"
    assert track.missing == {"plant": 2, "enterprise": 0}
    # Two take-home plant items (v .5 each, n = 1/.5 = 2): one more v = 1 gives
    # 2^2/1.5 = 2.67 < 3, two more 3^2/2.5 = 3.6 -> still 2 missing.
    take_home = [item(f"T{i}", track="plant", source="take_home", ratings=[4]) for i in range(2)]
    track = score(ENTERPRISE_L3, [*repeated(6, 4, track="enterprise"), *take_home]).track
    assert track.missing == {"plant": 2, "enterprise": 0}
    # No plant items at all: 3 missing.
    track = score(ENTERPRISE_L3, repeated(6, 4, track="enterprise")).track
    assert track.missing == {"plant": 3, "enterprise": 0}
    assert track.to_dict()["missing"] == {"plant": 3, "enterprise": 0}


def test_take_home_answers_count_half() -> None:
    # live 4 (y = 1, v = 1) and take-home 0 (y = 0, v = .5), one rater each (e = .0394):
    #   m = (1*1 + .5*0)/1.5 = .666667, n = 1.5^2/1.25 = 1.8
    #   err = (1*.0394 + .25*.0394)/1.5^2 = .04925/2.25 = .0218889
    #   rho = .0225/.0443889 = .506884
    #   theta = .5 + .506884*.166667 = .584481, SE = .15*sqrt(.493116) = .105333
    result = score(
        ENTERPRISE_L3, [item("L", ratings=[4]), item("T", source="take_home", ratings=[0])]
    )
    a = result.competencies["a"]
    assert a.observed == pytest.approx(2 / 3)
    assert a.n_eff == pytest.approx(1.8)
    assert a.estimate == pytest.approx(0.584481, abs=1e-6)
    assert a.se == pytest.approx(0.105333, abs=1e-6)
    assert result.to_dict()["competencies"]["a"] == {
        "observed": 66.7,
        "estimate": 58.4,
        "se": 10.5,
        "n_eff": 1.8,
    }


def test_items_one_level_away_count_half_and_two_levels_away_not_at_all() -> None:
    # Target level 3. Level 3 rated 4 (v = 1), level 4 rated 0 (v = .5): the same numbers as the
    # take-home case, theta = .584481. The level-1 item (two levels away) is excluded, so its 0
    # changes nothing.
    items = [item("L3", ratings=[4]), item("L4", level=4, ratings=[0])]
    without = score(ENTERPRISE_L3, items)
    with_far = score(ENTERPRISE_L3, [*items, item("L1", level=1, ratings=[0])])
    assert without.competencies["a"].estimate == pytest.approx(0.584481, abs=1e-6)
    assert with_far.competencies["a"] == without.competencies["a"]
    assert with_far.estimate == without.estimate


def test_level_factor_can_be_configured() -> None:
    constants = Constants.from_dict({"level_factor": {"0": 1, "1": 0.5, "2": 0.25}})
    items = [item("L3", ratings=[4]), item("L1", level=1, ratings=[0])]
    # v = 1 and .25: m = 1/1.25 = .8
    assert score(ENTERPRISE_L3, items, constants).competencies["a"].observed == pytest.approx(0.8)


def test_level_fit_is_the_highest_level_that_reaches_the_bar() -> None:
    # n = 2 at each level, k = 1: rho = .533175
    #   level 2, two 4s: theta = .5 + .5*.533175  = .766588
    #   level 3, two 4s: theta = .766588
    #   level 4, two 3s: theta = .5 + .25*.533175 = .633294
    # bar .625: level 4 passes (.633 >= .625): two 3s at a level meet its bar -> 4
    # bar .75:  level 4 fails, level 3 passes (.767 >= .75) -> 3
    items = (
        [item(f"L2-{i}", level=2, ratings=[4]) for i in range(2)]
        + [item(f"L3-{i}", level=3, ratings=[4]) for i in range(2)]
        + [item(f"L4-{i}", level=4, ratings=[3]) for i in range(2)]
    )
    result = score(ENTERPRISE_L3, items)
    assert result.levels[3].estimate == pytest.approx(0.766588, abs=1e-6)
    assert result.levels[4].estimate == pytest.approx(0.633294, abs=1e-6)
    assert result.level_fit == 4
    strict = Role(track="enterprise", level=3, weights={"a": 1.0}, bar=0.75)
    assert score(strict, items).level_fit == 3


def test_level_fit_uses_items_the_credibility_score_excludes() -> None:
    # Target level 4; level-2 items are two levels away, so they add nothing to the score, but
    # level fit asks about level 2 itself, without the level factor: two 4s -> .766588, n = 2.
    role = Role(track="enterprise", level=4, weights={"a": 1.0})
    result = score(role, [item(f"L2-{i}", level=2, ratings=[4]) for i in range(2)])
    assert result.competencies["a"].n_eff == 0
    assert result.level_fit == 2


def test_level_fit_needs_an_effective_count_of_two() -> None:
    # One item rated 4 by three interviewers: theta = .5 + .5*.444371 = .722186 >= .625, but
    # n = 1 (raters are not items) -> none.
    # Two take-home 4s: v = .5 each, n = 1/.5 = 2, err = 2*.25*.0394/1 = .0197, rho = .533175,
    # theta = .766588 -> level 3.
    one = score(ENTERPRISE_L3, [item("A", ratings=[4, 4, 4])])
    assert one.levels[3].estimate == pytest.approx(0.722186, abs=1e-6)
    assert one.to_dict()["level_fit"] == "none"
    take_home = [item(f"T{i}", source="take_home", ratings=[4]) for i in range(2)]
    assert score(ENTERPRISE_L3, take_home).level_fit == 3


@pytest.mark.parametrize(
    ("ratings", "discrepant"),
    [([1, 3], True), ([0, 4, 2], True), ([1.25, 3.25], True), ([1.5, 3], False), ([4], False)],
)
def test_items_whose_ratings_differ_by_two_are_flagged_not_overridden(
    ratings: list[float], discrepant: bool
) -> None:
    result = score(ENTERPRISE_L3, [item("D1", ratings=ratings)])
    flag = {"kind": "discrepant", "item": "D1", "ratings": ratings}
    assert (flag in result.flags) is discrepant
    # The item still counts with its mean rating.
    assert result.competencies["a"].observed == pytest.approx(sum(ratings) / len(ratings) / 4)


def test_coverage_counts_competencies_with_an_effective_count_of_two() -> None:
    # a (W .8) has n = 2, b (W .2) has nothing: coverage .8 exactly is enough.
    role = Role(track="enterprise", level=3, weights={"a": 0.8, "b": 0.2})
    result = score(role, repeated(2, 3))
    assert result.coverage == pytest.approx(0.8)
    assert result.label != "incomplete"
    # .1 + .7 is 0.7999999999999999 in floating point; still "80% of the weight".
    role = Role(track="enterprise", level=3, weights={"a": 0.1, "b": 0.7, "c": 0.2})
    result = score(role, repeated(2, 3, competency="a") + repeated(2, 3, competency="b"))
    assert result.label != "incomplete"
    # a alone (W .6) with n = 2 is not enough.
    role = Role(track="enterprise", level=3, weights={"a": 0.6, "b": 0.4})
    result = score(role, repeated(2, 4) + repeated(1, 4, competency="b"))
    assert result.to_dict()["coverage"] == 0.6
    assert result.label == "incomplete"
    # Raters are not items: one b item rated by four interviewers still has n = 1.
    result = score(role, [*repeated(2, 4), item("B1", competency="b", ratings=[4, 4, 4, 4])])
    assert result.competencies["b"].n_eff == 1.0
    assert result.label == "incomplete"


def test_competencies_the_role_does_not_weight_are_reported_but_do_not_count() -> None:
    result = score(
        ENTERPRISE_L3, [item("A1", ratings=[3]), item("X1", competency="x", ratings=[0])]
    )
    assert list(result.competencies) == ["a", "x"]
    assert result.estimate == pytest.approx(0.590872, abs=1e-6)  # as with A1 alone
    assert result.competencies["x"].observed == 0.0
    assert [c for c, _ in result.next_evidence] == ["a"]


def test_role_weights_must_sum_to_one() -> None:
    with pytest.raises(ValueError, match=r"'weights'.*sum to 0\.9,"):
        Role(track="enterprise", level=3, weights={"a": 0.5, "b": 0.4})
    Role(track="plant", level=1, weights={"a": 0.1, "b": 0.2, "c": 0.7})  # 1.0000000000000002


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("track", "mom", "field 'track'"),
        ("level", 5, "field 'level'"),
        ("weight", 0, "field 'weight'"),
        ("source", "email", "field 'source'"),
        ("ratings", [4.5], "field 'ratings': rating 4.5 is outside 0..4"),
        ("critical_flags", -1, "field 'critical_flags'"),
        ("discussed_live", "yes", "field 'discussed_live': must be true or false"),
    ],
)
def test_invalid_items_name_the_item_and_field(field: str, value: object, message: str) -> None:
    kwargs = {"competency": "a", "track": "core", "level": 2, "weight": 1.0, "source": "live"}
    kwargs["ratings"] = [3]
    kwargs[field] = value
    with pytest.raises(ValueError, match=re.escape(f"item 'Q7', {message}")):
        Item(id="Q7", **kwargs)  # type: ignore[arg-type]


def test_duplicate_item_ids_are_pooled_not_rejected() -> None:
    # Version 1 rejected a repeated id; version 2 reads it as the same question asked again
    # (SCORING.md step 1): one item with both ratings, k = 2, y = (4 + 2)/2/4 = .75, n = 1.
    result = score(ENTERPRISE_L3, [item("A1", ratings=[4]), item("A1", ratings=[2])])
    a = result.competencies["a"]
    assert a.n_eff == 1.0
    assert a.observed == pytest.approx(0.75)
    assert a.estimate == pytest.approx(0.605239, abs=1e-6)  # .5 + .25*.420954 (k = 2)
    assert {"kind": "discrepant", "item": "A1", "ratings": [4, 2]} in result.flags


@pytest.mark.parametrize(
    ("field", "value"), [("discussed_live", "yes"), ("discussed_live", 1), ("critical_flags", True)]
)
def test_invalid_optional_item_fields_name_the_item_and_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=re.escape(f"item 'Q7', field {field!r}")):
        item("Q7", **{field: value})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bar": 1.5}, "role, field 'bar': must lie in 0..100, got 150"),
        ({"bar": "high"}, "role, field 'bar'"),
        ({"bar": math.nan}, "role, field 'bar'"),
        ({"panel_size": 0}, "role, field 'panel_size': must be an integer >= 1, got 0"),
        ({"panel_size": 2.0}, "role, field 'panel_size'"),
        ({"panel_size": True}, "role, field 'panel_size'"),
    ],
)
def test_invalid_role_bar_and_panel_size_are_rejected(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Role(track="enterprise", level=3, weights={"a": 1.0}, **changes)  # type: ignore[arg-type]


def test_result_json_shape_and_reproducibility() -> None:
    out = score(ENTERPRISE_L3, [item("A1", ratings=[3])]).to_dict()
    assert list(out) == [
        "score",
        "band",
        "se",
        "bar",
        "p_above",
        "label",
        "coverage",
        "competencies",
        "track",
        "level_fit",
        "flags",
        "next_evidence",
        "panel_size",
        "scoring_version",
        "constants",
    ]
    assert out["scoring_version"] == SCORING_VERSION == "2"
    assert out["bar"] == 62.5
    assert out["panel_size"] == 2
    # The stored constants rebuild the constants used, so the score can be recomputed.
    assert Constants.from_dict(out["constants"]) == Constants()
    assert out["constants"]["sigma_i"] == 0.15
    assert out["constants"]["sigma_r"] == 0.13
    assert "sigma_e" not in out["constants"]
    custom = Constants(tau=0.2, level_factor={0: 1.0})
    assert Constants.from_dict(custom.to_dict()) == custom


def test_constants_change_the_prior() -> None:
    # tau = .2, one item y = .75, k = 1 (e = .0394): rho = .04/.0794 = .503778,
    #   theta = .5 + .25*.503778 = .625945, SE = .2*sqrt(.496222) = .140886
    result = score(ENTERPRISE_L3, [item("A1", ratings=[3])], Constants(tau=0.2))
    assert result.estimate == pytest.approx(0.625945, abs=1e-6)
    assert result.se == pytest.approx(0.140886, abs=1e-6)
    # sigma_i = .2, sigma_r = 0 is version 1's sigma_e = .2 whatever the raters:
    #   e = .04, rho = .04/.08 = .5, theta = .625, SE = .2*sqrt(.5)
    v1_like = Constants(tau=0.2, sigma_i=0.2, sigma_r=0.0)
    result = score(ENTERPRISE_L3, [item("A1", ratings=[3, 3, 3])], v1_like)
    assert result.estimate == pytest.approx(0.625)
    assert result.se == pytest.approx(0.2 * math.sqrt(0.5))


def test_bad_constants_are_rejected() -> None:
    with pytest.raises(ValueError, match="field 'tau'"):
        Constants(tau=0)
    with pytest.raises(ValueError, match="field 'sigma_i'"):
        Constants(sigma_i=0)
    with pytest.raises(ValueError, match="field 'sigma_r'"):
        Constants(sigma_r=-0.1)
    with pytest.raises(ValueError, match="field 'source_factor'"):
        Constants(source_factor={"live": 1.0})
    with pytest.raises(ValueError, match="field 'nope': unknown constant"):
        Constants.from_dict({"nope": 1})
    with pytest.raises(ValueError, match="field 'sigma_e': unknown constant"):
        Constants.from_dict({"sigma_e": 0.2})  # version 1's single error constant is gone


def test_a_trusted_item_scores_exactly_as_a_checked_one() -> None:
    checked = [
        Item("A", "a", "enterprise", 3, 1.0, "live", [3, 4], 1, ["flag"]),
        Item("B", "a", "plant", 2, 0.5, "take_home", [2], discussed_live=True),
    ]
    trusted = [
        Item.trusted("A", "a", "enterprise", 3, 1.0, "live", (3, 4), ("flag",)),
        Item.trusted("B", "a", "plant", 2, 0.5, "take_home", (2,), discussed_live=True),
    ]
    assert trusted == checked
    assert score(ENTERPRISE_L3, trusted).to_dict() == score(ENTERPRISE_L3, checked).to_dict()
