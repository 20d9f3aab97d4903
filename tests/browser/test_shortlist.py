"""A recruiter compares candidates, builds a shortlist of three and shares it; the client opens
the link in a fresh browser (no account), sees only what was allowed, records a decision, and
the recruiter sees it; once revoked, the link answers 410 naming whom to contact (issue 12)."""

from __future__ import annotations

import re

import pytest

from apps.interviews.models import Application
from apps.shortlists.models import ClientDecision
from tests.factories import make_kit, make_position
from tests.shortlists.conftest import add_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add(org, position, name, **fields) -> Application:
    return add_application(position, name, f"{name.split()[0].lower()}@example.com", **fields)


def test_recruiter_shortlists_three_shares_client_decides_then_link_is_revoked(
    live_server, new_page, axe, org, recruiter
):
    recruiter.first_name, recruiter.last_name = "Rita", "Recruiter"
    recruiter.email = "rita@acme.example"
    recruiter.save()
    position = make_position(org, make_kit(4), client_company="Contoso Foods", title="MES Lead")
    add(org, position, "Ada Lovelace", band=(60.0, 80.0), p_above=0.81)
    add(org, position, "Bob Builder", band=(58.0, 79.0), p_above=0.74, critical=True)
    add(org, position, "Cleo Ray", label="below_bar", band=(20.0, 40.0), p_above=0.004)
    add(org, position, "Dan Dropped", label="below_bar", band=(10.0, 30.0), p_above=0.001)
    base = live_server.url

    staff = new_page()
    staff.goto(f"{base}/accounts/login/")
    staff.fill("#id_username", "rita")
    staff.fill("#id_password", "pw-for-tests-123")
    staff.click("main button[type=submit]")
    staff.wait_for_url(f"{base}/")
    staff.click("nav >> text=Shortlists")
    staff.click("text=MES Lead")
    assert "These 2 candidates' bands overlap heavily" in staff.inner_text("main")
    axe(staff, "compare page")
    staff.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing sticks out
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    staff.set_viewport_size({"width": 1200, "height": 900})
    for name in ("Ada Lovelace", "Bob Builder", "Cleo Ray"):
        staff.get_by_label(f"Pick {name}").check()
    staff.fill("#id_title", "MES leads for Contoso")
    staff.click("text=Create a shortlist of the picked candidates")
    staff.wait_for_selector("h1:has-text('MES leads for Contoso')")
    staff.get_by_label("Summary for the client").first.fill("Ran genealogy for two plants.")
    staff.click("text=Save the summaries")
    staff.wait_for_selector("text=Shortlist saved.")
    axe(staff, "shortlist page")
    staff.fill("#id_contact_name", "Carla Client")
    staff.fill("#id_contact_email", "carla@contoso.example")
    staff.get_by_label("Critical red flags").uncheck()  # the client will not see flags
    staff.click("text=Create the link")
    url = staff.input_value("#share-url")
    assert re.fullmatch(rf"{re.escape(base)}/s/[A-Za-z0-9_-]{{40,}}/", url)
    axe(staff, "link created")

    client = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    response = client.goto(url)
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    text = client.inner_text("main")
    for name in ("Ada Lovelace", "Bob Builder", "Cleo Ray"):
        assert name in text
    assert "Dan Dropped" not in text and "Log out" not in client.content()
    assert "Ran genealogy for two plants." in text and "81% likely above the bar" in text
    assert "Skipped lockout-tagout" not in text and "Critical red flags" not in text
    assert client.evaluate("document.documentElement.scrollWidth") <= 390
    axe(client, "client share page")
    ada = client.locator("article", has_text="Ada Lovelace")
    ada.get_by_label("Interview").check()
    ada.get_by_label("Comment").fill("Please book a panel next week.")
    ada.get_by_role("button", name="Record the decision on Ada Lovelace").click()
    client.wait_for_selector("text=Your decision on Ada Lovelace is recorded.")
    assert ClientDecision.objects.get().decision == "interview"

    staff.goto(f"{base}/shortlists/")
    staff.click("text=MES leads for Contoso")
    main = staff.inner_text("main")
    assert "Interview by Carla Client" in main and "Please book a panel next week." in main
    assert "Advanced" in main  # the pipeline state moved
    staff.click("button:has-text('Revoke')")
    staff.wait_for_selector("text=The link for Carla Client is revoked.")

    response = client.goto(url)
    assert response.status == 410
    gone = client.inner_text("main")
    assert "no longer works" in gone and "Rita Recruiter (rita@acme.example)" in gone
    assert "Ada Lovelace" not in gone
    axe(client, "revoked link")
