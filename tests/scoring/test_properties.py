"""Properties of the credibility score (SCORING.md version 2) that must hold for any input."""

from __future__ import annotations

import math
from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from apps.scoring import Item, Result, Role, kelley, pool, score
from apps.scoring.inputs import BAR_MAX, BAR_MIN, ITEM_TRACKS, LEVELS, ROLE_TRACKS, SOURCES

COMPETENCIES = ("a", "b", "c")
TOLERANCE = 1e-12

ratings = st.floats(min_value=0, max_value=4, allow_nan=False)


@st.composite
def roles(draw: st.DrawFn) -> Role:
    chosen = draw(st.lists(st.sampled_from(COMPETENCIES), min_size=1, max_size=3, unique=True))
    raw = [draw(st.floats(min_value=0.05, max_value=1.0)) for _ in chosen]
    total = math.fsum(raw)
    weights = {c: w / total for c, w in zip(chosen, raw, strict=True)}
    return Role(
        track=draw(st.sampled_from(ROLE_TRACKS)),
        level=draw(st.sampled_from(LEVELS)),
        weights=weights,
        bar=draw(st.one_of(st.just(0.625), st.floats(min_value=BAR_MIN, max_value=BAR_MAX))),
        panel_size=draw(st.integers(min_value=1, max_value=4)),
    )


@st.composite
def item_lists(draw: st.DrawFn, unique_ids: bool = False) -> list[Item]:
    count = draw(st.integers(min_value=0, max_value=12))
    items = []
    for i in range(count):
        # Ids drawn from a small pool repeat, so pooling (one question in two sessions) is
        # exercised too; unique_ids gives one occurrence per question.
        item_id = f"Q{i}" if unique_ids else f"Q{draw(st.integers(min_value=0, max_value=7))}"
        items.append(
            Item(
                id=item_id,
                # "x" is not weighted by any role: it must never break the properties either.
                competency=draw(st.sampled_from((*COMPETENCIES, "x"))),
                track=draw(st.sampled_from(ITEM_TRACKS)),
                level=draw(st.sampled_from(LEVELS)),
                weight=draw(st.floats(min_value=0.1, max_value=5)),
                source=draw(st.sampled_from(SOURCES)),
                ratings=draw(st.lists(ratings, max_size=3)),
                critical_flags=draw(st.sampled_from((0, 0, 0, 1))),
                discussed_live=draw(st.booleans()),
            )
        )
    return items


def replace(item: Item, **changes: object) -> Item:
    fields = {
        "id": item.id,
        "competency": item.competency,
        "track": item.track,
        "level": item.level,
        "weight": item.weight,
        "source": item.source,
        "ratings": item.ratings,
        "critical_flags": item.critical_flags,
        "critical_flag_texts": item.critical_flag_texts,
        "discussed_live": item.discussed_live,
    }
    fields.update(changes)
    return Item(**fields)  # type: ignore[arg-type]


def evidence_weights(
    role: Role, items: Sequence[Item], competency: str, result: Result
) -> list[tuple[float, float]]:
    """(v_q, e_q) of each pooled, rated, usable item of `competency`, by SCORING.md steps 2-3."""
    c = result.constants
    out = []
    for p in pool(items):
        distance = abs(p.level - role.level)
        if p.competency != competency or not p.ratings or distance not in c.level_factor:
            continue
        s = c.source_factor["live" if p.answered_live else "take_home"]
        v = c.level_factor[distance] * s * p.weight
        out.append((v, c.sigma_i**2 + c.sigma_r**2 / len(p.ratings)))
    return out


@given(roles(), item_lists())
def test_score_lies_within_its_band_and_the_band_within_0_to_100(
    role: Role, items: list[Item]
) -> None:
    result = score(role, items)
    low, high = result.band
    assert 0 <= low <= result.estimate <= high <= 1
    out = result.to_dict()
    assert 0 <= out["band"][0] <= out["score"] <= out["band"][1] <= 100
    assert 0 <= out["coverage"] <= 1
    assert 0 <= out["p_above"] <= 1
    assert out["bar"] == round(100 * role.bar, 1)
    assert out["label"] in ("above_bar", "below_bar", "borderline", "incomplete")
    if any(flag["kind"] == "critical_red_flag" for flag in result.flags):
        assert result.label != "above_bar"
    # The label agrees with p_above: the band's low end at or above the bar means
    # (C - bar)/SE >= z, so p_above >= Phi(1.645) = .95; its high end below, p_above < .05.
    if result.label == "above_bar":
        assert result.p_above >= 0.95 - 1e-6
    if result.label == "below_bar":
        assert result.p_above <= 0.05 + 1e-6


@given(roles(), item_lists())
def test_next_evidence_lists_up_to_three_weighted_competencies_best_first(
    role: Role, items: list[Item]
) -> None:
    result = score(role, items)
    weighted = [c for c, w in role.weights.items() if w > 0]
    listed = [c for c, _ in result.next_evidence]
    assert len(listed) == min(3, len(weighted))
    assert set(listed) <= set(weighted)
    assert len(set(listed)) == len(listed)
    keys = [(round(100 * hw, 1), c) for c, hw in result.next_evidence]
    assert keys == sorted(keys)
    # Not "never wider than today": one more single-rater item of weight 1 can widen a band
    # that rests on lighter, well-rated items (as a heavy item lowers the effective count), so
    # each half-width is only bounded by the prior's.
    for _, halfwidth in result.next_evidence:
        assert 0 < halfwidth <= result.constants.z * result.constants.tau + TOLERANCE


@given(roles(), item_lists())
def test_every_estimate_stays_on_the_scale_and_no_se_exceeds_the_prior(
    role: Role, items: list[Item]
) -> None:
    result = score(role, items)
    estimates = [*result.competencies.values(), *result.levels.values()]
    estimates += [result.track.plant, result.track.enterprise]
    for est in estimates:
        assert 0 <= est.estimate <= 1
        assert 0 < est.se <= result.constants.tau + TOLERANCE


@given(roles(), item_lists())
def test_items_sharing_an_id_count_once(role: Role, items: list[Item]) -> None:
    # A competency's effective count lies between 1 and the number of distinct questions that
    # give it evidence; a question asked in two sessions is one of them, however many raters.
    result = score(role, items)
    for competency, est in result.competencies.items():
        questions = len(evidence_weights(role, items, competency, result))
        if questions == 0:
            assert est.n_eff == 0
        else:
            assert 1 - TOLERANCE <= est.n_eff <= questions + 1e-9


@given(roles(), item_lists(unique_ids=True), st.data())
def test_the_same_ratings_split_across_two_sessions_give_the_result_of_one(
    role: Role, items: list[Item], data: st.DataObject
) -> None:
    # Each question's ratings are split: the first few in the first session, the rest when the
    # same question is asked again in a later session (in any order there).
    first, second = [], []
    for it in items:
        cut = data.draw(st.integers(min_value=0, max_value=len(it.ratings)))
        first.append(replace(it, ratings=it.ratings[:cut]))
        if cut < len(it.ratings) or data.draw(st.booleans()):
            second.append(
                replace(it, ratings=it.ratings[cut:], critical_flags=0, critical_flag_texts=())
            )
    second = data.draw(st.permutations(second))
    assert score(role, first + second) == score(role, items)


