"""Shared fixtures for browser tests: Debian's Chromium driven by Playwright against
pytest-django's live server.

* ``browser``: one Chromium for the whole session. Skips the test when Chromium or
  Playwright is missing, unless ``REQUIRE_BROWSER=1`` (CI), where it fails instead.
* ``page``: a fresh browser context and page per test (1280 x 900), with uploaded
  media served from the test's ``MEDIA_ROOT``.
* ``stories``: the live server's URL with the ``stories`` fixture loaded.
* ``screenshot(page, name)``: saves a full-page PNG to ``artifacts/screenshots/``.

Every test here is marked ``browser`` automatically.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; Django must allow ORM use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium is not installed at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _serve_media(route):
    """Answer /media/ requests from the current MEDIA_ROOT (a temporary folder per test)."""
    relative = unquote(urlparse(route.request.url).path)[len(settings.MEDIA_URL) :]
    root = Path(settings.MEDIA_ROOT).resolve()
    file = (root / relative).resolve()
    if root in file.parents and file.is_file():
        route.fulfill(path=str(file))
    else:
        route.fulfill(status=404, body="Not found")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    context.route(f"{live_server.url}{settings.MEDIA_URL}**", _serve_media)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def stories(live_server, transactional_db):
    """The live server's base URL, with the three stories and everything they mention."""
    call_command("loaddata", "stories", verbosity=0)
    return live_server.url


def screenshot(page, name):
    """Save a full-page screenshot (lazy images loaded first) as artifacts/screenshots/name.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate(
        """async () => {
            for (const img of document.querySelectorAll('img[loading="lazy"]')) {
                img.loading = "eager";
            }
            await Promise.all([...document.images].map(img => img.complete ? null :
                new Promise(done => { img.onload = img.onerror = done; })));
        }"""
    )
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def has_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
