"""People and data for the shortlist tests: a position with candidates whose stored results are
version 2 verdicts (written directly: these tests are about presenting results, not computing
them), and one candidate scored for real by two interviewers with notes."""

from __future__ import annotations

import pytest

from apps.interviews import services
from apps.interviews.models import Application, CandidateSession
from apps.shortlists import services as share
from tests.factories import make_kit, make_position


def result(label="borderline", band=(55.0, 75.0), p_above=0.78, bar=62.5, critical=False):
    lo, hi = band
    flags = [{"kind": "critical_red_flag", "text": "Skipped lockout-tagout", "item": "q1"}]
    return {
        "label": label,
        "score": round((lo + hi) / 2, 1),
        "band": [lo, hi],
        "bar": bar,
        "p_above": p_above,
        "se": 6.0,
        "coverage": 1.0,
        "competencies": {
            "production_execution": {"estimate": 66.0, "se": 5.0, "observed": 68.0, "n_eff": 3},
            "quality_operations": {"estimate": 58.0, "se": 7.0, "observed": 55.0, "n_eff": 2},
        },
        "track": {
            "fit": "match",
            "orientation": "plant",
            "plant": 66,
            "se_plant": 5,
            "n_plant": 4,
            "enterprise": None,
            "n_enterprise": 0,
        },
        "level_fit": "2",
        "flags": flags if critical else [],
        "next_evidence": [],
        "stages": [{"mode": "live", "band": [lo, hi]}],
        "scorecards": 2,
        "scoring_version": "2.0",
    }


@pytest.fixture
def kit(db):
    return make_kit(6)


@pytest.fixture
def position(org, kit):
    return make_position(org, kit, client_company="Contoso Foods", title="MES Engineer")


def add_application(position, name: str, email: str, **result_fields) -> Application:
    """A candidate's application to ``position`` (``services.application_for``) with a stored
    result (``result(**result_fields)``)."""
    candidate = services.candidate_create(
        organization=position.organization, name=name, email=email
    )
    application = services.application_for(candidate=candidate, position=position)
    application.result = result(**result_fields)
    application.save(update_fields=["result"])
    return application


@pytest.fixture
def make_application(position):
    counter = iter(range(10_000))

    def make(name=None, *, position=position, **result_fields):
        n = next(counter)
        return add_application(
            position, name or f"Cand {n:03d}", f"c{n}@example.com", **result_fields
        )

    return make


@pytest.fixture
def shortlist(position, make_application, recruiter):
    apps = [
        make_application("Ada Lovelace", band=(60.0, 80.0), p_above=0.81),
        make_application("Bob Builder", band=(58.0, 79.0), p_above=0.74, critical=True),
        make_application("Cleo Ray", label="below_bar", band=(20.0, 40.0), p_above=0.01),
    ]
    return share.shortlist_create(
        position=position,
        title="MES engineers for Contoso",
        application_ids=[a.pk for a in apps],
        created_by=recruiter,
    )


@pytest.fixture
def scored(org, kit, position, recruiter, interviewer, interviewer2):
    """A real application: a live stage rated by two named interviewers who wrote notes."""
    interviewer.first_name, interviewer.last_name = "Ivan", "Petrov"
    interviewer.save()
    candidate = services.candidate_create(
        organization=org, name="Priya Natarajan", email="priya@example.com"
    )
    session = services.session_create(
        position=position,
        candidate=candidate,
        mode=CandidateSession.Mode.LIVE,
        interviewers=[interviewer, interviewer2],
        created_by=recruiter,
    )
    for user, notes in ((interviewer, "IVAN-SECRET-NOTE"), (interviewer2, "INES-SECRET-NOTE")):
        card = services.scorecard_for(session=session, interviewer=user)
        data = services.ScorecardData()
        for item in session.items.all():
            for crit in item.rubric:
                data.ratings[(item.pk, crit["key"])] = 3
        data.recommendation = "yes"
        data.overall_notes = notes
        services.scorecard_save_draft(scorecard=card, data=data)
        services.scorecard_submit(scorecard=card)
    return Application.objects.get(candidate=candidate)


@pytest.fixture
def interviewer2(org):
    from apps.accounts.models import Role
    from tests.factories import MembershipFactory

    return MembershipFactory(organization=org, role=Role.INTERVIEWER, user__username="ines").user


@pytest.fixture
def recruiter_named(recruiter):
    recruiter.first_name, recruiter.last_name = "Rita", "Recruiter"
    recruiter.email = "rita@acme.example"
    recruiter.save()
    return recruiter


def create_link(**kwargs):
    kwargs.setdefault("contact_name", "Carla Client")
    kwargs.setdefault("contact_email", "carla@contoso.example")
    kwargs.setdefault("send_email", False)
    return share.link_create(**kwargs)
