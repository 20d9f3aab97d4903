"""A position's own interview plan: copied from a plan, edited without touching it, sessions
run per stage, and the preview of what it can decide."""

import pytest
from django.urls import reverse

from apps.bank.models import Plan, PlanStage
from apps.interviews import services
from apps.interviews.models import CandidateSession, PositionStage
from tests.factories import make_kit

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(kit):
    take_home = make_kit(2, track_key=kit.track.key, level=kit.level_id)
    plan = Plan.objects.create(
        key="plant-l2", name="MES Engineer, L2", track=kit.track, level=kit.level,
        competency_weights=dict(kit.competency_weights),
    )  # fmt: skip
    PlanStage.objects.create(plan=plan, order=0, name="Screen", mode="live", kit=kit, panel_size=1)
    PlanStage.objects.create(plan=plan, order=1, name="Take-home", mode="take_home", kit=take_home)
    PlanStage.objects.create(plan=plan, order=2, name="Panel", mode="live", kit=kit, panel_size=2)
    return plan


def _position(org, recruiter, kit, **extra):
    return services.position_create(
        organization=org, created_by=recruiter, client_company="Contoso", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="Dispatching and genealogy.", kit=kit,
        **extra,
    )  # fmt: skip


def test_a_new_position_copies_the_suggested_plan(org, recruiter, kit, plan):
    position = _position(org, recruiter, kit)
    assert position.plan == plan
    stages = list(position.stages.order_by("order"))
    assert [(s.name, s.mode, s.panel_size) for s in stages] == [
        ("Screen", "live", 1),
        ("Take-home", "take_home", 1),
        ("Panel", "live", 2),
    ]
    # Editing the position's copy leaves the plan alone.
    stages[0].name = "Phone screen"
    stages[0].save()
    assert plan.stages.get(order=0).name == "Screen"


def test_a_session_runs_one_stage_with_its_kit_and_mode(org, recruiter, kit, plan, candidate):
    position = _position(org, recruiter, kit)
    take_home = position.stages.get(mode="take_home")
    session = services.session_create(position=position, candidate=candidate, stage=take_home)
    assert session.stage == take_home
    assert session.mode == CandidateSession.Mode.TAKE_HOME
    assert session.kit_key == take_home.kit.key


def test_a_stage_of_another_position_is_refused(org, recruiter, kit, plan, candidate):
    first = _position(org, recruiter, kit)
    second = _position(org, recruiter, kit)
    with pytest.raises(Exception, match="stage of this position"):
        services.session_create(position=second, candidate=candidate, stage=first.stages.first())


def test_the_plan_page_edits_stages_and_shows_the_preview(client, org, recruiter, kit, plan):
    position = _position(org, recruiter, kit)
    client.force_login(recruiter)
    url = reverse("interviews:position_plan", args=[position.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "What this plan can decide" in body
    assert "likely above the bar" in body
    stages = list(position.stages.order_by("order"))
    data = {
        "form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "3", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, stage in enumerate(stages):
        data.update({
            f"form-{i}-id": str(stage.pk), f"form-{i}-name": stage.name,
            f"form-{i}-mode": stage.mode, f"form-{i}-kit": str(stage.kit_id),
            f"form-{i}-expected_minutes": "", f"form-{i}-panel_size": str(stage.panel_size),
            f"form-{i}-ORDER": str(3 - i),
        })  # fmt: skip
    data["form-1-DELETE"] = "on"  # drop the take-home
    # The empty "add a stage" form as a browser sends it: its initial values, unchanged.
    data.update({"form-3-name": "", "form-3-kit": "", "form-3-ORDER": "", "form-3-mode": "live",
                 "form-3-panel_size": "1"})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # Reversed, without the take-home.
    assert [s.name for s in position.stages.order_by("order")] == ["Panel", "Screen"]
    assert PositionStage.objects.filter(position=position).count() == 2


def test_the_plan_page_is_walled(client, outsider, org, recruiter, kit, plan, interviewer):
    position = _position(org, recruiter, kit)
    url = reverse("interviews:position_plan", args=[position.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(interviewer)
    assert client.get(url).status_code in (403, 404)


@pytest.mark.parametrize("stages", [1, 50])
def test_the_plan_page_costs_a_constant_number_of_queries(
    client, org, recruiter, kit, plan, stages, django_assert_max_num_queries
):
    position = _position(org, recruiter, kit)
    for i in range(stages - 1):
        PositionStage.objects.create(position=position, order=10 + i, name=f"S{i}", kit=kit)
    client.force_login(recruiter)
    with django_assert_max_num_queries(40):
        assert (
            client.get(reverse("interviews:position_plan", args=[position.pk])).status_code == 200
        )
