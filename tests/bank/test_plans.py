"""Interview plans: import, validation with file/line/key, export, the kit rules, plan_check."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.bank import kit_rules, schema
from apps.bank.importer import BankImportError, export_bank, import_bank
from apps.bank.kit_rules import ItemSpec, KitSpec, check_kit, kit_problems
from apps.bank.models import Kit, Plan, PlanStage
from apps.bank.plans import bank_plan_spec, plan_spec, simulate_plan
from tests.conftest import BANK_DIR
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

KITS = """
kits:
  - key: plant-l2-test
    name: Plant L2 live
    track: plant
    level: 2
    competency_weights: {production_execution: 1}
    items: [{question: pe-dispatch-test}]
  - key: plant-l2-test-take-home
    name: Plant L2 take-home
    track: plant
    level: 2
    take_home: true
    competency_weights: {production_execution: 1}
    items: [{question: pe-dispatch-written}]
"""

PLAN = """
plans:
  - key: plant-l2-test
    name: Plant L2 test plan
    track: plant
    level: 2
    competency_weights: {production_execution: 0.6, quality_operations: 0.4}
    stages:
      - {name: Screen, kit: plant-l2-test, mode: live, interviewers: 1, expected_minutes: 30}
      - {name: Take-home, kit: plant-l2-test-take-home, mode: take_home}
"""


@pytest.fixture
def plan_files(taxonomy_files, question_yaml, write_yaml):
    written = question_yaml("w.yaml", key="pe-dispatch-written").read_text()
    return [
        *taxonomy_files,
        question_yaml(),
        write_yaml("w.yaml", written.replace("kind: oral", "kind: written")),
        write_yaml("kits.yaml", KITS),
    ]


def test_import_creates_plan_with_ordered_stages(plan_files, write_yaml):
    report = import_bank([*plan_files, write_yaml("plans.yaml", PLAN)])
    assert report.plans_written == ["plant-l2-test"]
    plan = Plan.objects.get(key="plant-l2-test")
    assert plan.organization is None
    assert (plan.track.key, plan.level_id) == ("plant", 2)
    stages = list(plan.stages.all())
    assert [(s.order, s.name, s.mode, s.kit.key, s.panel_size) for s in stages] == [
        (0, "Screen", "live", "plant-l2-test", 1),
        (1, "Take-home", "take_home", "plant-l2-test-take-home", 1),
    ]
    # Given minutes win; otherwise the kit's questions' minutes (8 for the one question).
    assert [s.minutes for s in stages] == [30, 8]


def test_reimporting_plans_changes_nothing(plan_files, write_yaml):
    files = [*plan_files, write_yaml("plans.yaml", PLAN)]
    import_bank(files)
    before = list(PlanStage.objects.values_list("pk", "name", "kit_id"))
    stamp = Plan.objects.get().updated_at
    assert import_bank(files).plans_written == []
    assert list(PlanStage.objects.values_list("pk", "name", "kit_id")) == before
    assert Plan.objects.get().updated_at == stamp


def test_editing_a_plan_rewrites_its_stages(plan_files, write_yaml):
    import_bank([*plan_files, write_yaml("plans.yaml", PLAN)])
    edited = PLAN.replace("interviewers: 1, expected_minutes: 30", "interviewers: 2")
    assert import_bank([*plan_files, write_yaml("plans.yaml", edited)]).plans_written == [
        "plant-l2-test"
    ]
    screen = PlanStage.objects.get(name="Screen")
    assert (screen.panel_size, screen.expected_minutes) == (2, None)


def test_a_shipped_plan_may_share_a_key_with_an_organizations_plan(plan_files, write_yaml):
    org = OrganizationFactory()
    import_bank([*plan_files, write_yaml("plans.yaml", PLAN)])
    kit = Kit.objects.get(key="plant-l2-test")
    shipped = Plan.objects.get()
    own = Plan.objects.create(
        organization=org, key=shipped.key, name="Ours", track=shipped.track, level=shipped.level,
        competency_weights={"production_execution": 1.0},
    )  # fmt: skip
    PlanStage.objects.create(plan=own, name="Only", kit=kit, panel_size=2)
    import_bank([*plan_files, write_yaml("plans.yaml", PLAN.replace("test plan", "renamed"))])
    own.refresh_from_db()
    assert own.name == "Ours"
    assert list(Plan.objects.visible_to(org).own_first()) == [own, shipped]
    assert list(Plan.objects.visible_to(None)) == [shipped]


BAD_PLAN = """
plans:
  - key: bad-plan
    name: Bad plan
    track: plant
    level: 2
    competency_weights: {production_execution: 0.5, no_such_competency: 0.3}
    stages:
      - {name: Screen, kit: no-such-kit, mode: live}
      - {name: Take-home, kit: plant-l2-test, mode: take_home}
      - {name: Panel, kit: plant-l2-test, mode: on_site, interviewers: 2}
  - key: multisite-on-plant
    name: Multi-site on a plant role
    track: plant
    level: 2
    competency_weights: {multisite_programmes: 1}
    stages:
      - {name: Take-home, kit: plant-l2-test-take-home, mode: take_home, interviewers: 0}
