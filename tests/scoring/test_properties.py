"""Properties of the credibility score that must hold for any input (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from apps.scoring import Item, Role, kelley, score
from apps.scoring.inputs import ITEM_TRACKS, LEVELS, ROLE_TRACKS, SOURCES

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
    )


@st.composite
def item_lists(draw: st.DrawFn) -> list[Item]:
    count = draw(st.integers(min_value=0, max_value=12))
    return [
        Item(
            id=f"Q{i}",
            # "x" is not weighted by any role: it must never break the properties either.
            competency=draw(st.sampled_from((*COMPETENCIES, "x"))),
            track=draw(st.sampled_from(ITEM_TRACKS)),
            level=draw(st.sampled_from(LEVELS)),
            weight=draw(st.floats(min_value=0.1, max_value=5)),
            source=draw(st.sampled_from(SOURCES)),
            ratings=draw(st.lists(ratings, max_size=3)),
            critical_flags=draw(st.sampled_from((0, 0, 0, 1))),
        )
        for i in range(count)
    ]


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
    assert out["label"] in ("above_bar", "below_bar", "borderline", "incomplete")
    if any(flag["kind"] == "critical_red_flag" for flag in result.flags):
        assert result.label != "above_bar"


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


@given(roles(), item_lists(), st.data())
def test_more_agreeing_evidence_never_widens_the_band(
    role: Role, items: list[Item], data: st.DataObject
) -> None:
    competency = data.draw(st.sampled_from(list(role.weights)))
    before = score(role, items)
    est = before.competencies[competency]
    # The new item agrees: its y is the competency's observed mean (any y without evidence).
    rating = 4 * est.observed if est.observed is not None else data.draw(ratings)
    # Kish's effective count can fall when a much heavier item joins many light ones (see
    # test_a_heavy_item_among_many_light_ones_lowers_the_effective_count); it never falls when
    # the new item's v is at most 2*sum(v^2)/sum(v) of the evidence already there.
    vs = [
        before.constants.level_factor[abs(i.level - role.level)]
        * before.constants.source_factor[i.source]
        * i.weight
        for i in items
        if i.competency == competency
        and i.ratings
        and abs(i.level - role.level) in before.constants.level_factor
    ]
    limit = 2 * math.fsum(v * v for v in vs) / math.fsum(vs) if vs else 5.0
    weight = data.draw(st.floats(min_value=0.01, max_value=1.0)) * limit
    extra = Item("NEW", competency, "core", role.level, weight, "live", [min(4.0, rating)])
    after = score(role, [*items, extra])

    assert after.competencies[competency].n_eff >= est.n_eff - TOLERANCE
    # The band before clipping is C -/+ z*SE, so its width is 2*z*SE. (Clipping at 100 can make
    # the shown band a little wider: see test_clipping_can_hide_part_of_a_band_that_narrowed.)
    assert after.se <= before.se + TOLERANCE


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0.01, 10)), min_size=1, max_size=20))
def test_effective_count_lies_between_one_and_the_number_of_items(
    evidence: list[tuple[float, float]],
) -> None:
    est = kelley(evidence)
    assert 1 - TOLERANCE <= est.n_eff <= len(evidence) + TOLERANCE
    # The estimate is pulled from the observed mean toward the prior mean, never past either.
    assert est.observed is not None
    assert min(est.observed, 0.5) - TOLERANCE <= est.estimate <= max(est.observed, 0.5) + TOLERANCE
