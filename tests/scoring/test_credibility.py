"""The credibility score, worked by hand (SCORING.md steps 1-7).

Default constants throughout: mu = .50, tau = .15 (tau^2 = .0225), sigma_e = .20
(sigma_e^2 = .04), z = 1.645. So for n equally weighted items

    rho = .0225 n / (.0225 n + .04),   theta = rho*m + (1 - rho)*.5,   SE = .15*sqrt(1 - rho)

    n = 1: rho = .0225/.0625 = .36       SE = .15*.8            = .12
    n = 2: rho = .045/.085   = .529412   SE = .15*sqrt(.470588) = .102899
    n = 3: rho = .0675/.1075 = .627907   SE = .15*sqrt(.372093) = .091499
    n = 4: rho = .09/.13     = .692308   SE = .15*sqrt(.307692) = .083205
    n = 6: rho = .135/.175   = .771429   SE = .15*sqrt(.228571) = .071714
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pytest

from apps.scoring import SCORING_VERSION, Constants, Item, Role, item_rating, kelley, score

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


# --- Kelley estimate (step 3) -------------------------------------------------------------


def test_kelley_with_no_evidence_is_the_prior() -> None:
    est = kelley([])
    assert (est.observed, est.estimate, est.se, est.n_eff) == (None, 0.5, 0.15, 0.0)


def test_effective_count_of_unequal_weights() -> None:
    # v = 1, .5: n = 1.5^2 / (1 + .25) = 2.25/1.25 = 1.8
    assert kelley([(1.0, 1.0), (0.0, 0.5)]).n_eff == pytest.approx(1.8)


def test_a_heavy_item_among_many_light_ones_lowers_the_effective_count() -> None:
    # Kish's n = sum(v)^2/sum(v^2) is a property of the spec, not a bug: one live on-level item
    # (v = 1) and 16 take-home items one level away (v = .25): n = 5^2/2 = 12.5. One more v = 1
    # item makes the weights more unequal: n = 6^2/3 = 12, so the SE grows a little even
    # though the new item agrees. An added item with v <= 2*sum(v^2)/sum(v) never lowers n.
    light = [(1.0, 0.25)] * 16
    assert kelley([(1.0, 1.0), *light]).n_eff == pytest.approx(12.5)
    assert kelley([(1.0, 1.0), (1.0, 1.0), *light]).n_eff == pytest.approx(12.0)


# --- whole sessions -----------------------------------------------------------------------


def test_one_item() -> None:
    # y = 3/4 = .75, v = 1, n = 1, rho = .36
    # theta = .36*.75 + .64*.5 = .27 + .32 = .59; SE = .12
    # band = 59 -/+ 1.645*12 = 59 -/+ 19.74 = [39.26, 78.74]
    # coverage: n = 1 < 2, so 0 -> incomplete
    # track: theta_E = .59 (SE .12), theta_P = prior .5 (SE .15); lean = .09,
    #        SE_lean = sqrt(.0144 + .0225) = .192094; .09 < 1.645*.192 -> balanced
    result = score(ENTERPRISE_L3, [item("A1", ratings=[3])])
    assert result.estimate == pytest.approx(0.59)
    assert result.se == pytest.approx(0.12)
    out = result.to_dict()
    assert out["score"] == 59.0
    assert out["band"] == [39.3, 78.7]
    assert out["se"] == 12.0
    assert out["label"] == "incomplete"
    assert out["coverage"] == 0.0
    assert out["competencies"] == {
        "a": {"observed": 75.0, "estimate": 59.0, "se": 12.0, "n_eff": 1.0}
    }
    assert out["track"] == {
        "plant": 50.0,
        "enterprise": 59.0,
        "lean": 9.0,
        "se_lean": 19.2,
        "orientation": "balanced",
        "fit": "unclear",
        # Per-track SE and evidence (tau = 15 with no plant items; 12 with one enterprise item).
        "se_plant": 15.0,
        "se_enterprise": 12.0,
        "n_plant": 0.0,
        "n_enterprise": 1.0,
    }
    assert out["level_fit"] == "none"
    assert out["flags"] == []


def test_no_evidence_gives_the_prior_and_incomplete() -> None:
    # Every theta = mu = .5, SE_c = .15: C = .5, SE = sqrt(2 * .5^2 * .15^2) = .106066
    # band = 50 -/+ 1.645*10.6066 = 50 -/+ 17.448 = [32.55, 67.45]
    result = score(TWO_COMPETENCIES, [item("A1", ratings=[])])  # rated by nobody yet
    out = result.to_dict()
    assert out["score"] == 50.0
    assert out["se"] == 10.6
    assert out["band"] == [32.6, 67.4]
    assert out["label"] == "incomplete"
    assert out["competencies"]["a"] == {"observed": None, "estimate": 50.0, "se": 15.0, "n_eff": 0}
    assert out["flags"] == [
        {"kind": "no_evidence", "competency": "a"},
        {"kind": "no_evidence", "competency": "b"},
    ]
    assert out["track"]["se_lean"] == 21.2  # sqrt(.15^2 + .15^2) = .212132
    assert score(TWO_COMPETENCIES, []).to_dict()["score"] == 50.0


def test_all_fours_on_six_items_is_above_bar_and_the_band_clips_at_100() -> None:
    # y = 1 on n = 6: theta = .771429 + .228571*.5 = .885714; SE = .071714
    # band = [.885714 - .117969, .885714 + .117969] = [.767745, 1.003683] -> [76.8, 100.0]
    result = score(ENTERPRISE_L3, [item(f"A{i}", ratings=[4, 4]) for i in range(6)])
    out = result.to_dict()
    assert out["score"] == 88.6
    assert out["band"] == [76.8, 100.0]
    assert result.band[1] == 1.0
    assert out["label"] == "above_bar"
    assert out["coverage"] == 1.0
    assert out["competencies"]["a"]["observed"] == 100.0


def test_all_fours_on_four_items_is_still_borderline() -> None:
    # n = 4: theta = .692308 + .307692*.5 = .846154; SE = .083205
    # band = .846154 -/+ .136872 = [.709282, .983026]: 70.9 < 75 <= 98.3 -> borderline:
    # four agreeing items are not yet enough to rule out "meets the bar" and nothing more.
    out = score(ENTERPRISE_L3, [item(f"A{i}", ratings=[4, 4]) for i in range(4)]).to_dict()
    assert out["score"] == 84.6
    assert out["band"] == [70.9, 98.3]
    assert out["label"] == "borderline"


def test_clipping_can_hide_part_of_a_band_that_narrowed() -> None:
    # Competency a (W .96): 27 fours, rho = .6075/.6475 = .938224, theta_a = .969112,
    #   SE_a = .15*sqrt(.061776) = .037282. Competency b (W .04): one 0, theta_b = .32, SE_b = .12.
    #   C = .96*.969112 + .04*.32 = .943148, SE = sqrt(.9216*.00139 + .0016*.0144) = .036112
    #   band = [.883744, 1.002552] -> [88.4, 100.0], width 11.6 after clipping
    # A second 0 on b (agreeing): theta_b = .235294, SE_b = .102899
    #   C = .939760, SE = .036027 (narrower), band = [.880495, .999023] -> [88.0, 99.9]
    # The band itself narrowed (2*z*SE: 11.88 -> 11.85 points) but it slid down from under the
    # clip, so the band shown is wider (11.6 -> 11.9): clipping, not a loss of information.
    role = Role(track="enterprise", level=3, weights={"a": 0.96, "b": 0.04})
    items = repeated(27, 4) + repeated(1, 0, competency="b")
    before = score(role, items)
    after = score(role, [*items, item("B-extra", competency="b", ratings=[0])])
    assert after.se < before.se
    assert before.to_dict()["band"] == [88.4, 100.0]
    assert after.to_dict()["band"] == [88.0, 99.9]


def test_all_zeros_is_below_bar_and_the_band_clips_at_0() -> None:
    # y = 0 on n = 6: theta = .228571*.5 = .114286; band = [-.003683, .232255] -> [0.0, 23.2]
    result = score(ENTERPRISE_L3, repeated(6, 0))
    out = result.to_dict()
    assert out["score"] == 11.4
    assert out["band"] == [0.0, 23.2]
    assert result.band[0] == 0.0
    assert out["label"] == "below_bar"


def test_a_critical_red_flag_caps_above_bar_at_borderline() -> None:
    text = "treats MES and MOM as synonyms"
    items = [item(f"A{i}", ratings=[4, 4]) for i in range(5)]
    items.append(item("A5", ratings=[4, 4], critical_flags=1, critical_flag_texts=[text]))
    out = score(ENTERPRISE_L3, items).to_dict()
    assert out["band"] == [76.8, 100.0]  # as in the all-fours case: above the bar on the numbers
    assert out["label"] == "borderline"
    assert {"kind": "critical_red_flag", "item": "A5", "text": text} in out["flags"]


def test_a_critical_red_flag_leaves_below_bar_and_incomplete_alone() -> None:
    flagged = item("Z", ratings=[0], critical_flags=1)
    assert score(ENTERPRISE_L3, [*repeated(5, 0), flagged]).label == "below_bar"
    result = score(ENTERPRISE_L3, [flagged])
    assert result.label == "incomplete"
    assert result.flags == [{"kind": "critical_red_flag", "item": "Z", "text": None}]


def test_track_mismatch() -> None:
    # Plant items (competency a) all 4s, enterprise items (competency b) all 0s, n = 3 each:
    #   theta_P = .627907*1 + .372093*.5 = .813953,  theta_E = .372093*.5 = .186047
    #   SE_P = SE_E = .091499; lean = -.627907; SE_lean = .091499*sqrt(2) = .129399
    #   lean < -1.645*.129399 = -.212862 -> plant; both n = 3 >= 3; target enterprise -> mismatch
    # Overall C = .5*.813953 + .5*.186047 = .5, SE = .091499*sqrt(.5) = .0647 -> [39.4, 60.6]
    items = repeated(3, 4, competency="a", track="plant") + repeated(3, 0, competency="b")
    out = score(TWO_COMPETENCIES, items).to_dict()
    assert out["track"] == {
        "plant": 81.4,
        "enterprise": 18.6,
        "lean": -62.8,
        "se_lean": 12.9,
        "orientation": "plant",
        "fit": "mismatch",
        "se_plant": 9.1,
        "se_enterprise": 9.1,
        "n_plant": 3.0,
        "n_enterprise": 3.0,
    }
    assert out["score"] == 50.0
    assert out["band"] == [39.4, 60.6]
    assert out["label"] == "below_bar"


def test_track_match() -> None:
    # theta_E = .885714 (six 4s, SE .071714); theta_P: three 3s, m = .75, n = 3:
    #   .627907*.75 + .372093*.5 = .656977 (SE .091499)
    # lean = .228738 > 1.645*sqrt(.071714^2 + .091499^2) = 1.645*.116254 = .191238 -> enterprise
    # both n >= 3, theta_E >= .75 -> match
    items = repeated(6, 4, track="enterprise") + repeated(3, 3, track="plant")
    track = score(ENTERPRISE_L3, items).track
    assert track.orientation == "enterprise"
    assert track.fit == "match"
    assert track.plant.estimate == pytest.approx(0.656977, abs=1e-6)


def test_track_fit_is_unclear_with_thin_evidence_on_either_track() -> None:
    items = repeated(6, 4, track="enterprise") + repeated(2, 0, track="plant")
    assert score(ENTERPRISE_L3, items).track.fit == "unclear"


def test_take_home_answers_count_half() -> None:
    # live 4 (y = 1, v = 1) and take-home 0 (y = 0, v = .5):
    #   m = (1*1 + .5*0)/1.5 = .666667, n = 1.5^2/1.25 = 1.8
    #   rho = 1.8*.0225/(1.8*.0225 + .04) = .0405/.0805 = .503106
    #   theta = .503106*.666667 + .496894*.5 = .583851, SE = .15*sqrt(.496894) = .105736
    result = score(
        ENTERPRISE_L3, [item("L", ratings=[4]), item("T", source="take_home", ratings=[0])]
    )
    a = result.competencies["a"]
    assert a.observed == pytest.approx(2 / 3)
    assert a.n_eff == pytest.approx(1.8)
    assert a.estimate == pytest.approx(0.583851, abs=1e-6)
    assert a.se == pytest.approx(0.105736, abs=1e-6)
    assert result.to_dict()["competencies"]["a"] == {
        "observed": 66.7,
        "estimate": 58.4,
        "se": 10.6,
        "n_eff": 1.8,
    }


def test_items_one_level_away_count_half_and_two_levels_away_not_at_all() -> None:
    # Target level 3. Level 3 rated 4 (v = 1), level 4 rated 0 (v = .5): the same numbers as the
    # take-home case, theta = .583851. The level-1 item (two levels away) is excluded, so its 0
    # changes nothing.
    items = [item("L3", ratings=[4]), item("L4", level=4, ratings=[0])]
    without = score(ENTERPRISE_L3, items)
    with_far = score(ENTERPRISE_L3, [*items, item("L1", level=1, ratings=[0])])
    assert without.competencies["a"].estimate == pytest.approx(0.583851, abs=1e-6)
    assert with_far.competencies["a"] == without.competencies["a"]
    assert with_far.estimate == without.estimate


def test_level_factor_can_be_configured() -> None:
    constants = Constants.from_dict({"level_factor": {"0": 1, "1": 0.5, "2": 0.25}})
    items = [item("L3", ratings=[4]), item("L1", level=1, ratings=[0])]
    # v = 1 and .25: m = 1/1.25 = .8
    assert score(ENTERPRISE_L3, items, constants).competencies["a"].observed == pytest.approx(0.8)


def test_level_fit_is_the_highest_level_that_reaches_the_bar() -> None:
    # n = 2 at each level: rho = .529412
    #   level 3, two 4s: theta = .529412 + .470588*.5 = .764706 >= .75 -> passes
    #   level 4, two 3s: theta = .529412*.75 + .235294 = .632353      -> fails
    #   level 2, two 4s: passes too, but 3 is higher
    items = (
        [item(f"L2-{i}", level=2, ratings=[4]) for i in range(2)]
        + [item(f"L3-{i}", level=3, ratings=[4]) for i in range(2)]
        + [item(f"L4-{i}", level=4, ratings=[3]) for i in range(2)]
    )
    result = score(ENTERPRISE_L3, items)
    assert result.level_fit == 3
    assert result.levels[3].estimate == pytest.approx(0.764706, abs=1e-6)
    assert result.levels[4].estimate == pytest.approx(0.632353, abs=1e-6)


def test_level_fit_uses_items_the_credibility_score_excludes() -> None:
    # Target level 4; level-2 items are two levels away, so they add nothing to the score, but
    # level fit asks about level 2 itself, without the level factor: two 4s -> .764706, n = 2.
    role = Role(track="enterprise", level=4, weights={"a": 1.0})
    result = score(role, [item(f"L2-{i}", level=2, ratings=[4]) for i in range(2)])
    assert result.competencies["a"].n_eff == 0
    assert result.level_fit == 2


def test_level_fit_needs_an_effective_count_of_two() -> None:
    # One 4: theta = .36 + .32 = .68 < .75 anyway; two take-home 4s: n = 2, theta = .764706.
    assert score(ENTERPRISE_L3, [item("A", ratings=[4, 4, 4])]).to_dict()["level_fit"] == "none"
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


def test_competencies_the_role_does_not_weight_are_reported_but_do_not_count() -> None:
    result = score(
        ENTERPRISE_L3, [item("A1", ratings=[3]), item("X1", competency="x", ratings=[0])]
    )
    assert list(result.competencies) == ["a", "x"]
    assert result.estimate == pytest.approx(0.59)  # as with A1 alone
    assert result.competencies["x"].observed == 0.0


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
    ],
)
def test_invalid_items_name_the_item_and_field(field: str, value: object, message: str) -> None:
    kwargs = {"competency": "a", "track": "core", "level": 2, "weight": 1.0, "source": "live"}
    kwargs["ratings"] = [3]
    kwargs[field] = value
    with pytest.raises(ValueError, match=re.escape(f"item 'Q7', {message}")):
        Item(id="Q7", **kwargs)  # type: ignore[arg-type]


def test_duplicate_item_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="item 'A1', field 'id': duplicate"):
        score(ENTERPRISE_L3, [item("A1"), item("A1")])


def test_result_json_shape_and_reproducibility() -> None:
    out = score(ENTERPRISE_L3, [item("A1", ratings=[3])]).to_dict()
    assert list(out) == [
        "score",
        "band",
        "se",
        "label",
        "coverage",
        "competencies",
        "track",
        "level_fit",
        "flags",
        "scoring_version",
        "constants",
    ]
    assert out["scoring_version"] == SCORING_VERSION
    # The stored constants rebuild the constants used, so the score can be recomputed.
    assert Constants.from_dict(out["constants"]) == Constants()
    custom = Constants(tau=0.2, level_factor={0: 1.0})
    assert Constants.from_dict(custom.to_dict()) == custom


def test_constants_change_the_prior() -> None:
    # tau = .2, sigma_e = .2, one item y = .75: rho = .04/.08 = .5, theta = .625, SE = .2*sqrt(.5)
    result = score(ENTERPRISE_L3, [item("A1", ratings=[3])], Constants(tau=0.2))
    assert result.estimate == pytest.approx(0.625)
    assert result.se == pytest.approx(0.2 * math.sqrt(0.5))


def test_bad_constants_are_rejected() -> None:
    with pytest.raises(ValueError, match="field 'tau'"):
        Constants(tau=0)
    with pytest.raises(ValueError, match="field 'source_factor'"):
        Constants(source_factor={"live": 1.0})
    with pytest.raises(ValueError, match="field 'nope': unknown constant"):
        Constants.from_dict({"nope": 1})
