"""Scoring waits for the candidate: a take-home's scorecards open once the answers are
submitted or the deadline (plus grace) has passed; the page, its autosave and submit obey
the one rule in apps/interviews/session_state.py."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.interviews import services, session_state
from apps.interviews.models import Invitation, Rating, Scorecard
from apps.interviews.services import invitations

from .conftest import submit

pytestmark = pytest.mark.django_db


def _staff(user):
    client = Client()
    client.force_login(user)
    return client


def _all_fours(session):
    data = services.ScorecardData()
    for item in session.items.all():
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = 4
    data.recommendation = "yes"
    return data


@pytest.mark.parametrize("name", ["interviews:scorecard", "interviews:interview_mode"])
def test_scorecard_page_waits_and_says_when_answers_are_expected(started, interviewer, name):
    client, created = started
    session = created.invitation.session
    item = session.items.order_by("order").first()
    client.post(f"/takehome/answers/{item.pk}/", {"text": "Half-typed ans", "version": "0"})
    page = _staff(interviewer).get(reverse(name, args=[session.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "answers are not in yet" in html and "Scoring opens when they submit" in html
    deadline = timezone.localtime(invitations.deadline(created.invitation) + invitations.grace())
    assert deadline.strftime("%H:%M") in html
    assert "Half-typed ans" not in html and 'name="r-' not in html
    assert not Scorecard.objects.filter(session=session).exists()  # nothing opened


def test_autosave_and_submit_are_refused_before_the_answers_are_in(started, interviewer):
    _client, created = started
    session = created.invitation.session
    item = session.items.order_by("order").first()
    crit = item.rubric[0]["key"]
    staff = _staff(interviewer)
    response = staff.post(
        reverse("interviews:autosave", args=[session.pk]), {f"r-{item.pk}-{crit}": "3"}
    )
    assert response.status_code == 409
    assert "not in yet" in response.content.decode()
    assert not Scorecard.objects.filter(session=session).exists()  # no draft opened
    page_post = staff.post(
        reverse("interviews:scorecard", args=[session.pk]),
        {f"r-{item.pk}-{crit}": "3", "submit": "1"},
    )
    assert page_post.status_code == 200 and "not in yet" in page_post.content.decode()
    assert Rating.objects.count() == 0
    card = services.scorecard_for(session=session, interviewer=interviewer)
    with pytest.raises(ValidationError) as exc:
        services.scorecard_save_draft(scorecard=card, data=_all_fours(session))
    assert exc.value.code == "not_ready"
    with pytest.raises(ValidationError):
        services.scorecard_submit(scorecard=card)
    card.refresh_from_db()
    assert not card.is_submitted and Rating.objects.count() == 0


def test_scoring_opens_when_the_candidate_submits(started, interviewer):
    client, created = started
    session = created.invitation.session
    item = session.items.order_by("order").first()
    client.post(f"/takehome/answers/{item.pk}/", {"text": "The final answer", "version": "0"})
    submit(client, created)
    page = _staff(interviewer).get(reverse("interviews:scorecard", args=[session.pk]))
    assert "The final answer" in page.content.decode() and 'name="r-' in page.content.decode()
    card = services.scorecard_for(session=session, interviewer=interviewer)
    services.scorecard_save_draft(scorecard=card, data=_all_fours(session))
    assert services.scorecard_submit(scorecard=card).is_submitted


def test_scoring_opens_when_the_deadline_and_grace_have_passed(started, settings):
    settings.TAKEHOME_GRACE_SECONDS = 30
    _client, created = started
    session = created.invitation.session
    deadline = invitations.deadline(created.invitation)
    assert not session_state.scoring_open(session, now=deadline + timedelta(seconds=29))
    assert session_state.scoring_open(session, now=deadline + timedelta(seconds=31))
    Invitation.objects.filter(pk=created.invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    session.refresh_from_db()
    assert session_state.scoring_open(session)


def test_a_revoked_take_home_is_never_scored(started):
    _client, created = started
    invitations.invitation_revoke(invitation=created.invitation)
    session = created.invitation.session
    session.refresh_from_db()
    assert not session_state.scoring_open(session, now=timezone.now() + timedelta(days=30))
    assert "revoked" in session_state.scoring_wait_message(session)


def test_live_sessions_are_always_open(org, recruiter, interviewer, th_position, th_candidate):
    session = services.session_create(
        position=th_position, candidate=th_candidate, interviewers=[interviewer]
    )
    assert session_state.scoring_open(session)
    assert session_state.scoring_opens_at(session) is None
