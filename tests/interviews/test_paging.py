"""Long HTML lists show one page at a time, with search, at a constant cost in queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.interviews import paging, services
from apps.interviews.forms import SessionForm
from apps.interviews.models import Application, Candidate, CandidateSession, Position
from tests.factories import make_kit, make_position

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit():
    return make_kit(2)


def _positions(org, kit, n, prefix="Role"):
    return [make_position(org, kit, title=f"{prefix} {i:03d}") for i in range(n)]


def _candidates(org, n, prefix="Person"):
    Candidate.objects.bulk_create(
        [
            Candidate(
                organization=org,
                name=f"{prefix} {i:03d}",
                email=f"{prefix.lower()}{i}@example.com",
                email_normalized=f"{prefix.lower()}{i}@example.com",
            )
            for i in range(n)
        ]
    )
    return list(Candidate.objects.filter(organization=org, name__startswith=prefix))


def _applications(org, position, candidates):
    Application.objects.bulk_create(
        [
            Application(
                organization=org, candidate=c, position=position, role_track="plant", role_level=2
            )
            for c in candidates
        ]
    )


def test_positions_are_paged_and_searchable(client, org, recruiter, kit):
    _positions(org, kit, paging.PER_PAGE + 5)
    make_position(org, kit, title="Quality lead", client_company="Contoso")
    client.force_login(recruiter)
    first = client.get(reverse("interviews:position_list"))
    assert len(first.context["page"].object_list) == paging.PER_PAGE
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("interviews:position_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 6
    found = client.get(reverse("interviews:position_list"), {"q": "contoso"})
    assert [p.title for p in found.context["page"]] == ["Quality lead"]
    # A malformed or out-of-range page is the nearest page, not an error.
    assert client.get(reverse("interviews:position_list"), {"page": "x"}).status_code == 200
    assert client.get(reverse("interviews:position_list"), {"page": 99}).context["page"].number == 2


@pytest.mark.parametrize("n", [3, 120])
def test_the_positions_page_costs_the_same_at_any_size(
    client, org, recruiter, kit, n, django_assert_max_num_queries
):
    _positions(org, kit, n)
    client.force_login(recruiter)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("interviews:position_list"))
    assert len(response.context["page"].object_list) == min(n, paging.PER_PAGE)


def test_candidates_are_paged_and_searchable_within_the_tenant(client, org, other_org, recruiter):
    _candidates(org, paging.PER_PAGE + 1)
    _candidates(other_org, 3, prefix="Rival")
    client.force_login(recruiter)
    page = client.get(reverse("interviews:candidate_list"))
    assert len(page.context["page"].object_list) == paging.PER_PAGE
    found = client.get(reverse("interviews:candidate_list"), {"q": "person 050"})
    assert [c.name for c in found.context["page"]] == ["Person 050"]
    rival = client.get(reverse("interviews:candidate_list"), {"q": "rival"})
    assert list(rival.context["page"]) == [] and "No candidate matches" in rival.content.decode()


@pytest.mark.parametrize("n", [2, 150])
def test_the_candidates_page_costs_the_same_at_any_size(
    client, org, recruiter, n, django_assert_max_num_queries
):
    _candidates(org, n)
    client.force_login(recruiter)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("interviews:candidate_list")).status_code == 200


@pytest.mark.parametrize("n", [2, 130])
def test_a_positions_candidates_are_paged_at_a_constant_cost(
    client, org, recruiter, kit, n, django_assert_max_num_queries
):
    position = make_position(org, kit)
    _applications(org, position, _candidates(org, n))
    client.force_login(recruiter)
    url = reverse("interviews:position_detail", args=[position.pk])
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert response.status_code == 200
    shown = [r for g in response.context["groups"] for r in g["rows"]]
    assert len(shown) == min(n, paging.PER_PAGE)
    # The candidate picker lists at most PICKER_LIMIT people, whatever the organization's size.
    options = response.context["form"].fields["candidate"].widget.choices
    assert len(options) - 1 == min(n, paging.PICKER_LIMIT)
    heading = f"Not scored yet ({len(shown)} here of {n})" if n > paging.PER_PAGE else f"({n})"
    assert heading in response.content.decode()


def test_a_positions_candidates_can_be_searched_and_the_picker_too(client, org, recruiter, kit):
    position = make_position(org, kit)
    people = _candidates(org, 70)
    _applications(org, position, people[:60])
    client.force_login(recruiter)
    url = reverse("interviews:position_detail", args=[position.pk])
    found = client.get(url, {"q": "person 007"})
    assert [
        r["application"].candidate.name for g in found.context["groups"] for r in g["rows"]
    ] == ["Person 007"]
    picker = client.get(url, {"candidate_q": "person 06"})
    labels = [label for _, label in picker.context["form"].fields["candidate"].widget.choices][1:]
    assert sorted(labels) == sorted(f"Person 06{i}" for i in range(10))


def test_a_candidate_beyond_the_listed_ones_can_still_be_chosen(org, kit):
    position = make_position(org, kit)
    people = _candidates(org, paging.PICKER_LIMIT + 10)
    listed = {
        pk for pk, _ in paging.candidate_choices(Candidate.objects.filter(organization=org), "")
    }
    unlisted = next(c for c in people if c.pk not in listed)
    form = SessionForm({"candidate": unlisted.pk}, organization=org, position=position)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["candidate"] == unlisted
    # ...and a form shown again keeps that choice in its list.
    choices = paging.candidate_choices(Candidate.objects.filter(organization=org), "", unlisted.pk)
    assert unlisted.pk in {pk for pk, _ in choices}


def test_my_interviews_are_paged(client, org, interviewer, kit):
    position = make_position(org, kit)
    people = _candidates(org, paging.PER_PAGE + 3)
    for person in people:
        session = services.session_create(position=position, candidate=person)
        session.interviewers.add(interviewer)
    client.force_login(interviewer)
    first = client.get(reverse("interviews:my_sessions"))
    assert len(first.context["rows"]) == paging.PER_PAGE
    second = client.get(reverse("interviews:my_sessions"), {"page": 2})
    assert len(second.context["rows"]) == 3
    assert CandidateSession.objects.count() == paging.PER_PAGE + 3


def test_a_candidates_sessions_are_paged(client, org, recruiter, kit):
    person = _candidates(org, 1)[0]
    for i in range(paging.PER_PAGE + 2):
        services.session_create(position=make_position(org, kit, title=f"R{i}"), candidate=person)
    client.force_login(recruiter)
    url = reverse("interviews:candidate_detail", args=[person.pk])
    assert len(client.get(url).context["page"].object_list) == paging.PER_PAGE
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 2
    assert Position.objects.count() == paging.PER_PAGE + 2