"""


def test_bad_plans_report_file_line_key_and_field(plan_files, write_yaml):
    bad = write_yaml("plans.yaml", BAD_PLAN)
    with pytest.raises(BankImportError) as exc:
        import_bank([*plan_files, bad])
    errors = [str(e) for e in exc.value.errors]
    joined = "\n".join(errors)
    # Shape errors (pydantic) first: they stop the entry before the reference checks.
    assert f"{bad}:6: plan 'bad-plan': competency_weights: Value error, competency weights " in (
        joined
    )
    assert "must sum to 1 (they sum to 0.8000)" in joined
    assert f"{bad}:10: plan 'bad-plan': stages.2.mode: Input should be 'live' or 'take_home'" in (
        joined
    )
    assert f"{bad}:17: plan 'multisite-on-plant': stages.0.interviewers: Input should be " in (
        joined
    )
    assert Plan.objects.count() == 0


def test_plan_references_are_checked_with_their_line(plan_files, write_yaml):
    bad = write_yaml(
        "plans.yaml",
        BAD_PLAN.replace("no_such_competency: 0.3", "no_such_competency: 0.5")
        .replace("on_site", "live")
        .replace("interviewers: 0", "interviewers: 1"),
    )
    with pytest.raises(BankImportError) as exc:
        import_bank([*plan_files, bad])
    errors = [str(e) for e in exc.value.errors]
    assert errors == [
        f"{bad}:6: plan 'bad-plan': competency_weights.no_such_competency: unknown competency",
        f"{bad}:8: plan 'bad-plan': stages.0.kit: unknown kit 'no-such-kit'",
        f"{bad}:9: plan 'bad-plan': stages.1.kit: kit 'plant-l2-test' is a live kit; "
        "the stage is take_home",
        f"{bad}:15: plan 'multisite-on-plant': competency_weights.multisite_programmes: "
        "competency does not apply to track 'plant'",
    ]


def test_a_kit_of_the_other_track_cannot_run_a_stage(plan_files, write_yaml):
    plan = PLAN.replace("track: plant", "track: enterprise")
    with pytest.raises(BankImportError) as exc:
        import_bank([*plan_files, write_yaml("plans.yaml", plan)])
    assert "stages.0.kit: kit 'plant-l2-test' is for track 'plant'" in str(exc.value.errors[0])


def test_kit_items_may_come_from_the_other_track(plan_files, write_yaml):
    kits = write_yaml("kits.yaml", KITS.replace("track: plant", "track: enterprise", 1))
    import_bank([*plan_files[:-1], kits])
    assert Kit.objects.get(key="plant-l2-test").items.get().question.track.key == "plant"


# -- the shipped plans --------------------------------------------------------------------------


def test_shipped_plans_round_trip_through_export(shipped_bank, tmp_path):
    export_bank(tmp_path)
    original, errors = schema.load_bank(sorted(BANK_DIR.glob("*.yaml")))
    assert errors == []
    exported, errors = schema.load_bank(sorted(Path(tmp_path).glob("*.yaml")))
    assert errors == []
    assert exported.plans == original.plans
    assert exported.kits == original.kits
    assert import_bank(sorted(Path(tmp_path).glob("*.yaml"))).plans_written == []


def test_shipped_kits_meet_the_kit_rules(shipped_bank):
    kits = Kit.objects.filter(organization__isnull=True).prefetch_related(
        "items__question__competency", "items__question__track"
    )
    assert {k.key: kit_problems(k) for k in kits} == {k.key: [] for k in kits}


def test_the_database_preview_matches_the_yaml_preview(shipped_bank):
    bank, _ = schema.load_bank(sorted(BANK_DIR.glob("*.yaml")))
    for plan in Plan.objects.filter(organization__isnull=True):
        assert plan_spec(plan) == bank_plan_spec(bank, plan.key), plan.key
        assert (
            simulate_plan(plan)["verdicts"]
            == simulate_plan(bank_plan_spec(bank, plan.key))["verdicts"]
        )


def test_plan_check_prints_the_preview_of_shipped_plans(shipped_bank):
    out = io.StringIO()
    call_command("plan_check", "plant-l2", "enterprise-l3", stdout=out)
    text = out.getvalue()
    assert "[shipped] plant-l2: MES Engineer (plant), L2" in text
    assert "enterprise-l3: MOM Architect (enterprise), L3" in text
    assert "likely above the bar" in text and "track fit decidable: yes" in text
    assert "MES profile (plant 4, enterprise 1, core 3): oriented plant, fit mismatch" in text


def test_plan_check_fails_on_an_organization_plan_that_breaks_a_rule(shipped_bank):
    org = OrganizationFactory()
    shipped = Plan.objects.get(key="plant-l2", organization__isnull=True)
    own = Plan.objects.create(
        organization=org, key="screen-only", name="Screen only", track=shipped.track,
        level=shipped.level, competency_weights=shipped.competency_weights,
    )  # fmt: skip
    PlanStage.objects.create(plan=own, name="Screen", kit=shipped.stages.first().kit)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 plan\\(s\\) break a rule: screen-only"):
        call_command("plan_check", "screen-only", stdout=out)
    assert f"[organization {org}] screen-only: Screen only" in out.getvalue()
    assert "PROBLEMS:" in out.getvalue()
    with pytest.raises(CommandError, match="break a rule: screen-only"):
        call_command("plan_check", organization=org.pk, stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such plan: nope"):
        call_command("plan_check", "nope", stdout=io.StringIO())


# -- the kit rules on their own -----------------------------------------------------------------


def _item(key, track="plant", kind="oral", minutes=8, level=2, competency="production_execution"):
    return ItemSpec(key, competency, track, level, kind, minutes)


def _live(items, level=2, take_home=False):
    return KitSpec("k", "plant", level, take_home, tuple(items), {"production_execution": 1.0})


GOOD_LIVE = [
    _item("p1"), _item("p2"), _item("p3"),
    _item("e1", "enterprise"), _item("e2", "enterprise"), _item("isa-mes-vs-mom-terms", "core"),
    _item("e3", "enterprise"),
]  # fmt: skip


def test_a_balanced_hour_with_a_head_on_question_passes():
    assert check_kit(_live(GOOD_LIVE)) == []


def test_live_kit_rules_each_say_what_is_wrong():
    long_written = [*GOOD_LIVE[:-1], _item("e3", "enterprise", kind="written", minutes=20)]
    problems = check_kit(_live(long_written))
    assert problems == [
        "a live interview is at most 60 expected minutes; this one is 68",
        "a live kit holds oral and scenario questions only: e3 (written)",
    ]
    no_head_on = [i for i in GOOD_LIVE if i.key not in kit_rules.HEAD_ON_KEYS]
    assert check_kit(_live(no_head_on))[0].startswith("from L2 up a live kit asks one head-on")
    assert check_kit(_live(no_head_on, level=1)) == []
    one_sided = [i for i in GOOD_LIVE if i.track != "enterprise"]
    assert check_kit(_live(one_sided)) == [
        "track fit needs at least 3 enterprise items within 1 level of L2; the kit has 0"
    ]


def test_items_two_levels_away_do_not_count_for_track_fit():
    far = [*GOOD_LIVE[:3], *(_item(f"e{n}", "enterprise", level=4) for n in range(3))]
    problems = check_kit(_live([*far, _item("isa-mes-vs-mom-terms", "core")]))
    assert "3 question(s) more than 1 level from L2 carry no weight: e0, e1, e2" in problems
    assert any("at least 3 enterprise items" in p for p in problems)


def test_take_home_kit_rules():
    ok = [_item("w1", kind="written", minutes=45), _item("s1", kind="scenario", minutes=45)]
    assert check_kit(_live(ok, take_home=True)) == []
    oral = [*ok, _item("o1", kind="oral", minutes=10)]
    assert check_kit(_live(oral, take_home=True)) == [
        "a take-home holds written and scenario questions only: o1 (oral)"
    ]
    assert check_kit(_live(ok[:1], take_home=True)) == [
        "a take-home runs about 90 minutes (75-105); this one is 45"
    ]
