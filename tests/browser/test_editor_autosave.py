"""Autosave in a real browser: edits typed, the tab closed without saving, and the
edits offered back and restored when the story is opened again."""

import time

import pytest

from newsroom.admin.articles import ArticleAdmin
from newsroom.models import Article, ArticleAutosave
from tests.browser.test_editor_day import sessions, staff  # noqa: F401 (fixtures)
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_autosave_is_restored_after_closing_the_tab(live_server, staff, sessions, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ArticleAdmin, "autosave_seconds", 1)
    wanda = staff("wanda", "Writers")
    story = make_article(
        headline="Opera night", body="<p>Saved text.</p>", status="draft", created_by=wanda
    )
    path = f"/admin/newsroom/article/{story.pk}/change/"

    first = sessions("autosave-first")
    first.login("wanda")
    first.go(path)
    first.page.fill("#id_headline", "Opera night, and a bag that stole it")
    first.page.locator(".prose-editor .ProseMirror[contenteditable=true]").click()
    first.page.keyboard.press("End")
    first.page.keyboard.type(" Typed and never saved.")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        kept = ArticleAutosave.objects.filter(article=story).first()
        if kept and "Typed and never saved." in kept.data.get("body", ""):
            break
        time.sleep(0.3)
    else:
        pytest.fail("nothing was autosaved")
    first.close()  # the tab goes, nothing saved
    story.refresh_from_db()
    assert story.headline == "Opera night"

    again = sessions("autosave-again")
    again.login("wanda")
    again.go(path)
    offer = again.page.locator("#autosave-offer")
    assert offer.is_visible()
    again.shot("offer")
    with again.page.expect_navigation():
        offer.get_by_role("link", name="Restore them").click()
    assert again.page.input_value("#id_headline") == "Opera night, and a bag that stole it"
    body = again.page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    assert "Typed and never saved." in body.inner_text()
    again.shot("restored")
    with again.page.expect_navigation():
        again.page.click("button[name=_continue]")
    story.refresh_from_db()
    assert story.headline == "Opera night, and a bag that stole it"
    assert "Typed and never saved." in story.body
    assert story.status == Article.Status.DRAFT  # never published by an autosave
    assert not ArticleAutosave.objects.exists()
