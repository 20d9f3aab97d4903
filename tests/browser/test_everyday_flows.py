"""Everyday flows in a real browser (issue 11): a double-clicked invite creates one session and
one e-mail, the link is shown once with a copy button; signed-in pages fit a 390 px phone (the
nav folds behind "Menu", wide tables scroll in their own box); axe finds nothing."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.models import CandidateSession, Invitation
from apps.outbox.models import OutboxMessage
from tests.factories import make_kit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_double_clicked_invite_creates_one_session_and_one_email(
    live_server, new_page, org, recruiter, axe
):
    recruiter.set_password("pw-for-tests-123")
    recruiter.save()
    kit = make_kit(2)
    Question.objects.filter(kit_items__kit=kit).update(kind="written")
    position = services.position_create(
        organization=org, created_by=recruiter, client_company="Contoso", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    services.candidate_create(organization=org, name="Tom Kowalski", email="tom@example.com")
    base = live_server.url

    page = new_page()
    login(page, base, recruiter.username, "pw-for-tests-123")
    page.goto(f"{base}/interviews/positions/{position.pk}/invitations/new/")
    page.select_option("#id_candidate", label="Tom Kowalski")
    deadline = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_expires_at", deadline)
    for box in page.locator("input[name=questions]").all():
        box.check()
    axe(page, "invitation form")
    form_url = page.url
    body = page.evaluate(
        "new URLSearchParams(new FormData("
        "document.querySelector('main form[method=post]'))).toString()"
    )
    page.dblclick("main form[method=post] button[type=submit]")
    page.wait_for_selector("text=The candidate's link, shown this once")
    # Chromium may fold a double click into one navigation: send the very same form once more
    # (what a reload that re-posts does), with the page's cookies.
    again = page.request.post(
        form_url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert again.status == 302 and "/link/" in again.headers["location"]

    assert CandidateSession.objects.count() == 1
    assert Invitation.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="takehome.invitation_email").count() == 1
    link = page.input_value("#shown-once")
    assert "/t/" in link
    page.click("button[data-copy]")
    page.wait_for_selector(".copy-status:not(:empty)")
    axe(page, "invitation created")
    # A reload shows the link no more, and sends nothing.
    page.reload()
    assert page.locator("#shown-once").count() == 0
    assert "shown once already" in page.content()
    assert OutboxMessage.objects.filter(kind="takehome.invitation_email").count() == 1


def _too_wide(page) -> list[str]:
    """Elements that stick out to the right of the viewport (empty: the page fits)."""
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          if (root.scrollWidth <= root.clientWidth) return [];
          const out = [];
          for (const el of document.body.querySelectorAll("*")) {
            const r = el.getBoundingClientRect();
            let inBox = false;
            for (let p = el.parentElement; p; p = p.parentElement) {
              const o = getComputedStyle(p).overflowX;
              if (o === "auto" || o === "scroll" || o === "hidden") { inBox = true; break; }
            }
            if (!inBox && r.right > root.clientWidth + 1) {
              out.push(el.tagName + "." + el.className + " " + Math.round(r.right));
            }
          }
          return out.slice(0, 5);
        }"""
    )


def test_signed_in_pages_fit_a_390px_phone(live_server, new_page, shipped_bank, axe):
    call_command("load_demo", stdout=io.StringIO())
    session = CandidateSession.objects.filter(status=CandidateSession.Status.SCORED).first()
    base = live_server.url
    page = new_page(**PHONE)
    login(page, base, "recruiter", "demo-pass-2026")

    # The nav is folded behind "Menu"; the skip link leads to the content.
    assert not page.is_visible("#nav-links")
    page.click("label[for=nav-toggle]")
    assert page.is_visible("#nav-links")
    assert page.get_attribute("#nav-links a[href='/interviews/positions/']", "href")
    assert page.locator("a.skip-link").get_attribute("href") == "#main"

    paths = [
        "/",
        "/interviews/positions/",
        f"/interviews/positions/{session.position_id}/",
        "/interviews/candidates/",
        f"/interviews/sessions/{session.pk}/",
        f"/interviews/sessions/{session.pk}/debrief/",
        f"/interviews/applications/{session.application_id}/",
        "/interviews/mine/",
        "/bank/",
        "/bank/kits/",
    ]
    wide = []
    for path in paths:
        page.goto(base + path)
        offenders = _too_wide(page)
        if offenders:
            wide.append((path, offenders))
    assert wide == [], f"pages wider than 390 px: {wide}"
    # aria-current marks the section in the nav.
    page.goto(base + "/interviews/candidates/")
    assert (
        page.get_attribute("#nav-links a[aria-current=page]", "href") == "/interviews/candidates/"
    )
    candidate = session.candidate_id
    shipped = session.items.first().question_key
    for path in (
        "/",
        "/interviews/mine/",
        f"/interviews/candidates/{candidate}/",
        f"/interviews/candidates/{candidate}/edit/",
        f"/bank/questions/{shipped}/report/",
    ):
        page.goto(base + path)
        assert _too_wide(page) == [], path
        axe(page, f"{path} at 390 px")
