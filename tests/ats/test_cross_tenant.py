"""Every operation in the API schema, called with organization B's key on organization A's
rows, answers 404 (or, for lists and exports, shows none of A's rows). A new operation fails
this test until it is added here, so no endpoint escapes the tenant wall unnoticed."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.services import invitations
from tests.factories import KitFactory, QuestionFactory, make_kit

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_rows(org, interviewer):
    kit = make_kit(2)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    position = services.position_create(
        organization=org, created_by=None, client_company="A Corp", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    cand = services.candidate_create(organization=org, name="A Person", email="a@example.com")
    session = services.session_create(position=position, candidate=cand)
    other = services.candidate_create(organization=org, name="A Two", email="a2@example.com")
    invitations.invitation_create(
        position=position, candidate=other, expires_at=timezone.now() + timedelta(days=1)
    )
    return {
        "position": position,
        "candidate": cand,
        "session": session,
        "application": session.application,
        "question": QuestionFactory(organization=org, key="a-private-question"),
        "kit": KitFactory(organization=org, key="a-private-kit"),
    }


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method.upper(), path


def _path_for(path, rows):
    resource = path.split("/")[3]
    if "{id}" in path:
        return path.replace("{id}", str(rows[resource.rstrip("s")].pk))
    if "{key}" in path:
        return path.replace("{key}", rows[resource.rstrip("s")].key)
    return path


GREENHOUSE = "/integrations/greenhouse/"


def _greenhouse(client, method, path, rows, org):
    from apps.ats.models import GreenhouseErrorReport

    session = rows["session"]
    if path.endswith("list_tests"):
        tests = client.get(path).json()
        assert str(rows["position"].pk) not in {t["partner_test_id"] for t in tests}
    elif path.endswith("test_status"):
        response = client.get(path, {"partner_interview_id": str(session.pk)})
        assert response.status_code == 404, path
    elif path.endswith("send_test"):
        body = {
            "partner_test_id": str(rows["position"].pk),
            "candidate": {"first_name": "B", "last_name": "Person", "email": "b@example.com",
                          "greenhouse_profile_url": "https://app.greenhouse.io/people/1"},
            "url": "https://app.greenhouse.io/integrations/x",
        }  # fmt: skip
        assert client.post(path, body, format="json").status_code == 404, path
    elif path.endswith("request_errors"):
        body = {"api_call": "test_status", "errors": ["x"],
                "partner_interview_id": str(session.pk)}  # fmt: skip
        assert client.post(path, body, format="json").status_code == 200
        assert not GreenhouseErrorReport.objects.filter(organization=org).exists()
    else:
        pytest.fail(f"{method} {path} is not covered by the cross-tenant test")


def test_every_operation_is_walled(other_api, a_rows, other_key, org):
    a_ids = {
        a_rows["position"].pk,
        a_rows["candidate"].pk,
        a_rows["session"].pk,
        a_rows["application"].pk,
    }
    seen = set()
    from .conftest import basic_auth

    gh = APIClient()
    gh.credentials(HTTP_AUTHORIZATION=basic_auth(other_key[1]))
    for method, path in _operations():
        seen.add((method, path))
        if path.startswith(GREENHOUSE):
            _greenhouse(gh, method, path, a_rows, org)
            continue
        url = _path_for(path, a_rows)
        if method == "GET" and "{" in path:
            assert other_api.get(url).status_code == 404, url
        elif method == "GET" and path.startswith("/api/v1/export/"):
            response = other_api.get(url)
            body = b"".join(response.streaming_content).decode()
            assert "A Person" not in body and "a@example.com" not in body, url
        elif method == "GET":
            response = other_api.get(url)
            assert response.status_code == 200, url
            text = json.dumps(response.json())
            assert "A Person" not in text and "a-private" not in text, url
            results = response.json()
            results = results["results"] if isinstance(results, dict) else results
            if path in (
                "/api/v1/positions/",
                "/api/v1/candidates/",
                "/api/v1/sessions/",
                "/api/v1/applications/",
            ):
                assert not {r["id"] for r in results} & a_ids, url
        elif method == "POST" and "{id}" in path:
            assert other_api.post(url).status_code == 404, url
        elif method == "POST" and path in ("/api/v1/sessions/", "/api/v1/invitations/"):
            body = {
                "position": a_rows["position"].pk,
                "candidate": a_rows["candidate"].pk,
                "expires_at": (timezone.now() + timedelta(days=1)).isoformat(),
            }
            if path == "/api/v1/sessions/":
                body.pop("expires_at")
            assert other_api.post(url, body, format="json").status_code == 404, url
        elif method == "POST" and path == "/api/v1/candidates/":
            response = other_api.post(
                url, {"name": "B Person", "email": "a@example.com"}, format="json"
            )
            # Same e-mail in another organization: a new, separate candidate for B.
            assert response.status_code == 201
            assert response.json()["id"] != a_rows["candidate"].pk
            a_rows["candidate"].refresh_from_db()
            assert a_rows["candidate"].name == "A Person"
        else:
            pytest.fail(f"{method} {path} is not covered by the cross-tenant test")
    assert ("GET", "/api/v1/applications/{id}/") in seen
    assert ("GET", "/api/v1/export/applications.ndjson") in seen
    assert len(seen) >= 27
