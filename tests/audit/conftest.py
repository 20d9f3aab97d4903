import pytest

from apps.interviews import services
from tests.factories import make_kit


@pytest.fixture
def kit(org):
    return make_kit(2, organization=org)


@pytest.fixture
def position(org, recruiter, kit):
    return services.position_create(
        organization=org,
        created_by=recruiter,
        client_company="Contoso Foods",
        title="MES Engineer",
        track=kit.track,
        level=kit.level,
        job_description="Own work order dispatching and genealogy on our shop floor lines.",
        kit=kit,
    )


@pytest.fixture
def candidate(org):
    return services.candidate_create(
        organization=org, name="Zoë Lindqvist", email="zoe.lindqvist@example.com"
    )


@pytest.fixture
def session(position, candidate, interviewer, recruiter):
    return services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer], created_by=recruiter
    )
