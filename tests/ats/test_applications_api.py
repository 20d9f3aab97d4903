"""The applications resource of the pull API, its export and the ``application.scored`` webhook
(issue 9): one candidate for one position, every stage pooled, label first and no number while
the label is incomplete."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ats.export import APPLICATION_COLUMNS
from apps.ats.models import WebhookDelivery, WebhookEndpoint
from apps.ats.webhooks import new_secret
from apps.interviews import services
from apps.interviews.models import Application, CandidateSession
from tests.factories import CandidateSessionFactory, MembershipFactory, make_kit, make_position
from tests.interviews.conftest import rate_all

pytestmark = pytest.mark.django_db


def scored_application(org, *, n_items=3, value=3, raters=1, name="Priya", bar=None) -> Application:
    """An application whose live stage was rated ``value`` throughout by ``raters`` interviewers.
    Three items leave one competency with a single answer: the label is ``incomplete``."""
    kit = make_kit(n_items)
    position = make_position(org, kit, **({"bar": bar} if bar else {}))
    candidate = services.candidate_create(
        organization=org, name=name, email=f"{name.lower()}@example.com"
    )
    panel = [MembershipFactory(organization=org, role="interviewer").user for _ in range(raters)]
    session = services.session_create(position=position, candidate=candidate, interviewers=panel)
    for user in panel:
        rate_all(session, user, value)
    application = session.application
    application.refresh_from_db()
    return application


@pytest.fixture
def incomplete(org):
    application = scored_application(org, n_items=3, name="Thin")
    assert application.result["label"] == "incomplete"
    return application


@pytest.fixture
def decided(org):
    application = scored_application(org, n_items=6, raters=2, name="Enough", bar=70.0)
    assert application.result["label"] != "incomplete"
    return application


# -- list and detail ---------------------------------------------------------------------------


def test_list_shows_only_the_keys_organization(api, org, other_org, incomplete, decided):
    foreign = CandidateSessionFactory(organization=other_org).application
    response = api.get("/api/v1/applications/")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert sorted(ids) == sorted([incomplete.pk, decided.pk])
    assert foreign.pk not in ids
    assert api.get(f"/api/v1/applications/{foreign.pk}/").status_code == 404
    assert api.get("/api/v1/applications/not-a-number/").status_code == 404


def test_detail_has_role_state_stages_and_the_v2_result(api, decided):
    body = api.get(f"/api/v1/applications/{decided.pk}/").json()
    assert body["id"] == decided.pk
    assert body["candidate"] == decided.candidate_id and body["position"] == decided.position_id
    assert body["state"] == "active" and body["state_reason"] == ""
    assert body["role"] == {
        "track": "plant",
        "level": 2,
        "weights": {"production_execution": 0.6, "quality_operations": 0.4},
        "bar": 70.0,
        "panel_size": 2,
    }
    (session,) = decided.sessions.all()
    assert body["stages"] == [
        {"session": session.pk, "mode": "live", "status": "scored", "kit": session.kit_key}
    ]
    result = body["result"]
    stored = decided.result
    assert result["label"] == stored["label"]
    assert result["p_above"] == stored["p_above"] and 0 <= result["p_above"] <= 1
    assert result["bar"] == 70.0
    assert result["score"] == stored["score"] and result["score"] is not None
    assert result["band"] == stored["band"]
    assert result["next_evidence"] == stored["next_evidence"]
    assert [n["competency"] for n in result["next_evidence"]] and all(
        n["band_halfwidth"] > 0 for n in result["next_evidence"]
    )
    assert result["scoring_version"] == "2"
    assert result["level_fit"] == str(stored["level_fit"])
    assert body["scored_at"] is not None


def test_score_is_null_while_the_label_is_incomplete(api, incomplete):
    result = api.get(f"/api/v1/applications/{incomplete.pk}/").json()["result"]
    assert result["label"] == "incomplete"
    assert result["score"] is None
    assert incomplete.result["score"] is not None  # stored, just not sent
    assert result["p_above"] == incomplete.result["p_above"]
    assert result["band"] == incomplete.result["band"]


def test_an_unscored_application_has_a_null_result(api, org):
    application = CandidateSessionFactory(organization=org).application
    body = api.get(f"/api/v1/applications/{application.pk}/").json()
    assert body["result"] is None and body["scored_at"] is None
    assert [s["status"] for s in body["stages"]] == ["scheduled"]


def test_detail_shows_the_pipeline_decision(api, decided, recruiter):
    services.application_decide(
        application=decided, state="rejected", reason="Prefers enterprise", decided_by=recruiter
    )
    body = api.get(f"/api/v1/applications/{decided.pk}/").json()
    assert body["state"] == "rejected" and body["state_reason"] == "Prefers enterprise"
    assert body["state_changed_at"] is not None
    assert [r["id"] for r in api.get("/api/v1/applications/", {"state": "rejected"}).json()[
        "results"
    ]] == [decided.pk]  # fmt: skip
    assert api.get("/api/v1/applications/", {"state": "active"}).json()["results"] == []


def test_cursor_pagination_and_updated_since(api, org):
    applications = [CandidateSessionFactory(organization=org).application for _ in range(5)]
    page = api.get("/api/v1/applications/", {"page_size": 2}).json()
    assert len(page["results"]) == 2
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == [a.pk for a in applications]  # ordered by update time
    cut = Application.objects.get(pk=applications[3].pk).updated_at
    recent = api.get("/api/v1/applications/", {"updated_since": cut.isoformat()}).json()
    assert [row["id"] for row in recent["results"]] == [applications[3].pk, applications[4].pk]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert api.get("/api/v1/applications/", {"updated_since": future}).json()["results"] == []
    assert api.get("/api/v1/applications/", {"updated_since": "nope"}).status_code == 400


def test_scoring_moves_the_application_into_updated_since(api, org, interviewer):
    session = CandidateSessionFactory(organization=org)
    session.interviewers.add(interviewer)
    application = session.application
    later = timezone.now()
    assert api.get("/api/v1/applications/", {"updated_since": later.isoformat()}).json()[
        "results"
    ] == []  # fmt: skip
    rate_all(session, interviewer, 3)
    rows = api.get("/api/v1/applications/", {"updated_since": later.isoformat()}).json()["results"]
    assert [row["id"] for row in rows] == [application.pk]
    assert rows[0]["result"]["label"] == "incomplete"


@pytest.mark.parametrize("n", [1, 50])
def test_application_list_query_count_is_constant(api, org, django_assert_max_num_queries, n):
    kit = make_kit(3)
    position = make_position(org, kit)
    user = MembershipFactory(organization=org).user
    for i in range(n):
        candidate = services.candidate_create(
            organization=org, name=f"C{i}", email=f"c{i}@example.com"
        )
        session = services.session_create(
            position=position, candidate=candidate, interviewers=[user]
        )
        if i % 2 == 0:
            rate_all(session, user, 2)
        if i % 5 == 0:
            services.session_create(
                position=position, candidate=candidate, mode=CandidateSession.Mode.TAKE_HOME
            )
    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/applications/", {"page_size": 50})
    rows = response.json()["results"]
    assert len(rows) == n
    assert sum(len(row["stages"]) for row in rows) == n + len(range(0, n, 5))


# -- export ------------------------------------------------------------------------------------


def _lines(response) -> list[dict]:
    assert response.status_code == 200 and response.streaming
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_ndjson_export_streams_one_line_per_application(api, org, other_org, incomplete, decided):
    CandidateSessionFactory(organization=other_org)
    unscored = CandidateSessionFactory(organization=org).application
    response = api.get("/api/v1/export/applications.ndjson")
    assert response["Content-Type"].startswith("application/x-ndjson")
    rows = {row["application_id"]: row for row in _lines(response)}
    assert set(rows) == {incomplete.pk, decided.pk, unscored.pk}
    for row in rows.values():
        assert list(row) == APPLICATION_COLUMNS

    row = rows[decided.pk]
    stored = decided.result
    assert row["candidate_id"] == decided.candidate_id
    assert row["candidate_name"] == "Enough"
    assert row["position_id"] == decided.position_id
    assert row["state"] == "active"
    assert row["label"] == stored["label"]
    assert row["score"] == stored["score"]
    assert row["p_above"] == stored["p_above"]
    assert [row["band_low"], row["band_high"]] == stored["band"]
    assert row["bar"] == 70.0
    assert row["track_fit"] == stored["track"]["fit"]
    assert row["level_fit"] == str(stored["level_fit"])
    assert row["scoring_version"] == "2"

    thin = rows[incomplete.pk]
    assert thin["label"] == "incomplete" and thin["score"] is None
    assert thin["p_above"] == incomplete.result["p_above"]
    assert rows[unscored.pk]["label"] is None and rows[unscored.pk]["score"] is None


def test_csv_export_has_the_columns_and_no_score_while_incomplete(api, incomplete, decided):
    response = api.get("/api/v1/export/applications.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="applications.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == APPLICATION_COLUMNS
    body = {int(r[0]): dict(zip(APPLICATION_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert set(body) == {incomplete.pk, decided.pk}
    assert body[incomplete.pk]["label"] == "incomplete"
    assert body[incomplete.pk]["score"] == ""
    assert body[decided.pk]["score"] == str(decided.result["score"])
    assert body[decided.pk]["bar"] == "70.0"
    assert body[decided.pk]["p_above"] == str(decided.result["p_above"])


def test_application_export_filters_and_errors(api, org, incomplete, recruiter):
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = api.get("/api/v1/export/applications.ndjson", {"updated_since": future})
    assert b"".join(response.streaming_content) == b""
    services.application_decide(
        application=incomplete, state="withdrawn", reason="Took another job", decided_by=recruiter
    )
    other = scored_application(org, name="Other")
    rows = _lines(api.get("/api/v1/export/applications.ndjson", {"state": "withdrawn"}))
    assert [r["application_id"] for r in rows] == [incomplete.pk]
    assert other.pk not in [r["application_id"] for r in rows]
    assert api.get("/api/v1/export/applications.csv", {"updated_since": "x"}).status_code == 400
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/export/applications.ndjson").status_code == 401


# -- webhook -----------------------------------------------------------------------------------


def _endpoint(org, events) -> WebhookEndpoint:
    # Written directly: endpoint_create would resolve the host name; the outbox is the subject.
    return WebhookEndpoint.objects.create(
        organization=org, url="https://hooks.example.com/in", events=events, secret=new_secret()
    )


def test_a_scorecard_submit_writes_an_application_scored_outbox_row(org, interviewer):
    endpoint = _endpoint(org, ["application.scored"])
    sessions_only = _endpoint(org, ["session.scored"])
    session = CandidateSessionFactory(organization=org)
    session.interviewers.add(interviewer)
    assert not WebhookDelivery.objects.exists()
    rate_all(session, interviewer, 3)
    application = session.application
    application.refresh_from_db()

    (delivery,) = WebhookDelivery.objects.filter(event_type="application.scored")
    assert delivery.endpoint_id == endpoint.pk and delivery.organization_id == org.pk
    assert not WebhookDelivery.objects.filter(
        endpoint=sessions_only, event_type="application.scored"
    ).exists()
    payload = json.loads(delivery.body)
    assert payload["type"] == "application.scored"
    data = payload["data"]
    assert data["id"] == application.pk
    assert data["candidate_id"] == application.candidate_id
    assert data["position_id"] == application.position_id
    assert data["state"] == "active"
    result = data["result"]
    assert result["label"] == "incomplete" == application.result["label"]
    assert result["p_above"] == application.result["p_above"]
    assert result["band"] == application.result["band"]
    assert result["bar"] == 62.5
    assert result["score"] is None  # no number while the label is incomplete
    assert "ratings" not in delivery.body


def test_application_scored_payload_carries_the_score_once_decided(org):
    endpoint = _endpoint(org, ["application.scored"])
    application = scored_application(org, n_items=6, raters=2, name="Enough")
    assert application.result["label"] != "incomplete"
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk")
    assert deliveries.count() == 2  # one per submitted scorecard
    result = json.loads(deliveries.last().body)["data"]["result"]
    assert result["label"] == application.result["label"]
    assert result["score"] == application.result["score"]
    assert result["p_above"] == application.result["p_above"]
    assert result["track_fit"] == application.result["track"]["fit"]


def test_cancel_and_discussed_live_also_announce_application_scored(org, interviewer):
    endpoint = _endpoint(org, ["application.scored"])
    session = CandidateSessionFactory(organization=org, mode=CandidateSession.Mode.TAKE_HOME)
    session.interviewers.add(interviewer)
    rate_all(session, interviewer, 3)
    from apps.interviews.models import Answer

    answer = Answer.objects.create(item=session.items.first(), text="An answer")
    services.answer_mark_discussed_live(answer=answer, by=interviewer)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 2
    # A second stage keeps a result after the first is cancelled: announced again.
    live = services.session_create(
        position=session.position, candidate=session.candidate, interviewers=[interviewer]
    )
    rate_all(live, interviewer, 3)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 3
    services.session_cancel(session=session)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 4
    last = json.loads(WebhookDelivery.objects.filter(endpoint=endpoint).last().body)
    application = live.application
    application.refresh_from_db()
    assert last["data"]["result"]["p_above"] == application.result["p_above"]
