"""Real Chromium (Debian's package) driven by Playwright against pytest-django's live_server.

Without /usr/bin/chromium or Playwright the tests skip locally and fail under
REQUIRE_SERVICES=1. On failure a screenshot lands in test-results/<test name>.png.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import missing_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (setting up people, asserting on rows) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("Playwright for Python is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, request):
    """Open pages in fresh contexts (one per person); screenshot them all on failure."""
    pages = []

    def make(**options):
        # Desktop by default; a phone, e.g.: viewport={"width": 390, "height": 844},
        # has_touch=True, is_mobile=True.
        options.setdefault("viewport", {"width": 1200, "height": 900})
        context = browser.new_context(**options)
        page = context.new_page()
        page.set_default_timeout(15_000)
        pages.append(page)
        return page

    yield make
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        for i, page in enumerate(pages):
            page.screenshot(path=str(RESULTS / f"{request.node.name}-{i}.png"), full_page=True)
    for page in pages:
        page.context.close()


@pytest.fixture(scope="session")
def axe():
    """``axe(page, label)`` runs axe-core (bundled by axe-playwright-python, no internet) on the
    page as it is now and fails on any violation, listing rule, impact and the first nodes."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        missing_service("axe-playwright-python is not installed")
    runner = Axe()

    def check(page, label: str = "") -> None:
        violations = runner.run(page).response["violations"]
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
            for v in violations
        ]
        assert not violations, f"axe-core on {label or page.url}:\n" + "\n".join(lines)

    return check
