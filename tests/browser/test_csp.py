"""The strict Content-Security-Policy breaks nothing: pages (the API docs' Swagger UI too) run
in a real browser without a single policy violation, and the shown-once secret still selects
itself on focus now that the handler lives in a static file."""

import pytest

from apps.accounts.models import Role
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-123"


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: {m.text}")
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_pages_run_under_the_policy_without_violations(live_server, new_page, org):
    MembershipFactory(organization=org, role=Role.ADMIN, user__username="olga")
    base = live_server.url
    page = new_page()
    problems = _watch(page)

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    for path in ["/", "/bank/", "/bank/kits/", "/interviews/positions/"]:
        page.goto(base + path)

    page.goto(f"{base}/settings/api-keys/")
    page.fill("#id_name", "Greenhouse")
    page.click("form:not(.inline) button[type=submit]")
    secret = page.locator("input[data-select-on-focus]")
    secret.focus()
    selected = page.evaluate(
        "() => { const i = document.querySelector('input[data-select-on-focus]');"
        " return i.selectionEnd - i.selectionStart; }"
    )
    assert selected == len(secret.input_value()) > 0

    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)

    assert problems == []
