"""API hardening from issue 13: ATS names never reach an ORM lookup, and a key without
"allow ratings" sees no ratings, not even inside a discrepant-item flag."""

import pytest

from apps.interviews.models import Candidate
from tests.factories import CandidateSessionFactory, MembershipFactory
from tests.interviews.conftest import rate_all

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "ats", ["x__icontains", "gh__contains", "a__b", "_gh", "gh-", "GH", "g h", "x" * 41]
)
def test_ats_name_must_be_a_plain_slug(api, org, ats):
    response = api.post(
        "/api/v1/candidates/",
        {"name": "New", "email": "new@example.com", "external": {"ats": ats, "id": "1"}},
        format="json",
    )
    assert response.status_code == 400
    assert "ats" in response.json()["external"]
    assert not Candidate.objects.filter(email="new@example.com").exists()


def test_ats_lookup_operator_does_not_match_an_unrelated_candidate(api, org):
    Candidate.objects.create(
        organization=org, name="Other", email="other@example.com", external_ids={"x": "abc"}
    )
    response = api.post(
        "/api/v1/candidates/",
        {"name": "New", "email": "new@example.com", "external": {"ats": "x__icontains", "id": "b"}},
        format="json",
    )
    assert response.status_code == 400
    assert Candidate.objects.get(email="other@example.com").name == "Other"


@pytest.mark.parametrize("ats", ["greenhouse", "lever", "work_day", "smart-recruiters", "a1"])
def test_plain_ats_slugs_are_accepted(api, org, ats):
    body = {"name": "New", "email": "new@example.com", "external": {"ats": ats, "id": "GH-7"}}
    assert api.post("/api/v1/candidates/", body, format="json").status_code == 201
    again = api.post("/api/v1/candidates/", body, format="json")
    assert again.status_code == 200
    assert Candidate.objects.get(email="new@example.com").external_ids == {ats: "GH-7"}


@pytest.fixture
def discrepant(org, interviewer):
    """A session scored by two interviewers four rating points apart: every item discrepant."""
    other = MembershipFactory(organization=org, role="interviewer", user__username="ines").user
    session = CandidateSessionFactory(organization=org)
    session.interviewers.add(interviewer, other)
    rate_all(session, interviewer, 0, recommendation="no")
    rate_all(session, other, 4, recommendation="strong_yes")
    session.refresh_from_db()
    flags = [f for f in session.result["flags"] if f.get("kind") == "discrepant"]
    assert flags and all("ratings" in f for f in flags)  # the stored result keeps them
    return session


def _discrepant_flags(body):
    return [f for f in body["result"]["flags"] if f.get("kind") == "discrepant"]


def test_key_without_allow_ratings_sees_no_ratings_on_discrepant_flags(api, discrepant):
    detail = api.get(f"/api/v1/sessions/{discrepant.pk}/").json()
    listed = api.get("/api/v1/sessions/").json()["results"][0]
    for body in (detail, listed):
        flags = _discrepant_flags(body)
        assert flags and all("ratings" not in f for f in flags)
        assert all("item" in f for f in flags)  # the flag itself still shows


def test_key_with_allow_ratings_sees_ratings_on_discrepant_flags(api, org_key, discrepant):
    key = org_key[0]
    key.allow_ratings = True
    key.save()
    flags = _discrepant_flags(api.get(f"/api/v1/sessions/{discrepant.pk}/").json())
    assert flags and all(sorted(f["ratings"]) == [0, 4] for f in flags)
