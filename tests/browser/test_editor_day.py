"""An editor's whole day in a real browser, and two editors saving the same article.

Playwright drives Debian's Chromium against pytest-django's live server, loaded
with the three stories (``browser`` and ``stories`` come from the shared
conftest). Screenshots of every admin step land in
``artifacts/screenshots/editor/`` (not committed).
"""

import io
import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from PIL import Image

from newsroom.models import Article, Person
from tests.browser.conftest import DESKTOP, SCREENSHOTS, _serve_media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDITOR_SCREENSHOTS = SCREENSHOTS / "editor"
PASSWORD = "correct horse battery staple"
HEADLINE = "Michelle Yeoh takes the Bel Air to the opera"


@pytest.fixture
def staff(transactional_db, django_user_model):
    def make(username, group):
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, is_staff=True, first_name=username.title()
        )
        user.groups.add(Group.objects.get(name=group))
        return user

    return make


class Session:
    """One person at one browser: a context of its own, and numbered screenshots."""

    counter = 0

    def __init__(self, browser, live_server, who):
        self.context = browser.new_context(viewport=DESKTOP)
        self.context.set_default_timeout(15_000)
        self.context.route(f"{live_server.url}{settings.MEDIA_URL}**", _serve_media)
        self.page = self.context.new_page()
        self.base = live_server.url
        self.who = who

    def go(self, path):
        response = self.page.goto(self.base + path)
        assert response is not None
        return response

    def shot(self, name):
        EDITOR_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        Session.counter += 1
        path = EDITOR_SCREENSHOTS / f"{Session.counter:02d}-{self.who}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def login(self, username):
        self.go("/admin/login/?next=/admin/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r"/admin/$"))

    closed = False

    def close(self):
        """The person closes the window (pages may still send their last requests)."""
        if not self.closed:
            self.closed = True
            self.context.close()

    def shut_down(self):
        """At the end of a test: stop the pages' background requests (presence
        heartbeats, autosaves, the beacon a closing tab sends) before the test
        database is flushed, since one still inside the live server holds a lock."""
        if self.closed:
            return
        self.context.route("**/*", lambda route: route.abort())
        for page in self.context.pages:
            page.goto("about:blank")
        self.close()


@pytest.fixture
def sessions(browser, live_server):
    opened = []

    def open_session(who):
        session = Session(browser, live_server, who)
        opened.append(session)
        return session

    yield open_session
    for session in opened:
        session.shut_down()
    time.sleep(0.5)  # let a request already inside the live server finish


def lead_image(tmp_path):
    path = tmp_path / "yeoh-bel-air.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (140, 20, 40)).save(buffer, "JPEG", quality=80)
    path.write_bytes(buffer.getvalue())
    return path


def test_an_editors_day(stories, staff, sessions, tmp_path):
    staff("wanda", "Writers")
    staff("edith", "Editors")

    # A writer logs in and starts a story.
    writer = sessions("writer")
    writer.login("wanda")
    writer.shot("dashboard")
    page = writer.page
    page.get_by_role("link", name="Add article").first.click()
    page.wait_for_url(re.compile(r"/admin/newsroom/article/add/"))
    page.fill("#id_headline", HEADLINE)
    page.fill("#id_dek", "A night at the opera, and a bag that knows its way around a stage.")
    page.locator(".prose-editor .ProseMirror[contenteditable=true]").click()
    page.keyboard.type(
        "Michelle Yeoh arrived at the opera with the Bel Air on her arm. "
        "The bag, in black calfskin, matched the evening."
    )
    writer.shot("new-article")
    page.click("button[name=_continue]")
    page.wait_for_url(re.compile(r"/admin/newsroom/article/\d+/change/"))
    article = Article.objects.get(headline=HEADLINE)
    assert "Michelle Yeoh arrived at the opera" in article.body

    # The save says what the text mentions without linking it.
    writer.shot("suggestions")
    assert page.get_by_text("Michelle Yeoh and Bel Air are mentioned but not linked").is_visible()
    panel = page.locator("#mention-suggestions")
    assert panel.locator("[data-suggestion]").count() == 2

    # One click links both, in the form: no reload; the next save keeps them.
    panel.get_by_role("button", name=re.compile(r"Link all 2")).click()
    page.get_by_text("Linked and mentioned: Bel Air, Michelle Yeoh.").wait_for()
    assert page.locator("#id_people option:checked").all_inner_texts() == ["Michelle Yeoh"]
    assert page.locator("#id_products option:checked").count() == 1
    writer.shot("suggestions-linked")

    # A lead image with its alt text, and tags.
    page.set_input_files("#id_lead_image", str(lead_image(tmp_path)))
    page.fill("#id_lead_image_alt", "Michelle Yeoh on the opera steps, a black Bel Air on her arm")
    page.fill("#id_tags", "Handbags, Red carpet")
    writer.shot("image-and-tags")
    with page.expect_navigation():
        page.click("button[name=_continue]")
    article.refresh_from_db()
    assert article.lead_image and article.lead_image_alt.startswith("Michelle Yeoh on the opera")
    assert set(article.people.values_list("name", flat=True)) == {"Michelle Yeoh"}
    assert set(article.products.values_list("name", flat=True)) == {"Bel Air"}
    assert set(article.tags.names()) == {"Handbags", "Red carpet"}
    writer.shot("saved-with-image")

    # Submitted for review.
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    writer.shot("submitted")

    # An editor finds it in the review queue on the dashboard.
    editor = sessions("editor")
    editor.login("edith")
    queue = editor.page.locator("#desk-review")
    assert queue.get_by_role("link", name=HEADLINE).is_visible()
    editor.shot("review-queue")
    queue.get_by_role("link", name=HEADLINE).click()
    editor.page.wait_for_url(re.compile(r"/admin/newsroom/article/\d+/change/"))
    editor.shot("review-article")

    # Preview: the reader's page, marked as a preview, before anyone else can see it.
    preview = editor.context.new_page()
    preview.goto(editor.base + article.get_absolute_url())
    assert preview.get_by_role("heading", name=HEADLINE).is_visible()
    assert "preview" in preview.content().lower()
    preview.screenshot(path=str(EDITOR_SCREENSHOTS / "preview.png"), full_page=True)
    preview.close()

    # Publish.
    with editor.page.expect_navigation():
        editor.page.get_by_role("button", name="Publish", exact=True).click()
    article.refresh_from_db()
    assert article.is_published
    editor.shot("published")

    # A reader finds it on the home page, on Michelle Yeoh's page and on the Bel Air page.
    reader = sessions("reader")
    yeoh = Person.objects.get(name="Michelle Yeoh")
    bel_air = article.products.get(name="Bel Air")
    for path in ("/", yeoh.get_absolute_url(), bel_air.get_absolute_url()):
        reader.go(path)
        link = reader.page.locator(f'a[href="{article.get_absolute_url()}"]').first
        assert link.is_visible(), path
        reader.shot("finds-it-" + (path.strip("/").replace("/", "-") or "home"))
    reader.go(article.get_absolute_url())
    body = reader.page.locator("article").first
    assert body.locator(f'a[href="{yeoh.get_absolute_url()}"]').count() >= 1
    assert reader.page.locator('img[alt^="Michelle Yeoh on the opera steps"]').count() >= 1
    reader.shot("article")


def test_two_editors_merge_different_fields_and_are_refused_on_the_same(
    live_server, staff, sessions
):
    from tests.factories import make_article

    staff("edith", "Editors")
    staff("edgar", "Editors")
    article = make_article(headline="Le City comes back", dek="The dek.")  # no revision yet
    path = f"/admin/newsroom/article/{article.pk}/change/"

    first, second = sessions("first-editor"), sessions("second-editor")
    first.login("edith")
    second.login("edgar")
    first.go(path)
    second.go(path)
    second.shot("opened")

    # Different fields: the dek from one, the headline from the other, both kept.
    first.page.fill("#id_dek", "A sharper standfirst, saved first.")
    with first.page.expect_navigation():
        first.page.click("button[name=_continue]")
    first.shot("saved")

    second.page.fill("#id_headline", "A headline the second editor wants")
    with second.page.expect_navigation():
        second.page.click("button[name=_continue]")
    second.shot("merged")
    assert second.page.get_by_text("your changes were merged with theirs").is_visible()
    article.refresh_from_db()
    assert article.dek == "A sharper standfirst, saved first."
    assert article.headline == "A headline the second editor wants"

    # The same field: the second save is refused, and nothing is lost.
    first.go(path)
    second.go(path)
    first.page.fill("#id_dek", "Edith's dek.")
    with first.page.expect_navigation():
        first.page.click("button[name=_continue]")
    second.page.fill("#id_dek", "Edgar's dek.")
    with second.page.expect_navigation():
        second.page.click("button[name=_continue]")
    second.shot("refused")
    article.refresh_from_db()
    assert article.dek == "Edith's dek."
    assert second.page.get_by_text("after you opened it").first.is_visible()
    assert second.page.get_by_text("Dek (you changed it too)").first.is_visible()
    assert second.page.input_value("#id_dek") == "Edgar's dek."


def test_publishing_with_an_embargoed_link_asks_first(stories, staff, sessions):
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import Product

    staff("edith", "Editors")
    bag = Product.objects.get(name="Bel Air Hobo")
    bag.embargoed_until = timezone.now() + timedelta(days=3)
    bag.save()
    article = Article.objects.create(
        headline="The Hobo is coming",
        body="<p>The Bel Air Hobo arrives next week.</p>",
        status=Article.Status.REVIEW,
    )
    article.products.add(bag)

    editor = sessions("guard")
    editor.login("edith")
    editor.go(f"/admin/newsroom/article/{article.pk}/change/")
    with editor.page.expect_navigation():
        editor.page.get_by_role("button", name="Publish", exact=True).click()
    confirm = editor.page.locator("#confirm-links")
    assert confirm.get_by_text("Bel Air Hobo (product)").is_visible()
    assert confirm.get_by_text("still under embargo").first.is_visible()
    editor.shot("confirm-publish")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW

    with editor.page.expect_navigation():
        confirm.get_by_role("button", name="Yes, publish it").click()
    editor.shot("published-after-yes")
    article.refresh_from_db()
    assert article.is_published

    # The reader sees the story, without a link to the page that would answer 404.
    reader = sessions("guard-reader")
    reader.go(article.get_absolute_url())
    assert reader.page.get_by_role("heading", name="The Hobo is coming").is_visible()
    assert reader.page.locator(f'a[href="{bag.get_absolute_url()}"]').count() == 0