@given(roles(), item_lists(), st.data())
def test_one_more_rater_on_an_item_never_widens_a_band(
    role: Role, items: list[Item], data: st.DataObject
) -> None:
    rated = [i for i, it in enumerate(items) if it.ratings]
    if not rated:
        return
    # Another interviewer rates an occurrence that already has ratings (so whether it was
    # answered live, and so v_q, stays as it was): k_q grows, e_q shrinks, nothing else moves.
    # (A first rating of an unrated occurrence adds evidence instead: see the next test.)
    index = data.draw(st.sampled_from(rated))
    changed = list(items)
    changed[index] = replace(items[index], ratings=[*items[index].ratings, data.draw(ratings)])
    before, after = score(role, items), score(role, changed)
    for competency, est in before.competencies.items():
        assert after.competencies[competency].se <= est.se + TOLERANCE
        assert after.competencies[competency].n_eff == est.n_eff
    for level, est in before.levels.items():
        assert after.levels[level].se <= est.se + TOLERANCE
    assert after.track.plant.se <= before.track.plant.se + TOLERANCE
    assert after.track.enterprise.se <= before.track.enterprise.se + TOLERANCE
    assert after.se <= before.se + TOLERANCE


@given(roles(), item_lists(), st.data())
def test_more_agreeing_evidence_never_widens_the_band(
    role: Role, items: list[Item], data: st.DataObject
) -> None:
    competency = data.draw(st.sampled_from(list(role.weights)))
    before = score(role, items)
    est = before.competencies[competency]
    # The new item agrees: its y is the competency's observed mean (any y without evidence).
    rating = 4 * est.observed if est.observed is not None else data.draw(ratings)
    # A new question (one rater, e' = sigma_i^2 + sigma_r^2) lowers err = sum(v^2 e)/sum(v)^2
    # when its v' <= 2*sum(v^2 e)/(e'*sum(v)), and does not lower Kish's effective count when
    # v' <= 2*sum(v^2)/sum(v) (see test_a_heavy_item_among_many_light_ones_lowers_the_
    # effective_count): a much heavier item joining many light ones can widen the band.
    c = before.constants
    e_new = c.sigma_i**2 + c.sigma_r**2
    ve = evidence_weights(role, items, competency, before)
    if ve:
        sum_v = math.fsum(v for v, _ in ve)
        limit = min(
            2 * math.fsum(v * v for v, _ in ve) / sum_v,
            2 * math.fsum(v * v * e for v, e in ve) / (e_new * sum_v),
        )
    else:
        limit = 5.0
    weight = data.draw(st.floats(min_value=0.01, max_value=1.0)) * limit
    extra = Item("NEW", competency, "core", role.level, weight, "live", [min(4.0, rating)])
    after = score(role, [*items, extra])

    assert after.competencies[competency].n_eff >= est.n_eff - 1e-9
    assert after.competencies[competency].se <= est.se + TOLERANCE
    # The band before clipping is C -/+ z*SE, so its width is 2*z*SE. (Clipping at 100 can make
    # the shown band a little wider: see test_clipping_can_hide_part_of_a_band_that_narrowed.)
    assert after.se <= before.se + TOLERANCE


@given(roles(), item_lists(), st.data())
def test_p_above_rises_with_the_score_when_only_ratings_go_up(
    role: Role, items: list[Item], data: st.DataObject
) -> None:
    # Raising ratings (same items, same raters) moves no v_q or e_q, so SE stays; every m_c and
    # so C rises (weakly), and p_above = Phi((C - bar)/SE) with it.
    raised = [
        replace(
            it,
            ratings=[
                min(4.0, r + data.draw(st.floats(min_value=0, max_value=4))) for r in it.ratings
            ],
        )
        for it in items
    ]
    before, after = score(role, items), score(role, raised)
    assert after.se == before.se
    assert after.estimate >= before.estimate - TOLERANCE
    assert after.p_above >= before.p_above - 1e-9


@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.floats(0.01, 10), st.floats(0.001, 0.1)),
        min_size=1,
        max_size=20,
    )
)
def test_effective_count_lies_between_one_and_the_number_of_items(
    evidence: list[tuple[float, float, float]],
) -> None:
    est = kelley(evidence)
    assert 1 - TOLERANCE <= est.n_eff <= len(evidence) + 1e-9
    # The estimate is pulled from the observed mean toward the prior mean, never past either.
    assert est.observed is not None
    assert min(est.observed, 0.5) - TOLERANCE <= est.estimate <= max(est.observed, 0.5) + TOLERANCE
    assert 0 < est.se < 0.15
