"""The editorial calendar: stories by local day, and editors moving scheduled ones.

"Now" is pinned to Wednesday 12 March 2031, 10:00 in New York (the site's zone
here), so days, weeks and "the past" never depend on the real clock. New York is
behind UTC: a story at 23:30 local time is stored on the next UTC day.
"""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.admin import calendar as newsroom_calendar
from newsroom.models import Article, EditorialEvent
from tests.factories import make_article, make_person

pytestmark = pytest.mark.django_db

ZONE = "America/New_York"
NOW = datetime(2031, 3, 12, 10, 0, tzinfo=ZoneInfo(ZONE))
CALENDAR = "admin:newsroom_article_calendar"
MOVE = "admin:newsroom_article_calendar_move"


@pytest.fixture(autouse=True)
def pinned_now(settings, monkeypatch):
    settings.TIME_ZONE = ZONE
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(UTC))


def at(year, month, day, hour=12, minute=0, zone=ZONE):
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def calendar(client, **params):
    response = client.get(reverse(CALENDAR), params)
    assert response.status_code == 200
    return response


def cell(response, day):
    """The HTML of one day's cell."""
    match = re.search(rf'<td id="day-{day}"(.*?)</td>', response.content.decode(), flags=re.DOTALL)
    assert match, f"no cell for {day}"
    return match.group(1)


def change_url(article):
    return reverse("admin:newsroom_article_change", args=[article.pk])


def move(client, article, day, *, view="month", shown="2031-03-01"):
    return client.post(
        reverse(MOVE), {"article": article.pk, "day": day, "view": view, "date": shown}
    )


def scheduled(**kwargs):
    kwargs.setdefault("published_at", at(2031, 3, 20, 18, 45))
    return make_article(status=Article.Status.PUBLISHED, **kwargs)


# --- What the calendar shows ------------------------------------------------------


def test_month_shows_published_and_scheduled_stories_on_their_local_day(editor_client):
    live = make_article(headline="Runway report", published_at=at(2031, 3, 3, 9, 15))
    late = scheduled(headline="Late-night drop", published_at=at(2031, 3, 20, 23, 30))
    assert late.published_at.astimezone(UTC).day == 21  # the UTC day is the next one

    response = calendar(editor_client)

    assert response.context["period"].start == date(2031, 3, 1)
    assert "March 2031" in response.content.decode()
    runway = cell(response, "2031-03-03")
    assert change_url(live) in runway and "Runway report" in runway
    assert "09:15" in runway and "Published" in runway
    drop = cell(response, "2031-03-20")
    assert change_url(late) in drop and "Late-night drop" in drop
    assert "23:30" in drop and "Scheduled" in drop
    assert "Late-night drop" not in cell(response, "2031-03-21")


def test_a_story_just_after_local_midnight_sits_on_its_local_day(editor_client, settings):
    """East of UTC, 00:30 local time is still the previous UTC day."""
    settings.TIME_ZONE = "Europe/Paris"
    story = scheduled(headline="Paris at dawn", published_at=at(2031, 3, 18, 0, 30, "Europe/Paris"))
    response = calendar(editor_client)
    assert change_url(story) in cell(response, "2031-03-18")
    assert "Paris at dawn" not in cell(response, "2031-03-17")


def test_month_grid_is_made_of_whole_weeks_from_monday(editor_client):
    response = calendar(editor_client, date="2031-03-15")
    weeks = response.context["weeks"]
    assert weeks[0].days[0].date == date(2031, 2, 24)  # the Monday before 1 March
    assert weeks[-1].days[-1].date == date(2031, 4, 6)
    assert all(len(week.days) == 7 for week in weeks)
    assert not weeks[0].days[0].in_period
    content = response.content.decode()
    assert (
        "<caption>" in content and '<th scope="col"><abbr title="Monday">Mon</abbr></th>' in content
    )
    assert 'aria-current="date"' in cell(response, "2031-03-12")


def test_week_view_shows_that_week_only(editor_client):
    inside = scheduled(headline="Thursday story", published_at=at(2031, 3, 20, 23, 30))
    scheduled(headline="Next week's story", published_at=at(2031, 3, 24, 9, 0))
    response = calendar(editor_client, view="week", date="2031-03-19")
    period = response.context["period"]
    assert (period.start, period.end) == (date(2031, 3, 17), date(2031, 3, 23))
    content = response.content.decode()
    assert "17–23 March 2031" in content
    assert change_url(inside) in cell(response, "2031-03-20")
    assert "Next week&#x27;s story" not in content and "Next week's story" not in content


def test_period_links_previous_next_and_today(editor_client):
    response = calendar(editor_client, view="week", date="2031-03-31")
    context = response.context
    assert context["previous_url"].endswith("?view=week&date=2031-03-24")
    assert context["next_url"].endswith("?view=week&date=2031-04-07")
    assert context["today_url"].endswith("?view=week&date=2031-03-12")
    month = calendar(editor_client, date="2031-01-20").context
    assert month["previous_url"].endswith("?view=month&date=2030-12-01")
    assert month["next_url"].endswith("?view=month&date=2031-02-01")


def test_drafts_and_stories_in_review_are_not_on_the_calendar(editor_client):
    make_article(headline="Unfinished draft", status=Article.Status.DRAFT, published_at=None)
    make_article(
        headline="Waiting for review", status=Article.Status.REVIEW, published_at=at(2031, 3, 14)
    )
    content = calendar(editor_client).content.decode()
    assert "Unfinished draft" not in content
    assert "Waiting for review" not in content


def test_counts_say_story_and_stories(editor_client):
    make_article(headline="One", published_at=at(2031, 3, 4, 9))
    scheduled(headline="Two", published_at=at(2031, 3, 20, 9))
    scheduled(headline="Three", published_at=at(2031, 3, 20, 15))
    response = calendar(editor_client)
    assert "1 story<" in cell(response, "2031-03-04")
    assert "2 stories<" in cell(response, "2031-03-20")
    assert "3 stories: 1 published, 2 scheduled" in response.content.decode()
    empty = calendar(editor_client, date="2031-07-01").content.decode()
    assert "No stories" in empty


@pytest.mark.parametrize(
    "published, scheduled, text",
    [
        (0, 0, "No stories"),
        (1, 0, "1 story, published"),
        (0, 1, "1 story, scheduled"),
        (2, 0, "2 stories, all published"),
        (0, 5, "5 stories, all scheduled"),
        (1, 1, "2 stories: 1 published, 1 scheduled"),
    ],
)
def test_period_summary_words(published, scheduled, text):
    assert newsroom_calendar.summary(published, scheduled) == text


@pytest.mark.parametrize(
    "query",
    [
        "date=2031-13-45",
        "date=yesterday",
        "date=0001-01-01",
        "date=9999-12-31",
        "date=2031-03-12%00",
        "date=" + "9" * 5000,
        "view=year",
        "view=<script>&date=<script>",
        "view=week&view=month&date=&date=",
        "date[]=2031-01-01",
    ],
)
def test_hostile_query_values_show_the_current_period(editor_client, query):
    response = editor_client.get(f"{reverse(CALENDAR)}?{query}")
    assert response.status_code == 200
    assert response.context["period"].start == date(2031, 3, 1)
    assert "<script>" not in response.content.decode().split('id="editorial-calendar"')[1]


def test_bad_date_in_week_view_shows_the_current_week(editor_client):
    response = editor_client.get(reverse(CALENDAR), {"view": "week", "date": "2031-02-30"})
    assert response.status_code == 200
    assert response.context["period"].start == date(2031, 3, 10)


def test_the_first_month_has_no_link_before_it(editor_client):
    response = calendar(editor_client, date="1900-01-15")
    assert response.context["previous_url"] == ""
    assert response.context["next_url"]


def test_query_count_does_not_grow_with_the_stories(editor_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            calendar(editor_client)
        return len(captured)

    make_article(published_at=at(2031, 3, 2, 9))
    one = queries()
    for day in range(3, 28):
        make_article(published_at=at(2031, 3, day, 9))
        scheduled(published_at=at(2031, 3, day + 1, 17))
    assert queries() == one


def test_the_period_costs_one_query_for_its_stories(editor_client):
    for day in range(13, 28):
        scheduled(published_at=at(2031, 3, day, 17))
    with CaptureQueriesContext(connection) as captured:
        calendar(editor_client)
    article_table = Article._meta.db_table
    reads = [q["sql"] for q in captured if f'FROM "{article_table}"' in q["sql"]]
    assert len(reads) == 1


def test_calendar_is_linked_from_the_dashboard_and_the_article_list(editor_client):
    url = reverse(CALENDAR)
    assert f'href="{url}"' in editor_client.get(reverse("admin:index")).content.decode()
    changelist = editor_client.get(reverse("admin:newsroom_article_changelist"))
    assert f'href="{url}"' in changelist.content.decode()


def test_people_who_are_not_staff_are_sent_to_log_in(client):
    response = client.get(reverse(CALENDAR))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


# --- Moving a scheduled story ------------------------------------------------------


def test_editor_sees_a_move_form_for_scheduled_stories_only(editor_client):
    story = scheduled()
    make_article(headline="Already live", published_at=at(2031, 3, 5, 9))
    response = calendar(editor_client)
    content = response.content.decode()
    assert content.count('name="day"') == 1
    form = cell(response, "2031-03-20")
    assert f'name="article" value="{story.pk}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'<label for="move-{story.pk}">' in form and f'id="move-{story.pk}"' in form
    assert 'min="2031-03-12"' in form


def test_editor_moves_a_scheduled_story_keeping_its_time(editor_client, editor):
    story = scheduled(headline="Spring bags")
    response = move(editor_client, story, "2031-03-25")
    assert response.status_code == 302
    assert response.url == reverse(CALENDAR) + "?view=month&date=2031-03-01"

    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED
    assert timezone.localtime(story.published_at) == at(2031, 3, 25, 18, 45)
    assert story.updated_by == editor
    event = story.events_log.get()
    assert (event.action, event.actor) == (EditorialEvent.Action.SCHEDULED, editor)
    assert "2031-03-25 18:45" in event.note and "moved from 2031-03-20" in event.note

    page = editor_client.get(response.url)
    content = page.content.decode()
    assert "moved to Tuesday 25 March 2031, 18:45" in content
    assert change_url(story) in cell(page, "2031-03-25")
    assert "Spring bags" not in cell(page, "2031-03-20")


def test_a_move_across_a_clock_change_keeps_the_local_time(editor_client):
    """New York leaves daylight saving time on 2 November 2031: 18:45 stays 18:45."""
    story = scheduled()
    move(editor_client, story, "2031-11-20")
    story.refresh_from_db()
    assert timezone.localtime(story.published_at) == at(2031, 11, 20, 18, 45)
    assert story.published_at.astimezone(UTC).hour == 23  # EST, an hour later in UTC


def test_a_time_the_clocks_skip_moves_on_by_the_hour_skipped(editor, settings):
    """Paris skips 02:00-03:00 on 30 March 2031: a 02:30 story moved there goes at 03:30."""
    settings.TIME_ZONE = "Europe/Paris"
    story = scheduled(published_at=at(2031, 3, 20, 2, 30, "Europe/Paris"))
    services.article_reschedule(article=story, user=editor, day=date(2031, 3, 30))
    story.refresh_from_db()
    assert timezone.localtime(story.published_at) == at(2031, 3, 30, 3, 30, "Europe/Paris")
    assert story.published_at == datetime(2031, 3, 30, 1, 30, tzinfo=UTC)


def test_moving_to_the_same_day_changes_nothing(editor_client):
    story = scheduled()
    response = move(editor_client, story, "2031-03-20")
    assert "already scheduled for 20 March 2031" in editor_client.get(response.url).content.decode()
    assert not story.events_log.exists()


def test_a_move_keeps_what_the_story_links_hidden_until_its_new_moment(editor_client):
    """Publication bookkeeping follows: a person only this story links goes public then."""
    person = make_person(published_by_hand=False)
    story = scheduled()
    story.people.add(person)
    person.refresh_from_db()
    assert person.linked_since == story.published_at
    move(editor_client, story, "2031-04-02")
    person.refresh_from_db()
    story.refresh_from_db()
    assert person.linked_since == story.published_at == at(2031, 4, 2, 18, 45)


def test_moving_into_the_past_is_refused(editor_client):
    story = scheduled()
    before = story.published_at
    response = move(editor_client, story, "2031-03-11")
    page = editor_client.get(response.url)
    assert "has already passed" in page.content.decode()
    story.refresh_from_db()
    assert story.published_at == before
    assert not story.events_log.exists()


def test_moving_to_today_at_a_time_already_gone_is_refused(editor_client):
    story = scheduled(published_at=at(2031, 3, 14, 9, 0))  # 09:00; it is 10:00 now
    move(editor_client, story, "2031-03-12")
    story.refresh_from_db()
    assert story.published_at == at(2031, 3, 14, 9, 0)
    later = scheduled(published_at=at(2031, 3, 14, 15, 0))
    move(editor_client, later, "2031-03-12")
    later.refresh_from_db()
    assert later.published_at == at(2031, 3, 12, 15, 0)


def test_moving_a_published_story_is_refused(editor_client):
    story = make_article(headline="Live already", published_at=at(2031, 3, 5, 9))
    response = move(editor_client, story, "2031-03-25")
    assert response.status_code == 302
    page = editor_client.get(response.url)
    assert "only a scheduled story can be moved" in page.content.decode()
    story.refresh_from_db()
    assert story.published_at == at(2031, 3, 5, 9)
    assert not story.events_log.exists()


def test_moving_a_draft_is_refused(editor_client):
    story = make_article(status=Article.Status.DRAFT, published_at=at(2031, 3, 20))
    move(editor_client, story, "2031-03-25")
    story.refresh_from_db()
    assert story.published_at == at(2031, 3, 20)
    assert story.status == Article.Status.DRAFT


@pytest.mark.parametrize("day", ["", "soon", "2031-02-30", "99999-01-01", "3000-01-01"])
def test_a_bad_day_is_refused_with_a_message(editor_client, day):
    story = scheduled()
    response = move(editor_client, story, day)
    assert response.status_code == 302
    assert "Choose the day" in editor_client.get(response.url).content.decode()
    story.refresh_from_db()
    assert story.published_at == at(2031, 3, 20, 18, 45)


def test_after_a_move_the_same_week_is_shown_again(editor_client):
    story = scheduled()
    response = move(editor_client, story, "2031-03-22", view="week", shown="2031-03-17")
    assert response.url == reverse(CALENDAR) + "?view=week&date=2031-03-17"


def test_moving_is_post_only(editor_client):
    assert editor_client.get(reverse(MOVE)).status_code == 405


# --- Writers look only ---------------------------------------------------------------


def test_writer_sees_the_calendar_without_move_forms(writer_client):
    story = scheduled()
    response = calendar(writer_client)
    content = response.content.decode()
    assert change_url(story) in cell(response, "2031-03-20")
    assert 'name="day"' not in content
    assert reverse(MOVE) not in content


def test_writer_cannot_move_a_story_by_direct_post(writer_client):
    story = scheduled()
    response = move(writer_client, story, "2031-03-25")
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.published_at == at(2031, 3, 20, 18, 45)
    assert not story.events_log.exists()


def test_the_service_refuses_writers(writer):
    story = scheduled()
    with pytest.raises(PermissionDenied):
        services.article_reschedule(article=story, user=writer, day=date(2031, 3, 25))
    story.refresh_from_db()
    assert story.published_at == at(2031, 3, 20, 18, 45)


def test_the_service_checks_the_stored_row(editor):
    """A calendar opened before the story was unpublished cannot move it."""
    story = scheduled()
    Article.objects.filter(pk=story.pk).update(status=Article.Status.DRAFT)
    with pytest.raises(services.RescheduleRefused):
        services.article_reschedule(article=story, user=editor, day=date(2031, 3, 25))
    assert Article.objects.get(pk=story.pk).status == Article.Status.DRAFT
