"""Choosing the questions of one live interview: only the chosen ones are frozen into the
session; the position page previews minutes, coverage and track-fit evidence for the subset
(the plan simulation), and the preview endpoint is walled and costs constant queries."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from apps.interviews.models import CandidateSession, PositionStage
from tests.factories import MembershipFactory, make_kit, make_position

pytestmark = pytest.mark.django_db


def _create(client, position, candidate, interviewer, **extra):
    page = client.get(reverse("interviews:position_detail", args=[position.pk]))
    data = {
        "candidate": candidate.pk,
        "interviewers": [interviewer.pk],
        "form_key": page.context["form_key"],
        **extra,
    }
    return client.post(reverse("interviews:session_create", args=[position.pk]), data)


def test_only_the_chosen_questions_are_frozen_into_the_session(
    client, recruiter, position, candidate, interviewer
):
    keys = list(position.kit.items.values_list("question__key", flat=True))
    client.force_login(recruiter)
    response = _create(
        client, position, candidate, interviewer,
        **{"questions-present": "1", "questions-0": [keys[0], keys[2]]},
    )  # fmt: skip
    assert response.status_code == 302
    session = CandidateSession.objects.get()
    assert list(session.items.order_by("order").values_list("question_key", flat=True)) == [
        keys[0],
        keys[2],
    ]


def test_a_stage_uses_its_own_kits_questions(client, recruiter, org, candidate, interviewer):
    position = make_position(org, make_kit(2))
    other_kit = make_kit(4)
    stage = PositionStage.objects.create(
        position=position, order=0, name="Deep dive", mode="live", kit=other_kit
    )
    keys = list(other_kit.items.values_list("question__key", flat=True))
    client.force_login(recruiter)
    page = client.get(reverse("interviews:position_detail", args=[position.pk]))
    body = page.content.decode()
    assert f'name="questions-{stage.pk}"' in body and 'name="questions-0"' in body
    response = _create(
        client, position, candidate, interviewer,
        **{"stage": stage.pk, "questions-present": "1", f"questions-{stage.pk}": keys[1:3]},
    )  # fmt: skip
    assert response.status_code == 302
    session = CandidateSession.objects.get()
    assert session.stage == stage
    assert set(session.items.values_list("question_key", flat=True)) == set(keys[1:3])


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ([], "Questions: choose at least one question for this interview."),
        (["not-a-question-of-this-kit"], "Questions: choose questions of the stage's kit."),
    ],
)
def test_no_question_or_a_foreign_one_is_refused_and_creates_nothing(
    client, recruiter, position, candidate, interviewer, chosen, message
):
    client.force_login(recruiter)
    response = _create(
        client, position, candidate, interviewer,
        **{"questions-present": "1", "questions-0": chosen},
    )  # fmt: skip
    assert response.status_code == 302
    assert not CandidateSession.objects.exists()
    page = client.get(response["Location"])
    assert escape(message) in page.content.decode()


def test_a_post_without_the_question_list_asks_the_whole_kit(
    client, recruiter, position, candidate, interviewer
):
    client.force_login(recruiter)
    assert _create(client, position, candidate, interviewer).status_code == 302
    assert CandidateSession.objects.get().items.count() == position.kit.items.count()


def test_the_position_page_shows_the_running_total_and_preview(client, recruiter, position):
    client.force_login(recruiter)
    body = client.get(reverse("interviews:position_detail", args=[position.pk])).content.decode()
    minutes = sum(i.question.expected_minutes for i in position.kit.items.all())
    n = position.kit.items.count()
    assert f'class="minutes-total" aria-live="polite">{minutes}</strong>' in body
    assert f"{n} of {n} questions, {minutes} min" in body
    assert "Coverage if every answer meets the bar" in body
    assert "Track fit decidable from this interview" in body


def test_preview_of_a_subset(client, recruiter, position):
    items = list(position.kit.items.select_related("question"))
    client.force_login(recruiter)
    response = client.get(
        reverse("interviews:session_questions_preview", args=[position.pk]),
        {"stage": "", "questions": [items[0].question.key, "unknown-key"]},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f"1 of {len(items)} questions, {items[0].question.expected_minutes} min" in body
    assert "Track fit decidable from this interview: <strong>no</strong>" in body


def test_preview_is_walled(client, position, outsider, interviewer, org):
    url = reverse("interviews:session_questions_preview", args=[position.pk])
    client.force_login(outsider)
    assert client.get(url, {"stage": ""}).status_code == 404
    client.force_login(interviewer)  # not a recruiter
    assert client.get(url, {"stage": ""}).status_code in (403, 404)
    recruiter = MembershipFactory(organization=org, role="recruiter").user
    client.force_login(recruiter)
    assert client.get(url, {"stage": "999999"}).status_code == 404


@pytest.mark.parametrize("n", [1, 50])
def test_preview_query_count_is_constant(client, org, recruiter, django_assert_max_num_queries, n):
    position = make_position(org, make_kit(n))
    keys = list(position.kit.items.values_list("question__key", flat=True))
    client.force_login(recruiter)
    url = reverse("interviews:session_questions_preview", args=[position.pk])
    with django_assert_max_num_queries(8):
        response = client.get(url, {"stage": "", "questions": keys})
    assert f"{n} of {n} questions" in response.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_position_page_with_many_live_stages_costs_constant_queries(
    client, org, recruiter, django_assert_max_num_queries, n
):
    position = make_position(org, make_kit(3))
    PositionStage.objects.bulk_create(
        PositionStage(position=position, order=i, name=f"Stage {i}", mode="live", kit=make_kit(2))
        for i in range(n)
    )
    client.force_login(recruiter)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("interviews:position_detail", args=[position.pk]))
    assert response.content.decode().count('class="question-group"') == n + 1
