"""Property-based API testing with schemathesis against the live OpenAPI schema, as one
organization's API key, with every check schemathesis has. CI runs 50 examples per operation
(SCHEMATHESIS_EXAMPLES); locally fewer keep the suite quick."""

import os
from datetime import timedelta

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis import checks

from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.services import invitations
from tests.factories import make_kit
from tests.interviews.conftest import rate_all

from .conftest import call_and_validate

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "50" if os.environ.get("CI") else "10"))


@pytest.fixture
def seeded(db, keep_connection, org, interviewer, org_key):
    """An organization with a position, candidates, a scored session and a take-home."""
    kit = make_kit(3)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    position = services.position_create(
        organization=org, created_by=None, client_company="Contoso", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="Shop floor dispatching.", kit=kit,
    )  # fmt: skip
    cand = services.candidate_create(
        organization=org, name="Priya", email="priya@example.com", external_ids={"gh": "1"}
    )
    session = services.session_create(position=position, candidate=cand, interviewers=[interviewer])
    rate_all(session, interviewer, 3)
    other = services.candidate_create(organization=org, name="Tom", email="tom@example.com")
    invitations.invitation_create(
        position=position, candidate=other, expires_at=timezone.now() + timedelta(days=2)
    )
    return org_key


def _load_schema():
    # The schema is generated without touching the database, so it can load at collection.
    from interviewbank.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, seeded):
    _, raw = seeded
    call_and_validate(
        case, headers={"Authorization": f"Api-Key {raw}"}, checks=checks.CHECKS.get_all()
    )
