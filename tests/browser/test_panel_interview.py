"""A recruiter briefs a role and books a panel; two interviewers score blind; the recruiter
reads the debrief. All in a real browser against a live server."""

import re

import pytest

from apps.accounts.models import Role
from apps.interviews.models import CandidateSession
from tests.factories import MembershipFactory, make_kit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-123"


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def score_all(page, value: str, recommendation: str):
    for group in page.locator("fieldset.criterion").all():
        group.locator(f"input[type=radio][value='{value}']").check()
    page.select_option("#id_recommendation", recommendation)
    page.click("button[name=submit]")
    page.wait_for_selector("text=Scorecard submitted")


def test_recruiter_briefs_books_panel_and_reads_blind_debrief(live_server, new_page, org):
    kit = make_kit(3)
    MembershipFactory(organization=org, role=Role.RECRUITER, user__username="rita")
    MembershipFactory(
        organization=org, role=Role.INTERVIEWER, user__username="ivan", user__first_name="Ivan"
    )
    MembershipFactory(
        organization=org, role=Role.INTERVIEWER, user__username="ines", user__first_name="Ines"
    )
    base = live_server.url

    # The recruiter writes the role brief, checks it, saves it.
    rec = new_page()
    login(rec, base, "rita")
    rec.goto(f"{base}/interviews/positions/new/")
    rec.fill("#id_client_company", "Contoso Foods")
    rec.fill("#id_title", "MES Engineer")
    rec.select_option("#id_track", str(kit.track.pk))
    rec.select_option("#id_level", str(kit.level.pk))
    rec.fill(
        "#id_job_description",
        "Own work order dispatching, shop floor data collection and genealogy on our lines.",
    )
    rec.click("button[name=check]")
    rec.wait_for_selector("text=Role-brief check")
    rec.click("button[name=save]")
    rec.wait_for_selector("text=Role brief saved.")
    position_url = rec.url

    # Adds the candidate, then books a live panel with both interviewers.
    rec.goto(f"{base}/interviews/candidates/new/")
    rec.fill("#id_name", "Priya Natarajan")
    rec.fill("#id_email", "priya@example.com")
    rec.click("main button[type=submit]")
    rec.wait_for_selector("text=Candidate Priya Natarajan added.")
    rec.goto(position_url)
    rec.select_option("#id_candidate", label="Priya Natarajan")
    rec.check("text=Ivan")
    rec.check("text=Ines")
    rec.click("text=Create session")
    rec.wait_for_selector("text=the kit is frozen into it")
    session = CandidateSession.objects.get()
    assert session.items.count() == 3

    # Ivan scores first; before Ines submits he cannot open the debrief.
    ivan = new_page()
    login(ivan, base, "ivan")
    ivan.click("text=My interviews")
    ivan.click("text=Priya Natarajan")
    assert "read-only" not in ivan.content()
    scorecard_url = ivan.url
    # Drafts save as they go, field by field: a second, stale tab editing another field does
    # not overwrite the first tab's rating.
    stale = ivan.context.new_page()
    stale.goto(scorecard_url)
    ivan.locator("fieldset.criterion").first.locator("input[value='2']").check()
    ivan.wait_for_selector("#save-status:has-text('Draft saved')")
    stale.locator("textarea").first.fill("Strong on dispatching; vague on genealogy.")
    stale.wait_for_selector("#save-status:has-text('Draft saved')", timeout=10_000)
    ivan.reload()
    assert ivan.locator("fieldset.criterion").first.locator("input[value='2']").is_checked()
    assert ivan.locator("textarea").first.input_value().startswith("Strong on dispatching")
    stale.close()
    score_all(ivan, "3", "yes")

    ines = new_page()
    login(ines, base, "ines")
    # Blind: before her own scorecard, the debrief answers 404 (the friendly page, no verdict).
    response = ines.goto(f"{base}/interviews/sessions/{session.pk}/debrief/")
    assert response is not None and response.status == 404
    assert ines.title().startswith("Page not found")
    assert "likely above the bar" not in ines.content()
    ines.goto(f"{base}/interviews/sessions/{session.pk}/scorecard/")
    assert "Ivan" not in ines.inner_text("main")
    score_all(ines, "4", "strong_yes")

    # The recruiter reads the debrief: label and band first.
    rec.goto(f"{base}/interviews/sessions/{session.pk}/debrief/")
    verdict = rec.inner_text("section.verdict")
    session.refresh_from_db()
    low, high = session.result["band"]
    assert re.search(
        r"Decision: (Above the bar|Below the bar|Borderline|Incomplete evidence)", verdict
    )
    assert f"{low}\u2013{high}" in verdict
    assert "Strong yes" in rec.inner_text("main") and "Yes" in rec.inner_text("main")
    assert session.status == "scored"
