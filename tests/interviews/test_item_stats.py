"""The item statistics page: figures from the organization's own interviews, checked by hand,
the SCORING.md flags in words, acting on a flag, tenant walls and query counts (issue 14)."""

import math

import pytest
from django.urls import reverse

from apps.bank.models import Question
from apps.interviews import item_stats, services
from apps.interviews.models import Candidate
from tests.factories import make_kit, make_position

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit(org):
    return make_kit(3, organization=org)


@pytest.fixture
def position(org, kit):
    return make_position(org, kit, job_description="Shop floor MES.")


def keys(kit):
    return [i.question.key for i in kit.items.order_by("order")]


def interview(org, position, cards, *, cancel=False, candidate=None):
    """One candidate's session, each scorecard giving ``values`` per item in kit order (the
    same value on every criterion; None marks the item "not asked"). ``cards`` is a list of
    (interviewer, values)."""
    if candidate is None:
        n = Candidate.objects.count()
        candidate = services.candidate_create(
            organization=org, name=f"Candidate {n}", email=f"c{n}@example.com"
        )
    session = services.session_create(
        position=position, candidate=candidate, interviewers=[user for user, _ in cards]
    )
    items = list(session.items.order_by("order"))
    for user, values in cards:
        card = services.scorecard_for(session=session, interviewer=user)
        data = services.ScorecardData(recommendation="yes")
        for item, value in zip(items, values, strict=True):
            if value is None:
                data.not_asked[item.pk] = True
                continue
            for crit in item.rubric:
                data.ratings[(item.pk, crit["key"])] = value
        services.scorecard_save_draft(scorecard=card, data=data)
        services.scorecard_submit(scorecard=card)
    if cancel:
        services.session_cancel(session=session)
    return session


def test_figures_match_a_hand_computation(client, org, recruiter, interviewer, kit, position):
    q0, q1, q2 = keys(kit)
    for values in ([4, 3, 4], [3, 3, 2], [1, 2, 1], [0, 1, 1], [2, 2, None]):
        interview(org, position, [(interviewer, values)])
    client.force_login(recruiter)
    response = client.get(reverse("interviews:item_statistics"))
    assert response.status_code == 200
    rows = {row.key: row for row in response.context["rows"]}
    # q0: ratings 4 3 1 0 2 -> facility 10 / 5 / 4 = .5. Rest scores (mean of the other
    # items): 3.5 2.5 1.5 1.0 2.0 (the fifth candidate was not asked q2). Deviations from the
    # means 2 and 2.1: (2, 1.4) (1, .4) (-1, -.6) (-2, -1.1) (0, -.1): sxy = 6, sxx = 10,
    # syy = 3.7, so r = 6 / sqrt(37).
    assert rows[q0].stats.answers == 5
    assert rows[q0].stats.facility == pytest.approx(0.5)
    assert rows[q0].stats.discrimination == pytest.approx(6 / math.sqrt(37))
    assert rows[q0].verdict_words == "keep (r \u2265 .30)"
    assert rows[q0].stats.categories == {0: 1, 1: 1, 2: 1, 3: 1, 4: 1}
    # q2 was not asked of the fifth candidate: four answers, facility (4+2+1+1)/4/4 = .5.
    assert rows[q2].stats.answers == 4
    assert rows[q2].stats.facility == pytest.approx(0.5)
    assert rows[q1].stats.facility == pytest.approx(11 / 5 / 4)
    assert rows[q0].versions == (1,)
    page = response.content.decode()
    assert "provisional: 5 answers (under 100)" in page
    assert "not yet informative (used under 10 times)" in page
    # A shipped question is reported to the bank's editors, not retired here.
    assert f'Shipped question: <a href="{reverse("bank:question_report", args=[q0])}">' in page


def test_interviewers_and_stages_are_pooled_and_other_tenants_and_cancelled_left_out(
    org, other_org, interviewer, outsider, kit, position
):
    from tests.factories import MembershipFactory

    second = MembershipFactory(organization=org, role="interviewer", user__username="ines").user
    q0 = keys(kit)[0]
    first = interview(org, position, [(interviewer, [3, 3, 3]), (second, [4, 4, 4])])
    # A second stage of the same application: its ratings join the same answer.
    interview(org, position, [(interviewer, [2, 2, 2])], candidate=first.candidate)
    interview(org, position, [(interviewer, [0, 0, 0])], cancel=True)
    other_kit = make_kit(3, organization=other_org)
    other_position = make_position(other_org, other_kit, job_description="Shop floor MES.")
    # The other tenant asks the same shipped question; its ratings must not count here.
    other_kit.items.filter(order=0).update(question=Question.objects.get(key=q0))
    interview(other_org, other_position, [(outsider, [0, 0, 0])])
    responses, versions = item_stats.item_responses(org)
    # One answer per application: (3 + 4 + 2) / 3 for every question.
    assert responses == {first.application_id: {key: 3.0 for key in keys(kit)}}
    assert versions[q0] == {1}


