"""An interviewer scores a 6-question live interview on a phone (390x844) in interview mode,
marks one question not asked and submits; the test counts taps and screens, checks that every
question's rating buttons fit the screen without scrolling, runs axe-core on each page state
it visits, and checks that the score leaves the not-asked question out."""

import pytest

from apps.accounts.models import Role
from apps.interviews import services
from apps.interviews.models import ItemNote, Rating, Scorecard
from apps.interviews.services import scoring
from tests.factories import MembershipFactory, make_kit, make_position

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-123"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
NOT_ASKED = 2  # the third question


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def fits_screen(page, selector: str) -> bool:
    """On screen as the page stands, below the sticky progress bar and index."""
    head = page.locator(".iv-head").bounding_box()
    box = page.locator(selector).bounding_box()
    top = head["y"] + head["height"]
    return box is not None and box["y"] >= top and box["y"] + box["height"] <= 844


def test_interviewer_scores_six_questions_on_a_phone_one_not_asked(live_server, new_page, org, axe):
    kit = make_kit(6)
    ivan = MembershipFactory(
        organization=org, role=Role.INTERVIEWER, user__username="ivan", user__first_name="Ivan"
    ).user
    position = make_position(org, kit, job_description="Shop floor MES.")
    candidate = services.candidate_create(
        organization=org, name="Priya Natarajan", email="priya@example.com"
    )
    session = services.session_create(
        position=position, candidate=candidate, interviewers=[ivan], created_by=None
    )
    items = list(session.items.order_by("order"))
    base = live_server.url

    page = new_page(**PHONE)
    login(page, base, "ivan")
    # Prep mode before the interview: the whole kit with guidance.
    page.goto(f"{base}/interviews/sessions/{session.pk}/scorecard/prep/")
    page.wait_for_selector("text=Prepare the interview")
    axe(page, "prep mode (phone)")

    taps = 0
    screens = 1  # the prep page
    page.tap("text=Start interview mode")
    taps += 1
    page.wait_for_selector("#iv-progress")
    screens += 1
    assert page.inner_text("#iv-progress") == "0/6 rated"
    axe(page, "interview mode, question 1 (phone)")
    page.tap("#iv-timer-toggle")
    taps += 1
    assert page.inner_text("#iv-timer-toggle") == "Pause"

    for n, item in enumerate(items):
        section = f"#q-{item.pk}"
        assert page.locator(section).is_visible()
        # One question per screen: the others are hidden, and this one's rating buttons (and
        # the "Not asked" switch) are on screen without scrolling.
        assert page.locator(".iv-q:visible").count() == 1
        assert fits_screen(page, f"{section} label[for='na-{item.pk}']")
        for crit in item.rubric:
            assert fits_screen(page, f"label[for='r-{item.pk}-{crit['key']}-4']"), (n, crit)
        if n == NOT_ASKED:
            page.tap(f"label[for='na-{item.pk}']")
            taps += 1
            assert page.locator(f"{section} fieldset.iv-crit[disabled]").count() == len(item.rubric)
            axe(page, "interview mode, a question marked not asked (phone)")
        else:
            for crit in item.rubric:
                page.tap(f"label[for='r-{item.pk}-{crit['key']}-3']")
                taps += 1
                anchor = crit["anchors"]["3"]
                assert page.inner_text(f"#r-{item.pk}-{crit['key']}-chosen") == anchor
        page.wait_for_selector("#save-status:has-text('Draft saved')")
        page.tap(f"{section} button[data-go='1']")
        taps += 1
        screens += 1

    # The finish screen: the progress count leaves the not-asked question out.
    assert page.inner_text("#iv-progress") == "5/5 rated · 1 not asked"
    assert page.locator("#q-finish").is_visible()
    axe(page, "interview mode, finish screen (phone)")
    page.select_option("#id_recommendation", "yes")
    taps += 2  # open the list, pick "Yes"
    page.wait_for_selector("#save-status:has-text('Draft saved')")
    page.tap("button[name=submit]")
    taps += 1
    page.wait_for_selector("text=Scorecard submitted")
    screens += 1
    print(f"\nInterview mode at 390x844, 6 questions (1 not asked): {taps} taps, {screens} screens")

    card = Scorecard.objects.get(session=session, interviewer=ivan)
    assert card.is_submitted and card.recommendation == "yes"
    skipped = items[NOT_ASKED]
    assert ItemNote.objects.get(scorecard=card, item=skipped).not_asked
    assert not Rating.objects.filter(scorecard=card, item=skipped).exists()
    assert Rating.objects.filter(scorecard=card).count() == sum(
        len(i.rubric) for n, i in enumerate(items) if n != NOT_ASKED
    )
    data = scoring._load_inputs([session.pk])[session.pk]
    scored = {i.id for i in scoring._engine_items(session.mode, data)}
    assert skipped.question_key not in scored and len(scored) == 5
    session.refresh_from_db()
    assert session.status == "scored" and session.result["scorecards"] == 1
    # Taps: start + timer + 5 questions x criteria + 1 not asked + 6 "Next" + 3 to finish.
    per_question = len(items[0].rubric)
    assert taps == 2 + 5 * per_question + 1 + 6 + 3
    assert screens == 9
