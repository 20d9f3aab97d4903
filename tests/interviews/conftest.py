import pytest

from apps.accounts.models import Role
from apps.interviews import services
from apps.interviews.models import Scorecard
from tests.factories import MembershipFactory, make_kit


@pytest.fixture
def kit():
    return make_kit(3)


@pytest.fixture
def interviewer2(org):
    return MembershipFactory(organization=org, role=Role.INTERVIEWER, user__username="ines").user


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
    return services.candidate_create(organization=org, name="Priya N", email="Priya@Example.com")


@pytest.fixture
def session(position, candidate, interviewer, interviewer2, recruiter):
    return services.session_create(
        position=position,
        candidate=candidate,
        interviewers=[interviewer, interviewer2],
        created_by=recruiter,
    )


def rate_all(session, user, value=3, recommendation="yes", notes="") -> Scorecard:
    """Fill and submit a scorecard with the same rating on every criterion."""
    card = services.scorecard_for(session=session, interviewer=user)
    data = services.ScorecardData()
    for item in session.items.all():
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = value
    data.recommendation = recommendation
    data.overall_notes = notes
    services.scorecard_save_draft(scorecard=card, data=data)
    return services.scorecard_submit(scorecard=card)
