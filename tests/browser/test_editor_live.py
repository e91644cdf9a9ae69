"""Live mention suggestions in a real browser: the panel follows the text as it is
typed, linking changes the form with no reload and no lost text, and an unknown
name becomes a new person through the admin's add popup, prefilled.
"""

import re

import pytest

from newsroom.models import Article, Person
from tests.browser.test_editor_day import sessions, staff  # noqa: F401 (fixtures)
from tests.factories import make_article, make_brand, make_person, make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "Michelle Yeoh carried the Bel Air past Anna Wintour."


def test_typing_suggests_and_linking_keeps_the_text(live_server, staff, sessions):  # noqa: F811
    wanda = staff("wanda", "Writers")
    make_person(name="Michelle Yeoh")
    make_product(name="Bel Air", brand=make_brand(name="Balenciaga"))
    story = make_article(
        headline="A night at the opera",
        body="<p>First draft.</p>",
        status=Article.Status.DRAFT,
        created_by=wanda,
    )
    writer = sessions("live")
    writer.login("wanda")
    writer.go(f"/admin/newsroom/article/{story.pk}/change/")
    page = writer.page
    page.evaluate("window.__samePage = true")

    # Typing, not saving: the suggestion appears.
    body = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" " + TYPED)
    panel = page.locator("#mention-suggestions")
    panel.locator('[data-suggestion^="people:"]').wait_for()
    assert panel.get_by_text("is mentioned but not linked").first.is_visible()
    assert panel.locator("[data-unknown='Anna Wintour']").is_visible()
    story.refresh_from_db()
    assert TYPED not in story.body  # nothing was saved
    writer.shot("typed-suggestions")

    # Linking changes the form's selection in place.
    panel.get_by_role("button", name="Link Michelle Yeoh").click()
    page.get_by_text("Linked and mentioned: Michelle Yeoh.").wait_for()
    assert page.evaluate("window.__samePage") is True  # no reload
    assert page.locator("#id_people option:checked").all_inner_texts() == ["Michelle Yeoh"]
    assert TYPED in body.inner_text()  # no lost text
    writer.shot("linked-in-place")

    # An unknown name becomes a new person, through the prefilled add popup.
    with page.expect_popup() as opened:
        panel.locator("[data-unknown='Anna Wintour']").get_by_role(
            "link", name="+ New person"
        ).click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.input_value("#id_name") == "Anna Wintour"
    assert popup.input_value("#id_slug") == "anna-wintour"
    popup.locator("button[name=_save]").click()
    popup.wait_for_event("close")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#id_people option:checked')].length === 2"
    )
    page.get_by_text(re.compile(r"Linked and mentioned: Anna Wintour, Michelle Yeoh")).wait_for()
    writer.shot("created-in-popup")

    # Saving keeps text and links together.
    with page.expect_navigation():
        page.click("button[name=_continue]")
    story.refresh_from_db()
    assert TYPED in story.body
    assert set(story.people.values_list("name", flat=True)) == {"Michelle Yeoh", "Anna Wintour"}
    assert Person.objects.filter(slug="anna-wintour").exists()
