"""Sending a story back with a note, in a real browser: the editor must write one,
and the writer finds it on their desk and at the top of the story until they resubmit.
"""

import re

import pytest

from newsroom.models import Article, EditorialEvent
from tests.browser.test_editor_day import sessions, staff  # noqa: F401 (fixtures)
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Please check the price of the Bel Air before this runs."


def test_a_note_sent_back_is_seen_by_the_writer(live_server, staff, sessions):  # noqa: F811
    wanda = staff("wanda", "Writers")
    staff("edith", "Editors")
    story = make_article(
        headline="Bel Air at the opera", status=Article.Status.REVIEW, created_by=wanda
    )
    path = f"/admin/newsroom/article/{story.pk}/change/"

    editor = sessions("notes-editor")
    editor.login("edith")
    editor.go(path)
    page = editor.page

    # Without a note, nothing happens but a clear refusal.
    with page.expect_navigation():
        page.get_by_role("button", name="Return to draft").click()
    assert page.get_by_text("a note is required to send a story back").first.is_visible()
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    editor.shot("return-without-note")

    page.fill("#id_return_note", NOTE)
    with page.expect_navigation():
        page.get_by_role("button", name="Return to draft").click()
    assert page.get_by_text("Sent back to the writer with your note").is_visible()
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT

    # The writer sees it on the desk and on the story.
    writer = sessions("notes-writer")
    writer.login("wanda")
    drafts = writer.page.locator("#desk-drafts")
    assert drafts.get_by_text(f"Sent back by Edith: {NOTE}").is_visible()
    assert drafts.get_by_text("1 draft", exact=True).is_visible()
    writer.shot("desk-sent-back")
    drafts.get_by_role("link", name="Bel Air at the opera").click()
    writer.page.wait_for_url(re.compile(r"/admin/newsroom/article/\d+/change/"))
    banner = writer.page.locator("#change-request")
    assert banner.is_visible()
    assert NOTE in banner.inner_text() and "Sent back by Edith" in banner.inner_text()
    writer.shot("story-sent-back")

    # Resubmitting closes it.
    with writer.page.expect_navigation():
        writer.page.get_by_role("button", name="Submit for review").click()
    assert writer.page.locator("#change-request").count() == 0
    assert EditorialEvent.objects.get(action=EditorialEvent.Action.RETURNED).closed_at
    writer.shot("resubmitted")
