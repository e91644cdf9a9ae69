"""A reader on the seeded site, in a real browser: following links, searching, on a phone."""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import DESKTOP, PHONE, _serve_media, has_horizontal_scroll, screenshot

ARTICLE = "Kim Kardashian fronts Balenciaga’s Bel Air campaign"

PAGE_TYPES = {
    "home": "/",
    "article-list": "/articles/",
    "article": "/articles/kim-kardashian-fronts-balenciagas-bel-air-campaign/",
    "person": "/people/kim-kardashian/",
    "campaign": "/campaigns/characters-bel-air/",
    "product": "/products/bel-air/",
    "brand": "/brands/balenciaga/",
    "tag": "/tags/campaigns/",
    "search": "/search/?q=bel+air",
    "not-found": "/articles/no-such-story/",
    "people": "/people/",
    "brands": "/brands/",
    "products": "/products/",
    "products-filtered": "/products/?colour=black&house=balenciaga",
    "campaigns": "/campaigns/",
    "events": "/events/",
    "tags": "/tags/",
    "series": "/campaigns/series/characters/",
    "event": "/events/balenciaga-fall-2024-presentation/",
}


def click(page, container, name):
    """Follow the link called ``name`` inside ``container`` and wait for the next page."""
    link = page.locator(container).get_by_role("link", name=name, exact=True).first
    with page.expect_navigation():
        link.click()


def test_reader_follows_the_connections_from_home_back_to_a_story(page, stories):
    page.goto(stories + "/")
    assert page.title() == "Atelier Newsroom"

    click(page, ".lead-story", ARTICLE)
    assert page.locator("h1").inner_text() == ARTICLE
    assert page.locator(".article__body a", has_text="Kardashian").count() == 1

    click(page, ".article__aside", "Kim Kardashian")
    assert page.url.endswith("/people/kim-kardashian/")
    assert page.locator("h1").inner_text() == "Kim Kardashian"
    assert page.locator(".timeline__entry").count() >= 5

    click(page, "main", "Characters: Bel Air")
    assert page.url.endswith("/campaigns/characters-bel-air/")
    assert page.get_by_role("link", name="Nadav Kander").count() >= 1

    click(page, ".cards--products", "Bel Air")
    assert page.url.endswith("/products/bel-air/")
    assert page.locator(".swatches li").count() == 3
    assert page.locator(".swatches svg rect").first.get_attribute("fill").startswith("#")

    click(page, ".entity__roles", "Balenciaga")
    assert page.url.endswith("/brands/balenciaga/")

    click(
        page,
        "#stories-title + ul, #stories-title ~ *",
        "Kim Kardashian is the new face of Balenciaga",
    )
    assert page.locator("h1").inner_text() == "Kim Kardashian is the new face of Balenciaga"

    page.go_back()
    assert page.url.endswith("/brands/balenciaga/")


def test_reader_browses_from_the_handbag_directory_to_a_face_of_the_series(page, stories):
    """Home, handbag directory, a colour, Bel Air, its show, its series, Michelle Yeoh."""
    page.goto(stories + "/")
    click(page, ".site-header", "Handbags")
    assert page.url.endswith("/products/")
    assert page.locator("h1").inner_text() == "Handbags"

    click(page, "#facet-colour + ul", "Black 1 handbags")
    assert page.url.endswith("/products/?colour=black")
    assert page.locator(".directory__items .card__title").all_inner_texts() == ["Bel Air"]

    click(page, ".directory__items", "Bel Air")
    assert page.url.endswith("/products/bel-air/")

    click(page, "#events-title + ul", "Balenciaga fall 2024 presentation")
    assert page.url.endswith("/events/balenciaga-fall-2024-presentation/")
    assert "Paris" in page.locator(".spec").inner_text()

    click(page, "#campaigns-title + ul", "Characters")
    assert page.url.endswith("/campaigns/series/characters/")
    assert page.locator("#instalments-title + ol li").count() == 2

    click(page, "#cast-title + ul", "Michelle Yeoh")
    assert page.url.endswith("/people/michelle-yeoh/")
    assert page.locator("h1").inner_text() == "Michelle Yeoh"


