"""The ISA-95 competency map (issue 12): sessions freeze the tags, the candidate's map counts
rated items over every stage, the position's map what its plan covers, and both pages show it
(drawn with text, never colour alone)."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from apps.bank.isa95 import Tags, build_map
from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.charts import isa95_map_svg
from apps.interviews.isa95_maps import isa95_evidence_map, isa95_plan_map
from apps.interviews.models import Application, CandidateSession, PositionStage
from tests.factories import make_kit, make_position

from .conftest import rate_all

pytestmark = pytest.mark.django_db

TAGS = [
    {"isa95_categories": ["production"], "isa95_activities": ["dispatching"]},
    {"isa95_categories": ["quality"], "isa95_activities": ["data_collection", "tracking"]},
    {"isa95_boundary": True},
    {"isa95_outside": "Behavioural: a failed go-live"},
]


@pytest.fixture
def tagged_kit():
    kit = make_kit(4)
    for item, tags in zip(kit.items.order_by("order"), TAGS, strict=True):
        Question.objects.filter(pk=item.question_id).update(**tags)
    return kit


def _rate(session, user, values: dict[int, int], not_asked: tuple[int, ...] = ()):
    """Submit ``user``'s scorecard: item order -> one rating for all its criteria."""
    card = services.scorecard_for(session=session, interviewer=user)
    data = services.ScorecardData()
    for item in session.items.all():
        if item.order in not_asked:
            data.not_asked[item.pk] = True
            continue
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = values[item.order]
    data.recommendation = "yes"
    services.scorecard_save_draft(scorecard=card, data=data)
    services.scorecard_submit(scorecard=card)


def test_a_session_freezes_the_question_tags(org, tagged_kit, interviewer):
    position = make_position(org, tagged_kit)
    candidate = services.candidate_create(organization=org, name="Ann", email="ann@example.com")
    session = services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer]
    )
    items = list(session.items.order_by("order"))
    assert [Tags.of(i) for i in items] == [
        Tags(("production",), ("dispatching",)),
        Tags(("quality",), ("data_collection", "tracking")),
        Tags((), (), True),
        Tags((), (), False, "Behavioural: a failed go-live"),
    ]
    # A later correction of the bank's tags does not move the past session.
    Question.objects.filter(pk=items[0].question_id).update(isa95_categories=["inventory"])
    items[0].refresh_from_db()
    assert items[0].isa95_categories == ["production"]


def test_the_candidate_map_pools_rated_items_over_every_live_stage(
    org, tagged_kit, interviewer, interviewer2
):
    position = make_position(org, tagged_kit)
    candidate = services.candidate_create(organization=org, name="Bo", email="bo@example.com")
    first = services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer, interviewer2]
    )
    _rate(first, interviewer, {0: 3, 1: 2, 2: 4, 3: 1})
    _rate(first, interviewer2, {0: 1, 1: 2, 2: 2, 3: 1}, not_asked=(1,))
    second = services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer]
    )
    _rate(second, interviewer, {0: 4, 1: 0, 2: 3, 3: 3}, not_asked=(2,))
    cancelled = services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer2]
    )
    _rate(cancelled, interviewer2, {0: 0, 1: 0, 2: 0, 3: 0})
    services.session_cancel(session=cancelled)
    # A stage nobody rated yet is no evidence.
    services.session_create(position=position, candidate=candidate, interviewers=[interviewer])

    grid = isa95_evidence_map(Application.objects.get(candidate=candidate))
    dispatch = grid.cell("production", "dispatching")
    # Stage 1: (3 + 1) / 2 = 2; stage 2: 4; the cancelled stage's 0 counts nowhere.
    assert (dispatch.count, dispatch.mean) == (2, 3.0)
    # Stage 1: only the first interviewer asked it (2); stage 2: 0.
    for activity in ("data_collection", "tracking"):
        assert (grid.cell("quality", activity).count, grid.cell("quality", activity).mean) == (
            2,
            1.0,
        )
    # The boundary item: stage 1 (4 + 2) / 2 = 3; stage 2 marked it not asked.
    assert (grid.boundary.count, grid.boundary.mean) == (1, 3.0)
    assert grid.outside.count == 2
    assert grid.cell("maintenance", "dispatching").probed is False
    assert grid.probed_cells == 3 and grid.rated


