"""A recruiter builds a position from a shipped plan, copies its panel kit in the kit builder,
swaps one question, puts the copy on the position's panel stage and reads the preview. All in a
real browser against a live server, on the shipped bank."""

import re

import pytest

from apps.accounts.models import Role
from apps.bank.models import Kit, Question, Track
from apps.interviews.models import Position
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-123"


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def swap_for(kit: Kit) -> tuple[Question, Question]:
    """A plant question of the kit, and a published plant question not in it that keeps the
    kit's rules: same competency where the bank has one, a live kind, no longer, within a
    level of the target. Chosen from the bank as it is, so content edits do not break this."""
    items = list(kit.items.select_related("question").order_by("order"))
    keys = {i.question.key for i in items}
    for item in items:
        out = item.question
        if out.track_id != kit.track_id:
            continue
        candidates = (
            Question.objects.latest()
            .published()
            .filter(
                organization__isnull=True,
                track=kit.track,
                kind__in=["oral", "scenario"],
                expected_minutes__lte=out.expected_minutes,
                level__number__range=(kit.level_id - 1, kit.level_id + 1),
            )
            .exclude(key__in=keys)
            .order_by("-competency_id", "key")
        )
        same = candidates.filter(competency=out.competency).first()
        replacement = same or candidates.first()
        if replacement is not None:
            return out, replacement
    raise AssertionError(f"no swap found for {kit.key}")


def test_recruiter_swaps_a_question_of_the_panel_kit_and_reads_the_preview(
    live_server, new_page, org, shipped_bank
):
    MembershipFactory(organization=org, role=Role.RECRUITER, user__username="rita")
    base = live_server.url
    page = new_page()
    # No script error and no Content-Security-Policy violation on any page of the flow.
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    login(page, base, "rita")

    # A position for a plant L2 engineer: track and level suggest the shipped plan, whose
    # stages are copied into the position.
    page.goto(f"{base}/interviews/positions/new/")
    page.fill("#id_client_company", "Contoso Foods")
    page.fill("#id_title", "MES Engineer")
    page.select_option("#id_track", value=str(Track.objects.get(key="plant").pk))
    page.select_option("#id_level", value="2")
    page.fill(
        "#id_job_description",
        "Own work order dispatching, shop floor data collection and genealogy on our lines.",
    )
    page.click("button[name=save]")
    page.wait_for_selector("text=Role brief saved.")
    position = Position.objects.get(organization=org)
    stages = list(position.stages.select_related("kit").order_by("order"))
    assert position.plan.key == "plant-l2" and len(stages) >= 2
    panel = next(s for s in stages if s.name == "Panel")
    shipped_kit = panel.kit
    assert shipped_kit.organization_id is None

    # The position's plan page, as shipped: it meets the rules.
    page.click("text=Edit the plan and see what it can decide")
    page.wait_for_selector("#preview-title")
    assert "likely above the bar" in page.inner_text("main")

    # To the kit builder: open the panel's kit and copy it.
    page.goto(f"{base}/interviews/positions/{position.pk}/")
    page.click(f"main a:has-text('{shipped_kit.name}')")
    page.wait_for_selector("h1")
    assert "Shipped kits are read-only" in page.inner_text("main")
    page.click("text=Copy this kit")
    assert page.input_value("#id_key") == f"{shipped_kit.key}-{org.slug}"
    page.fill("#id_name", "Contoso panel")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Kit builder: Contoso panel")
    copy = Kit.objects.get(organization=org, name="Contoso panel")
    assert copy.items.count() == shipped_kit.items.count()
    summary = page.inner_text("#summary")
    assert "Expected time:" in summary and "Track balance" in summary and "Levels:" in summary

    # Swap one question: remove a plant question, find another in the bank and add it.
    out, new = swap_for(copy)
    page.click(f"button[aria-label='Remove {out.key}']")
    page.wait_for_selector(f"text=Removed {out.key}.")
    assert page.locator(f"#item-{out.key}").count() == 0
    page.fill("#filter_q", new.key)
    page.select_option("#filter_track", value="plant")
    page.click("#bank button:has-text('Filter')")
    page.click(f"button[aria-label='Add {new.key}']")
    page.wait_for_selector(f"text=Added {new.key}.")
    assert page.locator(f"#item-{new.key}").count() == 1
    # The filters survive the add.
    assert page.input_value("#filter_q") == new.key
    # Move the new question up one place, then save the kit.
    page.click(f"button[aria-label='Move {new.key} up']")
    page.click("button[name=save]")
    page.wait_for_selector("text=Kit saved.")
    keys = list(copy.items.order_by("order").values_list("question__key", flat=True))
    assert out.key not in keys and keys[-2] == new.key
    preview = page.inner_text("section[aria-labelledby=preview-title]")
    assert re.search(r"\d+% likely above the bar", preview)
    assert "Track fit decidable" in preview
    assert "in place of its stage Panel" in page.inner_text("main")

    # Put the copy on the position's panel stage and read the plan's preview.
    page.goto(f"{base}/interviews/positions/{position.pk}/plan/")
    fieldset = page.locator("fieldset", has=page.locator("legend", has_text="Panel"))
    fieldset.locator("select[name$='-kit']").select_option(value=str(copy.pk))
    page.click("text=Save the plan")
    page.wait_for_selector("text=Interview plan saved.")
    panel.refresh_from_db()
    assert panel.kit == copy
    preview = page.inner_text("section[aria-labelledby=preview-title]")
    match = re.search(r"A consistent 3 .*?(\d+)% likely above the bar", preview)
    assert match, preview
    assert re.search(r"Track fit decidable: (yes|no)", preview)
    assert errors == []
