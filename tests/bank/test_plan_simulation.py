"""Every shipped interview plan, completed with its panels, can decide what SCORING.md asks.

Synthetic candidates go through every stage of every plan (each live stage rated by its panel,
the take-home by one interviewer and not discussed live) and the scoring engine scores the
pooled application. Editing a kit or a plan into breaking a rule fails here.
"""

from __future__ import annotations

import dataclasses

import pytest

from apps.bank import kit_rules, schema
from apps.bank.plans import PROFILES, bank_plan_spec, plan_problems, simulate_plan, synthetic_items
from tests.conftest import BANK_DIR

BANK, ERRORS = schema.load_bank(sorted(BANK_DIR.glob("*.yaml")))
PLAN_KEYS = sorted(BANK.plans)


def test_the_bank_loads_and_ships_one_plan_per_track_and_level():
    assert [str(e) for e in ERRORS] == []
    cells = sorted((p.track, p.level) for p in BANK.plans.values())
    assert cells == sorted((t, lv) for t in BANK.tracks for lv in BANK.levels)


@pytest.fixture(scope="module", params=PLAN_KEYS)
def preview(request):
    return simulate_plan(bank_plan_spec(BANK, request.param))


def test_every_stage_kit_meets_the_kit_rules(preview):
    assert {s["kit"]: s["problems"] for s in preview["stages"]} == {
        s["kit"]: [] for s in preview["stages"]
    }


def test_plan_structure_meets_the_rules(preview):
    assert preview["problems"] == []


def test_a_consistent_run_of_3s_reaches_coverage_and_is_likely_above_the_bar(preview):
    v = preview["verdicts"]["all_3s"]
    assert v["label"] in ("borderline", "above_bar"), v
    assert v["p_above"] >= 0.8, v
    assert preview["track_fit_decidable"]


def test_a_consistent_run_of_2s_is_never_above_the_bar(preview):
    v = preview["verdicts"]["all_2s"]
    assert v["label"] != "above_bar", v
    assert v["p_above"] <= 0.2, v


def test_a_clear_mes_profile_reads_plant(preview):
    v = preview["verdicts"]["mes"]
    assert v["orientation"] == "plant", v
    assert v["fit"] == ("mismatch" if preview["track"] == "enterprise" else "match"), v


def test_a_clear_mom_profile_reads_enterprise(preview):
    v = preview["verdicts"]["mom"]
    assert v["orientation"] == "enterprise", v
    assert v["fit"] == ("mismatch" if preview["track"] == "plant" else "match"), v


def test_live_stages_have_a_panel_and_the_take_home_one_rater():
    for key in PLAN_KEYS:
        spec = bank_plan_spec(BANK, key)
        modes = [(s.mode, s.panel_size) for s in spec.stages]
        assert ("take_home", 1) in modes, key
        assert any(mode == "live" and panel >= 2 for mode, panel in modes), key


def test_synthetic_items_follow_the_stage_raters_and_sources():
    spec = bank_plan_spec(BANK, PLAN_KEYS[0])
    items = synthetic_items(spec, PROFILES["all_3s"])
    assert len(items) == sum(len(s.kit.items) for s in spec.stages)
    by_stage = iter(items)
    for stage in spec.stages:
        for _ in stage.kit.items:
            item = next(by_stage)
            assert len(item.ratings) == stage.panel_size
            assert item.source == ("take_home" if stage.mode == "take_home" else "live")
            assert not item.discussed_live


# -- the simulation notices a broken plan -------------------------------------------------------


def _without_stage(spec, name):
    return dataclasses.replace(spec, stages=tuple(s for s in spec.stages if s.name != name))


def test_dropping_the_panel_breaks_a_plan():
    spec = bank_plan_spec(BANK, "enterprise-l3")
    preview = simulate_plan(_without_stage(spec, "Panel"))
    assert any(p.startswith("all 3s:") for p in preview["problems"]), preview["problems"]


def test_a_live_kit_of_one_track_breaks_the_plan():
    spec = bank_plan_spec(BANK, "plant-l2")
    panel = next(s for s in spec.stages if s.name == "Panel")
    plant_only = dataclasses.replace(
        panel.kit, items=tuple(i for i in panel.kit.items if i.track != "enterprise")
    )
    broken = dataclasses.replace(
        spec,
        stages=tuple(
            dataclasses.replace(s, kit=plant_only) if s is panel else s for s in spec.stages
        ),
    )
    problems = plan_problems(broken)
    assert any("at least 3 enterprise items" in p for p in problems), problems


def test_an_enterprise_plan_without_maintenance_weight_is_reported():
    spec = bank_plan_spec(BANK, "enterprise-l2")
    weights = dict(spec.competency_weights)
    moved = weights.pop("maintenance_operations")
    weights["multisite_programmes"] = weights.get("multisite_programmes", 0) + moved
    problems = plan_problems(dataclasses.replace(spec, competency_weights=weights))
    assert any("maintenance_operations" in p for p in problems), problems


def test_head_on_questions_are_listed_and_published():
    listed = kit_rules.HEAD_ON_KEYS
    assert {k: BANK.questions[k].status for k in listed if k in BANK.questions} == {
        k: "published" for k in listed
    }
    named = {k for k in BANK.questions if k.startswith(kit_rules.HEAD_ON_PREFIX)}
    assert named - listed == set(), "add new head-on questions to kit_rules.HEAD_ON_KEYS"


def test_no_kit_asks_a_question_twice_within_a_plan():
    for key in PLAN_KEYS:
        spec = bank_plan_spec(BANK, key)
        asked = [q.key for s in spec.stages for q in s.kit.items]
        assert len(asked) == len(set(asked)), key


def test_shipped_screens_are_short_and_panels_fit_an_hour():
    low, high = kit_rules.SCREEN_MINUTES_RANGE
    for key in PLAN_KEYS:
        for stage in bank_plan_spec(BANK, key).stages:
            if stage.mode == "live" and stage.panel_size == 1:
                assert low <= stage.minutes <= high, (key, stage.name, stage.minutes)
            elif stage.mode == "live":
                assert stage.minutes <= kit_rules.LIVE_MAX_MINUTES, (key, stage.name)
