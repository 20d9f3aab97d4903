from datetime import timedelta

import pytest
from django.utils import timezone

from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.services import invitations
from tests.factories import make_kit


@pytest.fixture
def th_position(org, recruiter):
    """A position whose kit holds written/scenario questions (a take-home can use them)."""
    kit = make_kit(4)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    return services.position_create(
        organization=org, created_by=recruiter, client_company="Contoso", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="Shop floor execution.", kit=kit,
    )  # fmt: skip


@pytest.fixture
def th_candidate(org):
    return services.candidate_create(organization=org, name="Tom K", email="tom@example.com")


@pytest.fixture
def make_invitation(
    th_position, th_candidate, recruiter, interviewer, django_capture_on_commit_callbacks
):
    def make(**overrides):
        kwargs = {
            "position": th_position,
            "candidate": th_candidate,
            "expires_at": timezone.now() + timedelta(days=3),
            "created_by": recruiter,
            "interviewers": [interviewer],
            "contact": "rita@acme.example",
        }
        kwargs.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return invitations.invitation_create(**kwargs)

    return make


@pytest.fixture
def started(client, make_invitation):
    """A client whose session holds a started invitation; returns (client, created)."""
    created = make_invitation()
    start(client, created.token)
    return client, created


def start(client, token):
    """Start via the link, then send the page's form key with every later request."""
    response = client.post(f"/t/{token}/")
    assert response.status_code == 302
    client.defaults["HTTP_X_TAKEHOME_KEY"] = client.session["takehome_form_key"]
    return response


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files land in a fresh directory per test (Django's storage API honours it)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def submit(client, created):
    """Submit (confirming any empty answers) and return the refreshed session."""
    response = client.post("/takehome/submit/", {"confirm": "1"})
    assert response.status_code == 302, response.content[:300]
    created.invitation.session.refresh_from_db()
    return created.invitation.session
