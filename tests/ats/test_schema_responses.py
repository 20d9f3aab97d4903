"""The OpenAPI schema tells the truth about responses. Every API test in tests/ats goes through
``SchemaCheckedClient`` (conftest), which fails a test on an undocumented status code or a body
that does not validate; schemathesis does the same for generated requests (test_schemathesis).
These tests pin the cases that used to lie, and show the check itself bites."""

import json

import pytest
from django.http import JsonResponse

from apps.interviews.models import Application
from tests.factories import CandidateSessionFactory
from tests.interviews.conftest import rate_all

from .conftest import SchemaMismatch, api_schema, check_against_schema

pytestmark = pytest.mark.django_db


def _schema_json(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_an_unscored_session_has_a_null_result_and_the_schema_allows_it(api, org):
    session = CandidateSessionFactory(organization=org)
    body = api.get(f"/api/v1/sessions/{session.pk}/").json()  # validated by the client
    assert body["result"] is None and body["scored_at"] is None
    application = api.get(f"/api/v1/applications/{session.application_id}/").json()
    assert application["result"] is None


def test_an_incomplete_application_has_a_null_score(api, org, interviewer):
    session = CandidateSessionFactory(organization=org)
    session.interviewers.add(interviewer)
    rate_all(session, interviewer, 3, recommendation="yes")
    application = Application.objects.get(pk=session.application_id)
    assert application.result["label"] == "incomplete"
    body = api.get(f"/api/v1/applications/{application.pk}/").json()
    assert body["result"]["label"] == "incomplete" and body["result"]["score"] is None
    session_body = api.get(f"/api/v1/sessions/{session.pk}/").json()
    assert session_body["result"]["label"]


def test_the_schema_marks_result_and_score_nullable(client, db):
    schema = _schema_json(client)
    components = schema["components"]["schemas"]
    result_fields = [
        name
        for name, component in components.items()
        if "result" in component.get("properties", {})
    ]
    assert result_fields  # sessions and applications
    for name in result_fields:
        assert components[name]["properties"]["result"].get("nullable") is True, name
    assert components["ResultOut"]["properties"]["score"]["nullable"] is True


def test_the_check_catches_a_body_that_lies(api, org):
    session = CandidateSessionFactory(organization=org)
    good = api.get(f"/api/v1/sessions/{session.pk}/")
    lying = JsonResponse({**good.json(), "result": "scored", "id": "seven"})
    lying.request = good.request
    with pytest.raises(SchemaMismatch, match="does not match its schema"):
        check_against_schema(lying)


def test_the_check_catches_an_undocumented_status(api, org):
    good = api.get("/api/v1/candidates/")
    teapot = JsonResponse({"detail": "short and stout"}, status=418)
    teapot.request = good.request
    with pytest.raises(SchemaMismatch, match="418, which its schema does not document"):
        check_against_schema(teapot)


def test_every_api_operation_documents_its_error_answers():
    """401 and 429 everywhere (key auth, throttle); 400 wherever input is read."""
    schema = api_schema()
    missing = []
    for result in schema.get_all_operations():
        operation = result.ok()
        codes = set(operation.definition.raw.get("responses", {}))
        for code in ("401", "429"):
            if code not in codes:
                missing.append(f"{operation.method.upper()} {operation.path}: {code}")
    assert missing == []