def test_search_box_suggests_as_the_reader_types(page, stories):
    page.goto(stories + "/brands/")
    page.get_by_role("searchbox", name="Search the site").press_sequentially("gvas", delay=30)
    suggestion = page.locator(".suggestions a", has_text="Demna")
    suggestion.wait_for()
    assert "Person" in suggestion.text_content()
    with page.expect_navigation():
        suggestion.click()
    assert page.url.endswith("/people/demna/")


def test_reader_searches_from_the_header(page, stories):
    page.goto(stories + "/people/kim-kardashian/")
    page.get_by_role("searchbox", name="Search the site").fill("Bel Air")
    with page.expect_navigation():
        page.get_by_role("searchbox", name="Search the site").press("Enter")
    assert "/search/?q=Bel+Air" in page.url
    assert page.locator("h1").inner_text() == "Results for “Bel Air”"
    assert page.locator(".hit mark").count() >= 1
    assert page.locator("#product-results ~ ul a", has_text="Bel Air").count() >= 1
    with page.expect_navigation():
        page.locator(".hit__title a").first.click()
    assert "/articles/" in page.url


def test_every_page_type_fits_a_phone_and_is_captured_at_both_widths(page, stories):
    """No sideways scrolling at 390 px, and no console error (a CSP violation, a missing
    stylesheet or image) on any page type at either width."""
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if message.type == "error" and "404" not in page.url and "no-such" not in page.url
            else None
        ),
    )
    page.on(
        "requestfailed",
        # A lazy image still loading when the test moves on is aborted, not broken.
        lambda request: (
            errors.append(f"failed: {page.url} {request.url} {request.failure}")
            if "ERR_ABORTED" not in (request.failure or "")
            else None
        ),
    )
    for width_name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        for name, path in PAGE_TYPES.items():
            response = page.goto(stories + path)
            assert response.status == (404 if name == "not-found" else 200), path
            assert not has_horizontal_scroll(page), f"{path} scrolls sideways at {width_name}px"
            screenshot(page, f"{name}-{width_name}")
    assert errors == []


def test_pages_work_without_javascript(browser, stories):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(stories + "/")
    page.get_by_role("searchbox", name="Search the site").fill("Kardashian")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").first.click()
    assert page.locator("mark").count() >= 1
    context.close()


def test_keyboard_reaches_the_skip_link_first_with_a_visible_focus(page, stories):
    page.goto(stories + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def _axe_script():
    for candidate in (
        os.environ.get("AXE_CORE_JS", ""),
        "/tmp/axe/node_modules/axe-core/axe.min.js",
        "node_modules/axe-core/axe.min.js",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.mark.skipif(_axe_script() is None, reason="axe-core is not installed (set AXE_CORE_JS)")
def test_no_accessibility_violations_at_both_widths(browser, live_server, stories):
    # The site's Content-Security-Policy forbids injected scripts; axe is injected anyway.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.route(f"{live_server.url}{settings.MEDIA_URL}**", _serve_media)
    page = context.new_page()
    problems = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for name, path in PAGE_TYPES.items():
            page.goto(stories + path)
            page.add_script_tag(path=_axe_script())
            result = page.evaluate(
                "async () => await axe.run(document, "
                "{resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', "
                "'best-practice']})"
            )
            for violation in result["violations"]:
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(f"{name}@{viewport['width']}: {violation['id']} {targets}")
    context.close()
    assert problems == [], json.dumps(problems, indent=1)


def test_json_ld_on_the_seeded_article_describes_the_story(page, stories):
    page.goto(stories + PAGE_TYPES["article"])
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    article = next(n for n in data["@graph"] if n["@type"] == "NewsArticle")
    about = {ref["@id"] for ref in article["about"]}
    assert f"{stories}/people/kim-kardashian/#person" in about
    assert any(re.search(r"/products/bel-air/#product$", i) for i in about)
