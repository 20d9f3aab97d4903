"""A candidate does a take-home from the e-mailed link in a real browser, without losing a
word; the time limit runs out (shortened); they submit; an interviewer sees the answers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.models import Invitation
from apps.interviews.services import invitations
from tests.factories import MembershipFactory, make_kit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_candidate_answers_survive_reload_time_runs_out_submit_and_interviewer_sees_them(
    live_server, new_page, org, settings
):
    settings.TAKEHOME_GRACE_SECONDS = 0
    kit = make_kit(2)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    ivan = MembershipFactory(organization=org, role=Role.INTERVIEWER, user__username="ivan").user
    position = services.position_create(
        organization=org, created_by=None, client_company="Contoso", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    candidate = services.candidate_create(organization=org, name="Tom", email="tom@example.com")
    created = invitations.invitation_create(
        position=position, candidate=candidate, interviewers=[ivan],
        expires_at=timezone.now() + timedelta(days=1), time_limit_minutes=1,
    )  # fmt: skip
    # A shortened configuration: 8 seconds instead of a minute.
    Invitation.objects.update(time_limit_seconds=8)
    base = live_server.url

    page = new_page()
    page.goto(f"{base}/t/{created.token}/")
    assert "Start the assignment" in page.content()
    page.click("text=Start the assignment")
    page.wait_for_url(f"{base}/takehome/")
    assert created.token not in page.url
    first = page.locator("textarea").first
    first.click()
    first.type("Dispatching releases work orders to the line and assigns resources.")
    page.wait_for_selector("small.save-status:has-text('Saved')")

    page.reload()
    assert page.locator("textarea").first.input_value().startswith("Dispatching releases")

    page.wait_for_selector("text=Time is up", timeout=20_000)
    assert page.locator("textarea").first.get_attribute("readonly") is not None
    page.click("button[name=submit]")
    # The second answer is empty: the page asks before the final submit.
    page.click("#confirm-empty-submit")
    page.wait_for_selector("text=your answers are submitted")
    assert "Receipt" in page.content()

    staff = new_page()
    staff.goto(f"{base}/accounts/login/")
    staff.fill("#id_username", "ivan")
    staff.fill("#id_password", "pw-for-tests-123")
    staff.click("main button[type=submit]")
    staff.wait_for_url(f"{base}/")
    staff.goto(f"{base}/interviews/sessions/{created.invitation.session_id}/scorecard/")
    assert "Dispatching releases work orders" in staff.inner_text("main")
