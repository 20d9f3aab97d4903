"""The voluntary questions answered in real Chromium: after a take-home (from the receipt),
and from the e-mailed link a live-only candidate receives. Candidate pages send
``Referrer-Policy: no-referrer``, so a browser posts them with ``Origin: null``: Django's own
CSRF check would refuse that (the test client never sends an Origin), hence real browsers."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts.models import Role
from apps.fairness import links
from apps.fairness.models import SelfReport
from apps.interviews import services
from apps.interviews.models import CandidateSession
from apps.interviews.services import invitations
from apps.outbox.models import OutboxMessage
from tests.factories import MembershipFactory, make_kit, make_position

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _position(org):
    return make_position(org, make_kit(1), written=True, client_company="Contoso")


ANSWERS = {"sex": "female", "age": "prefer_not_to_say"}


def _answers(page) -> None:
    for name, value in ANSWERS.items():
        page.check(f"input[name={name}][value={value}]")
    page.click("button:has-text('Save my answers')")


def _saved() -> dict[str, str]:
    return dict(SelfReport.objects.values_list("dimension", "value"))


@pytest.fixture
def org(org):
    org.collects_self_reported_groups = True
    org.save()
    return org


def test_after_a_take_home_the_candidate_answers_from_the_receipt(live_server, new_page, org):
    ivan = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
    candidate = services.candidate_create(organization=org, name="Tom", email="tom@example.com")
    created = invitations.invitation_create(
        position=_position(org), candidate=candidate, interviewers=[ivan],
        expires_at=timezone.now() + timedelta(days=1), time_limit_minutes=30,
    )  # fmt: skip
    base = live_server.url
    page = new_page()
    page.goto(f"{base}/t/{created.token}/")
    page.click("text=Start the assignment")
    page.wait_for_url(f"{base}/takehome/")
    page.locator("textarea").first.fill("Dispatching releases work orders to the line.")
    page.click("button[name=submit]")
    page.wait_for_selector("text=your answers are submitted")

    page.click("text=Optional: a few questions about you")
    _answers(page)

    page.wait_for_selector("text=your answers about you are saved")
    assert _saved() == ANSWERS


def test_a_live_only_candidate_answers_from_the_e_mailed_link(live_server, new_page, org, axe):
    recruiter = MembershipFactory(organization=org, role=Role.RECRUITER).user
    candidate = services.candidate_create(organization=org, name="Ada", email="ada@example.com")
    session = services.session_create(
        position=_position(org), candidate=candidate, interviewers=[recruiter]
    )
    CandidateSession.objects.filter(pk=session.pk).update(status=CandidateSession.Status.SCORED)
    assert links.request_send(candidate=candidate, user=recruiter) is True
    assert OutboxMessage.objects.get(kind=links.EMAIL_KIND).status == "sent"
    (email,) = [m for m in mail.outbox if m.to == ["ada@example.com"]]
    url = next(word for word in email.body.split() if "/a/" in word)

    page = new_page()
    page.goto(live_server.url + urlsplit(url).path)
    assert "Contoso" not in page.content()  # the page names the organization, not the client
    axe(page, "the e-mailed voluntary questions")
    _answers(page)

    page.wait_for_selector("text=your answers are saved")
    axe(page, "the voluntary questions, saved")
    assert _saved() == ANSWERS