def test_the_position_map_counts_each_planned_question_once(org, tagged_kit):
    position = make_position(org, tagged_kit)
    PositionStage.objects.create(position=position, order=0, name="Screen", kit=tagged_kit)
    PositionStage.objects.create(position=position, order=1, name="Panel", kit=tagged_kit)
    grid = isa95_plan_map(position)
    assert not grid.rated and grid.items == 4
    assert grid.cell("production", "dispatching").count == 1
    assert grid.cell("production", "dispatching").mean is None
    assert grid.boundary.count == 1 and grid.outside.count == 1


def test_the_map_svg_prints_counts_means_and_not_probed_in_readable_text(org, tagged_kit):
    position = make_position(org, tagged_kit)
    svg = str(isa95_map_svg(build_map([])))  # a candidate with no rated item yet
    assert svg.count(">not probed</text>") == 32 + 1 + 1  # every cell, the boundary, the legend
    plan = str(isa95_map_svg(isa95_plan_map(position)))
    assert plan.count(">not planned</text>") == 32 + 1 + 1  # no stage yet: nothing planned
    PositionStage.objects.create(position=position, order=0, name="Panel", kit=tagged_kit)
    plan = str(isa95_map_svg(isa95_plan_map(position)))
    assert ">1 item</text>" in plan and ">planned</text>" in plan
    sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', plan)]
    assert sizes and min(sizes) >= 11
    assert 'stroke-dasharray="4 3"' in plan  # "not probed" cells are dashed, not only pale
    assert "Dispatching" in plan and "Level 3-4" in plan
    assert "dispatching" not in re.sub(r"<[^>]+>", " ", plan)  # display names, never keys


def test_the_include_needs_only_the_map(org, tagged_kit):
    position = make_position(org, tagged_kit)
    PositionStage.objects.create(position=position, order=0, name="Panel", kit=tagged_kit)
    html = render_to_string("interviews/_isa95_map.html", {"isa95_map": isa95_plan_map(position)})
    assert "ISA-95 competency map" in html and "<svg" in html
    assert "Dispatching" in html and "Planned questions" in html


def test_the_debrief_and_the_plan_page_show_the_map(
    client, org, recruiter, tagged_kit, interviewer
):
    position = make_position(org, tagged_kit)
    PositionStage.objects.create(position=position, order=0, name="Panel", kit=tagged_kit)
    candidate = services.candidate_create(organization=org, name="Di", email="di@example.com")
    session = services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer]
    )
    rate_all(session, interviewer, 3)
    client.force_login(recruiter)
    body = client.get(
        reverse("interviews:application_detail", args=[session.application.pk])
    ).content.decode()
    assert "ISA-95 competency map" in body and "mean 3.0" in body and "not probed" in body
    body = client.get(reverse("interviews:position_plan", args=[position.pk])).content.decode()
    assert "ISA-95 coverage of this plan" in body and ">planned</text>" in body


def test_the_maps_ignore_other_organizations(org, tagged_kit, interviewer, outsider):
    """The map reads one application or position: another organization's sessions on the
    same questions never land in it."""
    position = make_position(org, tagged_kit)
    candidate = services.candidate_create(organization=org, name="Ed", email="ed@example.com")
    mine = services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer]
    )
    other_org = outsider.memberships.first().organization
    other_position = make_position(other_org, tagged_kit)
    other = services.candidate_create(organization=other_org, name="Ed", email="ed@example.com")
    theirs = services.session_create(
        position=other_position, candidate=other, interviewers=[outsider]
    )
    rate_all(theirs, outsider, 4)
    assert isa95_evidence_map(mine.application).probed_cells == 0
    assert isa95_evidence_map(theirs.application).cell("production", "dispatching").mean == 4.0
    assert CandidateSession.objects.count() == 2


@pytest.mark.parametrize("n", [1, 50])
def test_each_map_is_one_query_at_1_and_50_rows(org, interviewer, django_assert_num_queries, n):
    """The candidate's map at 1 and 50 rated items, the plan's at 1 and 50 stages: one query."""
    kit = make_kit(n)
    Question.objects.filter(kit_items__kit=kit).update(**TAGS[0])
    position = make_position(org, kit)
    candidate = services.candidate_create(organization=org, name="Fi", email="fi@example.com")
    session = services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer]
    )
    rate_all(session, interviewer, 3)
    PositionStage.objects.bulk_create(
        PositionStage(position=position, order=i, name=f"Stage {i}", kit=kit) for i in range(n)
    )
    application = Application.objects.get(pk=session.application_id)
    with django_assert_num_queries(1):
        grid = isa95_evidence_map(application)
    assert grid.cell("production", "dispatching").count == n
    with django_assert_num_queries(1):
        plan = isa95_plan_map(position)
    assert plan.cell("production", "dispatching").count == n
