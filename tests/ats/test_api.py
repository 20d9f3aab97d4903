"""The pull API: authentication, tenant walls, reads, writes, pagination, errors, export."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.ats.export import safe_cell
from apps.ats.models import OrganizationAPIKey
from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.models import Candidate, CandidateSession
from tests.factories import CandidateSessionFactory, MembershipFactory, QuestionFactory, make_kit
from tests.interviews.conftest import rate_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(org, interviewer):
    session = CandidateSessionFactory(organization=org)
    session.interviewers.add(interviewer)
    rate_all(session, interviewer, 3, recommendation="yes")
    session.refresh_from_db()
    return session


# -- authentication ---------------------------------------------------------------------------


def test_missing_key_is_401_with_the_scheme():
    response = APIClient().get("/api/v1/sessions/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize("state", ["unknown", "revoked", "expired"])
def test_bad_keys_are_401(org, state):
    key, raw = OrganizationAPIKey.objects.create_key(name="k", organization=org)
    if state == "unknown":
        raw = raw[:-4] + "xxxx"
    elif state == "revoked":
        key.revoked = True
        key.save()
    else:
        key.expiry_date = timezone.now() - timedelta(days=1)
        key.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = client.get("/api/v1/sessions/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_key_is_hashed_at_rest_and_last_use_is_recorded(org_key, api):
    key, raw = org_key
    assert raw not in key.hashed_key and key.hashed_key.startswith("sha512$$")
    assert raw.startswith(key.prefix)
    api.get("/api/v1/tracks/")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_throttle_per_key(api, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    from apps.ats.auth import APIKeyThrottle

    cache.clear()
    old = APIKeyThrottle.THROTTLE_RATES
    APIKeyThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "api_key": "3/min"}
    try:
        codes = [api.get("/api/v1/levels/").status_code for _ in range(5)]
    finally:
        APIKeyThrottle.THROTTLE_RATES = old
        cache.clear()
    assert codes == [200, 200, 200, 429, 429]


# -- reads ------------------------------------------------------------------------------------


def test_bank_reads_show_shipped_and_own_not_foreign(api, org, other_org):
    shipped = QuestionFactory()
    own = QuestionFactory(organization=org)
    foreign = QuestionFactory(organization=other_org)
    keys = {q["key"] for q in api.get("/api/v1/questions/").json()["results"]}
    assert keys == {shipped.key, own.key}
    assert api.get(f"/api/v1/questions/{foreign.key}/").status_code == 404
    detail = api.get(f"/api/v1/questions/{own.key}/").json()
    assert detail["shipped"] is False
    assert detail["rubric"][0]["anchors"]["3"] == f"anchor 3 of {own.key}"


def test_session_detail_has_result_and_scorecard_summaries(api, scored):
    body = api.get(f"/api/v1/sessions/{scored.pk}/").json()
    assert body["result"]["label"] == scored.result["label"]
    assert body["result"]["band"] == scored.result["band"]
    assert body["result"]["scoring_version"] == "2"
    (card,) = body["scorecards"]
    assert card["recommendation"] == "yes" and "ratings" not in card


def test_ratings_only_when_the_key_allows(api, org_key, scored):
    key = org_key[0]
    key.allow_ratings = True
    key.save()
    (card,) = api.get(f"/api/v1/sessions/{scored.pk}/").json()["scorecards"]
    assert {r["value"] for r in card["ratings"]} == {3}
    assert {r["question"] for r in card["ratings"]} == set(
        scored.items.values_list("question_key", flat=True)
    )


def test_cursor_pagination_and_updated_since(api, org):
    sessions = [CandidateSessionFactory(organization=org) for _ in range(5)]
    page = api.get("/api/v1/sessions/", {"page_size": 2}).json()
    seen = [s["id"] for s in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [s["id"] for s in page["results"]]
    assert seen == [s.pk for s in sessions]  # ordered by update time
    cut = sessions[3].updated_at
    recent = api.get("/api/v1/sessions/", {"updated_since": cut.isoformat()}).json()
    assert [s["id"] for s in recent["results"]] == [sessions[3].pk, sessions[4].pk]
    assert api.get("/api/v1/sessions/", {"updated_since": "not-a-date"}).status_code == 400


@pytest.mark.parametrize("n", [1, 50])
def test_session_list_query_count_is_constant(api, org, django_assert_max_num_queries, n):
    interviewer = MembershipFactory(organization=org).user
    kit = make_kit(2)
    position = services.position_create(
        organization=org, created_by=None, client_company="C", title="T", track=kit.track,
        level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    for i in range(n):
        cand = services.candidate_create(organization=org, name=f"C{i}", email=f"c{i}@x.example")
        session = services.session_create(
            position=position, candidate=cand, interviewers=[interviewer]
        )
        rate_all(session, interviewer, 2)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/sessions/", {"page_size": 50})
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_question_list_query_count_is_constant(api, django_assert_max_num_queries, n):
    QuestionFactory.create_batch(n)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/questions/", {"page_size": 50})
    assert len(response.json()["results"]) == n


# -- writes -----------------------------------------------------------------------------------


def test_candidate_create_is_idempotent_on_the_ats_id(api, org):
    body = {"name": "Priya N", "email": "priya@example.com",
            "external": {"ats": "greenhouse", "id": "4711"}}  # fmt: skip
    first = api.post("/api/v1/candidates/", body, format="json")
    assert first.status_code == 201
    again = api.post("/api/v1/candidates/", {**body, "name": "Priya Natarajan"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Candidate.objects.filter(organization=org).count() == 1
    assert Candidate.objects.get().external_ids == {"greenhouse": "4711"}


def test_candidate_create_links_an_existing_email(api, org):
    existing = services.candidate_create(organization=org, name="P", email="p@example.com")
    body = {"name": "P", "email": "P@example.com", "external": {"ats": "lever", "id": "L-1"}}
    response = api.post("/api/v1/candidates/", body, format="json")
    assert response.status_code == 200 and response.json()["id"] == existing.pk
    existing.refresh_from_db()
    assert existing.external_ids == {"lever": "L-1"}


def test_unknown_fields_are_rejected_with_field_messages(api):
    response = api.post(
        "/api/v1/candidates/", {"name": "X", "email": "x@example.com", "emial": "typo"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"emial": ["Unknown field."]}
    bad = api.post("/api/v1/candidates/", {"name": "X", "email": "nope"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()
    assert Candidate.objects.count() == 0


def test_create_session_and_cancel(api, org, interviewer):
    kit = make_kit(2)
    position = services.position_create(
        organization=org, created_by=None, client_company="C", title="T", track=kit.track,
        level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    cand = services.candidate_create(organization=org, name="C", email="c@example.com")
    response = api.post(
        "/api/v1/sessions/",
        {"position": position.pk, "candidate": cand.pk, "interviewers": ["ivan@example.com"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    session = CandidateSession.objects.get()
    assert list(session.interviewers.all()) == [interviewer]
    assert response.json()["status"] == "scheduled"
    cancelled = api.post(f"/api/v1/sessions/{session.pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_create_session_refuses_foreign_references(api, other_org):
    foreign = CandidateSessionFactory(organization=other_org)
    response = api.post(
        "/api/v1/sessions/",
        {"position": foreign.position_id, "candidate": foreign.candidate_id},
        format="json",
    )
    # Another organization's ids answer exactly like ids that never existed.
    assert response.status_code == 404
    assert response.json() == {"detail": "No such position or candidate in your organization."}


def test_create_invitation_returns_session_not_token_unless_asked(api, org):
    kit = make_kit(2)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    position = services.position_create(
        organization=org, created_by=None, client_company="C", title="T", track=kit.track,
        level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    cand = services.candidate_create(organization=org, name="C", email="c@example.com")
    body = {"position": position.pk, "candidate": cand.pk,
            "expires_at": (timezone.now() + timedelta(days=2)).isoformat()}  # fmt: skip
    response = api.post("/api/v1/invitations/", body, format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"session", "invitation", "expires_at"}
    cand2 = services.candidate_create(organization=org, name="D", email="d@example.com")
    response = api.post(
        "/api/v1/invitations/", {**body, "candidate": cand2.pk, "return_link": True},
        format="json",
    )  # fmt: skip
    assert "/t/" in response.json()["link"]


# -- export -----------------------------------------------------------------------------------


def test_ndjson_export_streams_the_organizations_sessions(api, scored, other_org):
    CandidateSessionFactory(organization=other_org)
    response = api.get("/api/v1/export/sessions.ndjson")
    assert response.status_code == 200 and response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    (row,) = [json.loads(line) for line in lines]
    assert row["session_id"] == scored.pk
    assert row["label"] == scored.result["label"]
    assert row["score"] == scored.result["score"]
    assert row["band_low"] == scored.result["band"][0]


def test_csv_export_neutralises_formulas(api, org):
    session = CandidateSessionFactory(organization=org)
    Candidate.objects.filter(pk=session.candidate_id).update(name='=HYPERLINK("http://x")')
    response = api.get("/api/v1/export/sessions.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["session_id", "candidate_id", "candidate_name"]
    assert rows[1][2] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_prefixes_are_escaped(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("plain") == "plain" and safe_cell(-1.5) == -1.5


def test_export_filter_and_errors(api, org):
    CandidateSessionFactory(organization=org)
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = api.get("/api/v1/export/sessions.ndjson", {"updated_since": future})
    assert b"".join(response.streaming_content) == b""
    assert api.get("/api/v1/export/sessions.csv", {"updated_since": "x"}).status_code == 400
    assert APIClient().get("/api/v1/export/sessions.csv").status_code == 401


# -- schema and key management ----------------------------------------------------------------


def test_schema_and_docs_are_served_without_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


def test_admin_creates_a_key_shown_once_and_revokes_it(client, org_admin, org):
    client.force_login(org_admin)
    response = client.post(
        reverse("api_keys"), {"name": "Greenhouse", "form_key": "k" * 20}, follow=True
    )
    raw = response.context["created_key"]
    key = OrganizationAPIKey.objects.get(organization=org)
    assert raw.startswith(key.prefix) and raw not in key.hashed_key
    assert raw not in client.get(reverse("api_keys")).content.decode()
    client.post(reverse("api_key_revoke", args=[key.prefix]))  # not confirmed: nothing changes
    key.refresh_from_db()
    assert not key.revoked
    client.post(reverse("api_key_revoke", args=[key.prefix]), {"confirm": "yes"})
    key.refresh_from_db()
    assert key.revoked


def test_key_pages_are_admin_only_and_walled(client, recruiter, outsider, org_key):
    client.force_login(recruiter)
    assert client.get(reverse("api_keys")).status_code == 404
    client.force_login(outsider)
    assert org_key[0].prefix not in client.get(reverse("api_keys")).content.decode()
    assert client.post(reverse("api_key_revoke", args=[org_key[0].prefix])).status_code == 404
    org_key[0].refresh_from_db()
    assert not org_key[0].revoked


def test_wrong_json_types_are_refused(api):
    response = api.post(
        "/api/v1/candidates/",
        {"name": 5, "email": "x@example.com", "external": {"ats": "gh", "id": 7}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["name"] == ["Must be a string."]


def test_conflicting_ats_id_is_409(api, org):
    services.candidate_create(
        organization=org, name="P", email="p@example.com", external_ids={"gh": "1"}
    )
    response = api.post(
        "/api/v1/candidates/",
        {"name": "P", "email": "p@example.com", "external": {"ats": "gh", "id": "2"}},
        format="json",
    )
    assert response.status_code == 409


def test_unknown_query_parameters_and_bad_page_size_are_400(api):
    assert api.get("/api/v1/sessions/", {"updated_sinse": "x"}).status_code == 400
    assert api.get("/api/v1/sessions/", {"page_size": "0"}).status_code == 400
    assert api.get("/api/v1/kits/", {"take_home": "maybe"}).status_code == 400


def test_postgres_copy_export_matches_the_python_path(api, scored, org, require_postgres):
    """On PostgreSQL the database writes the lines; they must say exactly what the portable
    Python path says, row for row."""
    from django.http import QueryDict

    from apps.ats import export

    Candidate.objects.filter(pk=scored.candidate_id).update(name='-Ünïcode "quoted", name')
    qs = export.export_queryset(org, QueryDict())
    fast = [json.loads(line) for line in b"".join(export._pg_stream(qs, "ndjson")).splitlines()]
    slow = [json.loads(line) for line in b"".join(export._ndjson(qs.iterator())).splitlines()]
    assert fast == slow and len(fast) == 1
    fast_csv = list(csv.reader(io.StringIO(b"".join(export._pg_stream(qs, "csv")).decode())))
    slow_csv = list(csv.reader(io.StringIO(b"".join(export._csv(qs.iterator())).decode())))
    assert fast_csv == slow_csv
    assert fast_csv[1][2] == '\'-Ünïcode "quoted", name'


def test_nul_characters_are_dropped_at_the_parser(api, org):
    response = api.post(
        "/api/v1/candidates/", {"name": "Pri\u0000ya", "email": "p@example.com"}, format="json"
    )
    assert response.status_code == 201
    assert Candidate.objects.get(organization=org).name == "Priya"


@pytest.mark.parametrize(
    ("since", "expected"),
    [("2000-01-01T00:00:00+17:31", 1), ("9999-12-31T23:59:59-05:00", 0),
     ("0001-01-01T00:00:00+05:00", 1)],
)  # fmt: skip
def test_updated_since_accepts_any_iso_offset(api, org, since, expected):
    CandidateSessionFactory(organization=org)
    response = api.get("/api/v1/sessions/", {"updated_since": since})
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected
