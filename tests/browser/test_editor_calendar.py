"""The editorial calendar in a real browser: an editor finds it from the desk, moves a
scheduled story to another day with the plain form, and sees it there; a phone shows
the month as a list of days. "Now" is pinned, as in tests/admin/test_calendar.py.
"""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from newsroom.models import Article, EditorialEvent
from tests.browser.conftest import PHONE, has_horizontal_scroll
from tests.browser.test_editor_day import sessions, staff  # noqa: F401 (fixtures)
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = ZoneInfo("Europe/Paris")
NOW = datetime(2031, 3, 12, 10, 0, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def pinned_now(settings, monkeypatch):
    settings.TIME_ZONE = "Europe/Paris"
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(UTC))


def test_an_editor_moves_a_scheduled_story_on_the_calendar(live_server, staff, sessions):  # noqa: F811
    staff("edith", "Editors")
    story = make_article(
        headline="The Le City returns for spring",
        status=Article.Status.PUBLISHED,
        published_at=datetime(2031, 3, 20, 18, 45, tzinfo=ZONE),
    )
    make_article(
        headline="Balenciaga's winter campaign, reviewed",
        published_at=datetime(2031, 3, 5, 9, 30, tzinfo=ZONE),
    )
    make_article(
        headline="A late-night drop",
        status=Article.Status.PUBLISHED,
        published_at=datetime(2031, 3, 20, 23, 30, tzinfo=ZONE),
    )

    editor = sessions("calendar-editor")
    editor.login("edith")
    page = editor.page
    editor.shot("dashboard")
    page.get_by_role("link", name="Editorial calendar").click()
    page.wait_for_url(re.compile(r"/admin/newsroom/article/calendar/"))
    assert page.locator("caption").inner_text().startswith("March 2031")
    editor.shot("calendar-month")

    cell = page.locator("#day-2031-03-20")
    assert cell.get_by_text("2 stories").is_visible()
    entry = cell.locator(f"li[data-article='{story.pk}']")
    assert entry.locator("time").inner_text() == "18:45"
    assert entry.get_by_text("Scheduled").is_visible()

    # The form is behind "Change day" in the month; no script is needed.
    entry.get_by_text("Change day").click()
    entry.get_by_label("New day").fill("2031-03-25")
    editor.shot("calendar-move")
    with page.expect_navigation():
        entry.get_by_role("button", name="Move").click()

    assert page.get_by_text("moved to Tuesday 25 March 2031, 18:45").is_visible()
    moved = page.locator("#day-2031-03-25")
    assert moved.get_by_role("link", name="The Le City returns for spring").is_visible()
    assert page.locator("#day-2031-03-20").get_by_text("The Le City returns").count() == 0
    editor.shot("calendar-moved")
    story.refresh_from_db()
    assert timezone.localtime(story.published_at) == datetime(2031, 3, 25, 18, 45, tzinfo=ZONE)
    assert story.events_log.get().action == EditorialEvent.Action.SCHEDULED

    # The story's form opens from the calendar.
    moved.get_by_role("link", name="The Le City returns for spring").click()
    page.wait_for_url(re.compile(rf"/admin/newsroom/article/{story.pk}/change/"))
    page.go_back()

    # The week, and a phone: a list of days, nothing wider than the screen.
    page.get_by_role("link", name="Week", exact=True).click()
    page.wait_for_url(re.compile(r"view=week"))
    assert page.locator("caption").inner_text().startswith("10–16 March 2031")
    page.get_by_role("link", name="Next week").click()
    page.get_by_role("link", name="Next week").click()
    page.wait_for_url(re.compile(r"date=2031-03-24"))
    assert page.locator("#day-2031-03-25").get_by_label("New day").is_visible()  # open here
    editor.shot("calendar-week")

    # The article list links to it too.
    editor.go("/admin/newsroom/article/")
    assert page.get_by_role("link", name="Calendar").is_visible()
    editor.shot("article-list")
    page.set_viewport_size(PHONE)
    editor.go("/admin/newsroom/article/calendar/")
    assert page.locator("#day-2031-03-25").is_visible()
    assert not page.locator("#day-2031-03-21").is_visible()  # an empty day
    assert not has_horizontal_scroll(page)
    editor.shot("calendar-phone")
    editor.go("/admin/newsroom/article/calendar/?view=week&date=2031-03-24")
    assert not has_horizontal_scroll(page)
    editor.shot("calendar-phone-week")
    editor.go("/admin/newsroom/article/")
    assert not has_horizontal_scroll(page)
    editor.shot("article-list-phone")
