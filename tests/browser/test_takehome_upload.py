"""A candidate does a take-home on a phone (390 x 844) in Chromium: reads what is recorded,
hears the timer only at a threshold, sees the deadline in their own time zone, counts words,
attaches a sketch, is warned about the empty answers before the final submit, and gets the
receipt; an interviewer then finds the sketch on the scorecard. axe-core checks every state."""

import struct
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.models import Answer, Invitation
from apps.interviews.services import invitations
from tests.factories import MembershipFactory, make_kit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def _png(path, width=40, height=30):
    """A real PNG (solid colour) built with zlib, so the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes((20, 120, 200)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def test_candidate_uploads_a_sketch_is_warned_about_empty_answers_and_submits(
    live_server, new_page, axe, org, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    kit = make_kit(3)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    ivan = MembershipFactory(organization=org, role=Role.INTERVIEWER, user__username="ivan").user
    position = services.position_create(
        organization=org, created_by=None, client_company="Contoso", title="MOM Architect",
        track=kit.track, level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    candidate = services.candidate_create(organization=org, name="Tom", email="tom@example.com")
    created = invitations.invitation_create(
        position=position, candidate=candidate, interviewers=[ivan],
        expires_at=timezone.now() + timedelta(days=2), time_limit_minutes=90,
    )  # fmt: skip
    base = live_server.url
    page = new_page(**PHONE, timezone_id="America/New_York", locale="en-US")

    page.goto(f"{base}/t/{created.token}/")
    assert "None of this is scored" in page.inner_text("main")
    axe(page, "start page")
    page.click("text=Start the assignment")
    page.wait_for_url(f"{base}/takehome/")

    # The time limit almost spent: the live region speaks once, at the 1-minute threshold.
    Invitation.objects.update(time_limit_seconds=62 + int(
        (timezone.now() - Invitation.objects.get().started_at).total_seconds()))  # fmt: skip
    page.reload()
    announce = page.locator("#timer-announce")
    assert announce.inner_text() == ""  # 30, 10 and 5 minutes passed before the page loaded
    expect(announce).to_have_text("1 minute left.", timeout=10_000)
    assert page.locator("#timer").get_attribute("aria-live") is None
    assert page.eval_on_selector("#timer", "el => getComputedStyle(el).position") == "sticky"
    Invitation.objects.update(time_limit_seconds=90 * 60)
    page.reload()

    # The deadline in the candidate's own time zone (the server wrote UTC).
    deadline = page.locator("#deadline")
    assert "UTC" not in deadline.inner_text() and (
        "EST" in deadline.inner_text() or "EDT" in deadline.inner_text()
    )
    axe(page, "answer page")

    first = page.locator("textarea").first
    first.click()
    first.type("Plant level MES feeds the ERP through ISA-95 level 3 interfaces.")
    words = page.locator(".word-count").first
    expect(words).to_have_text("11 words")
    page.wait_for_selector("small.save-status:has-text('Saved')")
    page.set_input_files("input[type=file] >> nth=0", str(_png(tmp_path / "sketch.png")))
    page.click("button[name=save]")
    page.wait_for_selector("text=Attached: sketch.png")
    answer = Answer.objects.get(item__order=0, item__session=created.invitation.session)
    assert answer.attachment_type == "image/png" and answer.attachment_size > 0
    axe(page, "answer page with a file")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # no sideways scroll

    # Questions 2 and 3 are empty: the final submit asks first.
    page.click("#final-submit")
    dialog = page.locator("#confirm-empty")
    dialog.wait_for(state="visible")
    assert dialog.locator("li").all_inner_texts() == ["Question 2", "Question 3"]
    axe(page, "empty-answer warning")
    page.click("#confirm-empty-back")
    dialog.wait_for(state="hidden")
    assert Invitation.objects.get().submitted_at is None
    page.click("#final-submit")
    dialog.wait_for(state="visible")
    page.click("#confirm-empty-submit")
    page.wait_for_selector("text=your answers are submitted")
    assert "sketch.png" in page.inner_text("main")
    assert Invitation.objects.get().submitted_at is not None
    axe(page, "receipt")

    staff = new_page()
    staff.goto(f"{base}/accounts/login/")
    staff.fill("#id_username", "ivan")
    staff.fill("#id_password", "pw-for-tests-123")
    staff.click("main button[type=submit]")
    staff.wait_for_url(f"{base}/")
    staff.goto(f"{base}/interviews/sessions/{created.invitation.session_id}/scorecard/")
    assert "sketch.png" in staff.inner_text("main")
    image = staff.locator("img.answer-image")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 40