def test_flags_in_words_and_the_flagged_filter(client, org, recruiter, interviewer):
    kit = make_kit(5, organization=org)
    position = make_position(org, kit, job_description="Shop floor MES.")
    q0, q1, _q2, q3, _q4 = keys(kit)
    # q1 is easy (15/16); q3 runs against the others (r = -1); the rest separate well.
    for values in ([4, 4, 4, 0, 4], [3, 4, 3, 1, 3], [1, 4, 1, 3, 1], [0, 3, 0, 4, 1]):
        interview(org, position, [(interviewer, values)])
    client.force_login(recruiter)
    rows = {r.key: r for r in client.get(reverse("interviews:item_statistics")).context["rows"]}
    assert rows[q1].stats.facility == pytest.approx(15 / 16)
    assert rows[q1].facility_words == "easy at its level (> .90)"
    assert rows[q3].stats.discrimination == pytest.approx(-1.0)
    assert rows[q3].verdict_words == "check the anchors (r < 0)"
    assert rows[q0].verdict_words == "keep (r \u2265 .30)" and not rows[q0].flagged
    assert rows[q3].stats.provisional
    flagged = client.get(reverse("interviews:item_statistics"), {"flagged": "on"}).context["rows"]
    assert {r.key for r in flagged} == {q1, q3}


def test_filters_choose_rows_by_the_questions_level_and_track(
    client, org, recruiter, interviewer, kit, position
):
    for values in ([4, 3, 4], [3, 3, 2], [1, 2, 1]):
        interview(org, position, [(interviewer, values)])
    client.force_login(recruiter)
    url = reverse("interviews:item_statistics")
    assert len(client.get(url, {"level": "2", "track": "plant"}).context["rows"]) == 3
    assert client.get(url, {"track": "core"}).context["rows"] == []
    assert client.get(url, {"competency": "quality_operations"}).context["rows"] != []
    assert client.get(url, {"level": "banana"}).status_code == 400


def test_own_questions_can_be_retired_or_versioned_from_the_page(
    client, org, recruiter, interviewer, kit, position
):
    q0 = keys(kit)[0]
    Question.objects.filter(key=q0).update(organization=org)
    interview(org, position, [(interviewer, [3, 2, 1])])
    client.force_login(recruiter)
    page = client.get(reverse("interviews:item_statistics")).content.decode()
    assert reverse("bank:question_retire", args=[q0]) in page
    assert reverse("bank:question_open_version", args=[q0]) in page
    response = client.post(reverse("bank:question_open_version", args=[q0]))
    assert response["Location"] == reverse("bank:question_edit", args=[q0])
    latest = Question.objects.get(key=q0, is_latest=True)
    assert (latest.version, latest.status, latest.locked) == (2, "draft", False)
    # The stats still pool the key and list the version that was asked.
    rows = {r.key: r for r in client.get(reverse("interviews:item_statistics")).context["rows"]}
    assert rows[q0].versions == (1,) and rows[q0].own


def test_interviewer_and_other_tenant_see_nothing(
    client, org, interviewer, outsider, kit, position
):
    interview(org, position, [(interviewer, [3, 2, 1])])
    client.force_login(interviewer)
    assert client.get(reverse("interviews:item_statistics")).status_code == 404
    client.force_login(outsider)
    response = client.get(reverse("interviews:item_statistics"))
    assert response.status_code == 200 and response.context["rows"] == []


def rendered_rows(response) -> int:
    return response.content.decode().count("<small>Version")


@pytest.mark.parametrize("candidates", [1, 50])
def test_the_page_costs_constant_queries(
    client, org, recruiter, interviewer, kit, position, django_assert_max_num_queries, candidates
):
    for n in range(candidates):
        interview(org, position, [(interviewer, [n % 5, (n + 1) % 5, (n + 3) % 5])])
    client.force_login(recruiter)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("interviews:item_statistics"))
    assert len(response.context["rows"]) == 3
    assert rendered_rows(response) == 3
    assert all(row.stats.answers == candidates for row in response.context["rows"])


@pytest.mark.parametrize("n", [1, 50])
def test_the_page_costs_constant_queries_with_one_or_fifty_questions(
    client, org, recruiter, interviewer, n, django_assert_max_num_queries
):
    kit = make_kit(n, organization=org)
    position = make_position(org, kit, job_description="Shop floor MES.")
    # Every other question is the organization's own: its row offers retire / new version.
    Question.objects.filter(key__in=keys(kit)[::2]).update(organization=org)
    for c in range(2):
        interview(org, position, [(interviewer, [(c + i) % 5 for i in range(n)])])
    client.force_login(recruiter)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("interviews:item_statistics"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == n
    assert rendered_rows(response) == n
    page = response.content.decode()
    assert page.count("Open a new version") == len(keys(kit)[::2])
