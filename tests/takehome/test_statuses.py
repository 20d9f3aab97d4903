"""Statuses say what is true: derived once (session_state.display_status, shown through
CandidateSession.display_status on every page), and a panel that grows after scoring goes
back to awaiting scorecards (so Greenhouse no longer hears "complete")."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.ats.greenhouse.services import greenhouse_status
from apps.ats.models import GreenhouseOrder
from apps.interviews import services, session_state
from apps.interviews.models import CandidateSession, Invitation
from apps.interviews.services import invitations
from tests.factories import MembershipFactory
from tests.interviews.conftest import rate_all

from .conftest import start, submit

pytestmark = pytest.mark.django_db


def _fresh(created):
    return CandidateSession.objects.select_related("invitation").get(
        pk=created.invitation.session_id
    )


def test_not_started_then_answering(client, make_invitation):
    created = make_invitation()
    assert _fresh(created).display_status == session_state.INVITED
    start(client, created.token)
    assert _fresh(created).display_status == session_state.ANSWERING


def test_a_link_never_started_before_its_deadline_is_expired(make_invitation):
    created = make_invitation()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=5))
    assert _fresh(created).display_status == "Expired"


def test_a_revoked_link_is_revoked(make_invitation):
    created = make_invitation()
    invitations.invitation_revoke(invitation=created.invitation)
    assert _fresh(created).display_status == "Revoked"


def test_submitted_answers_are_ready_torate_all(started):
    client, created = started
    submit(client, created)
    assert _fresh(created).display_status == "Answers in, ready to score"


def test_answers_are_in_when_the_time_ran_out_without_a_submit(started, settings):
    settings.TAKEHOME_GRACE_SECONDS = 0
    _client, created = started
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _fresh(created).display_status == "Answers in, ready to score"


def test_awaiting_scorecards_then_scored_then_back_when_the_panel_grows(
    org, started, interviewer, recruiter
):
    client, created = started
    second = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
    session = _fresh(created)
    services.session_assign_interviewers(session=session, interviewers=[second])
    submit(client, created)
    rate_all(_fresh(created), interviewer)
    assert _fresh(created).display_status == "Awaiting scorecards"
    rate_all(_fresh(created), second)
    session = _fresh(created)
    assert session.status == CandidateSession.Status.SCORED
    assert greenhouse_status(GreenhouseOrder(session=session))["partner_status"] == "complete"

    third = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
    services.session_assign_interviewers(session=session, interviewers=[third])
    session = _fresh(created)
    assert session.status == CandidateSession.Status.SUBMITTED
    assert session.display_status == "Awaiting scorecards"
    assert greenhouse_status(GreenhouseOrder(session=session))["partner_status"] != "complete"
    rate_all(session, third)
    assert _fresh(created).status == CandidateSession.Status.SCORED


def test_a_live_session_goes_back_to_in_progress_when_the_panel_grows(
    org, th_position, th_candidate, interviewer
):
    session = services.session_create(
        position=th_position, candidate=th_candidate, interviewers=[interviewer]
    )
    rate_all(session, interviewer)
    session.refresh_from_db()
    assert session.display_status == "Scored"
    late = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
    services.session_assign_interviewers(session=session, interviewers=[late])
    session.refresh_from_db()
    assert session.status == CandidateSession.Status.IN_PROGRESS
    assert session.display_status == "Awaiting scorecards"


def test_pages_show_the_derived_status(started, recruiter):
    client, created = started
    submit(client, created)
    staff = Client()
    staff.force_login(recruiter)
    session = _fresh(created)
    for url in (
        reverse("interviews:session_detail", args=[session.pk]),
        reverse("interviews:candidate_detail", args=[session.candidate_id]),
        reverse("interviews:position_detail", args=[session.position_id]),
        reverse("interviews:application_detail", args=[session.application_id]),
    ):
        html = staff.get(url).content.decode()
        assert "answers in, ready to score" in html.lower(), url


def _take_homes(make_invitation, th_candidate, n):
    for _ in range(n):
        make_invitation(candidate=th_candidate)


@pytest.mark.parametrize("n", [1, 50])
def test_candidate_page_with_take_homes_costs_the_same_queries(
    n, make_invitation, th_candidate, recruiter, django_assert_max_num_queries
):
    _take_homes(make_invitation, th_candidate, n)
    Invitation.objects.filter(pk__in=Invitation.objects.values("pk")[: n // 2]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    staff = Client()
    staff.force_login(recruiter)
    url = reverse("interviews:candidate_detail", args=[th_candidate.pk])
    staff.get(url)  # warm the session and caches
    with django_assert_max_num_queries(12):
        html = staff.get(url).content.decode()
    assert html.count("Invited, not started") == n - n // 2
