"""The editorial calendar in the admin: scheduled and published stories, day by day.

A month (weeks of days) or a week, named in the query string (``?view=week&date=
2031-03-12``); a value that does not name a period shows the current one. Days
are those of the site's time zone, so a story at 23:30 sits on its local day.
One query fetches the period's stories, however many there are.

Editors move a scheduled story to another day, keeping its time of day, with a
plain form per story; the move goes through ``services.article_reschedule``,
which checks who may, what may move and where to. Drafts and stories in review
have no date to sit on and are not shown.

``urls(model_admin)`` gives the URLs; ``ArticleAdmin.get_urls`` includes them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..models import Article

MONTH = "month"
WEEK = "week"
VIEWS = (MONTH, WEEK)

# The days the calendar can show; a date outside them falls back to today.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def first_weekday():
    """The first day of a calendar week as a ``date.weekday()`` (0 is Monday).

    From the locale's ``FIRST_DAY_OF_WEEK``, where 0 is Sunday (Monday in en-gb).
    """
    return (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


def week_start(day):
    return day - timedelta(days=(day.weekday() - first_weekday()) % 7)


@dataclass(frozen=True)
class Period:
    """What the calendar shows: the period proper (``start`` to ``end``) and the
    days on screen (``first`` to ``last``: whole weeks around a month)."""

    view: str
    start: date
    end: date
    first: date
    last: date

    @classmethod
    def containing(cls, view, day):
        if view == WEEK:
            start = week_start(day)
            end = start + timedelta(days=6)
            return cls(view, start, end, start, end)
        start = day.replace(day=1)
        end = (start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        return cls(view, start, end, week_start(start), week_start(end) + timedelta(days=6))

    @classmethod
    def from_query(cls, params, today):
        """The period ``params`` name (``view``, ``date``), else today's month."""
        view = params.get("view")
        if view not in VIEWS:
            view = MONTH
        try:
            day = date.fromisoformat(params.get("date") or "")
        except ValueError:
            day = today
        if not FIRST_DAY <= day <= LAST_DAY:
            day = today
        return cls.containing(view, day)

    @property
    def previous(self):
        if self.view == WEEK:
            return self._within(self.start - timedelta(days=7))
        return self._within((self.start - timedelta(days=1)).replace(day=1))

    @property
    def next(self):
        if self.view == WEEK:
            return self._within(self.start + timedelta(days=7))
        return self._within(self.end + timedelta(days=1))

    @staticmethod
    def _within(day):
        return day if FIRST_DAY <= day <= LAST_DAY else None

    @property
    def label(self):
        """Its name: "March 2031"; a week "9–15 March 2031" or "24 February – 2 March 2031"."""
        if self.view == MONTH:
            return date_format(self.start, "F Y")
        start, end = self.start, self.end
        if start.year != end.year:
            return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"
        if start.month != end.month:
            return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
        return f"{start.day}–{date_format(end, 'j F Y')}"

    def query(self, view=None, day=None):
        """The query string of this calendar at ``view`` and ``day`` (default: its own)."""
        return "?" + urlencode({"view": view or self.view, "date": (day or self.start).isoformat()})

    def moments(self):
        """The aware moments the days on screen begin and end with, in the site's zone."""
        since = timezone.make_aware(datetime.combine(self.first, time.min))
        until = timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))
        return since, until


@dataclass
class Day:
    date: date
    in_period: bool
    is_today: bool
    is_past: bool
    stories: list = field(default_factory=list)


@dataclass
class Week:
    number: int
    start: date
    days: list
    url: str = ""


def period_stories(period, now):
    """The published and scheduled stories on screen, earliest first, in one query.

    Each carries ``local_at`` (its moment in the site's zone) and ``is_upcoming``.
    """
    since, until = period.moments()
    stories = list(
        Article.objects.filter(
            status=Article.Status.PUBLISHED, published_at__gte=since, published_at__lt=until
        )
        .only("pk", "headline", "status", "published_at")
        .order_by("published_at", "pk")
    )
    for story in stories:
        story.local_at = timezone.localtime(story.published_at)
        story.is_upcoming = story.published_at > now
    return stories


def calendar_weeks(period, stories, today):
    by_day = {}
    for story in stories:
        by_day.setdefault(story.local_at.date(), []).append(story)
    weeks = []
    day = period.first
    while day <= period.last:
        days = [
            Day(
                date=d,
                in_period=period.start <= d <= period.end,
                is_today=d == today,
                is_past=d < today,
                stories=by_day.get(d, []),
            )
            for d in (day + timedelta(days=i) for i in range(7))
        ]
        # The ISO number of the week the row's Monday is in.
        monday = day + timedelta(days=(0 - day.weekday()) % 7)
        weeks.append(Week(number=monday.isocalendar().week, start=day, days=days))
        day += timedelta(days=7)
    return weeks


def stories_count(count):
    return f"{count} {'story' if count == 1 else 'stories'}"


def summary(published, scheduled):
    """The period in words: "3 stories: 1 published, 2 scheduled", "No stories"..."""
    total = published + scheduled
    if not total:
        return "No stories"
    if published and scheduled:
        return f"{stories_count(total)}: {published} published, {scheduled} scheduled"
    every = "" if total == 1 else "all "
    return f"{stories_count(total)}, {every}{'published' if published else 'scheduled'}"


def _calendar_url(period=None):
    url = reverse("admin:newsroom_article_calendar")
    return url + period.query() if period is not None else url


def calendar_view(request, model_admin):
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    now = timezone.now()
    today = timezone.localdate(now)
    period = Period.from_query(request.GET, today)
    stories = period_stories(period, now)
    in_period = [s for s in stories if period.start <= s.local_at.date() <= period.end]
    scheduled = sum(1 for s in in_period if s.is_upcoming)
    url = _calendar_url()
    weeks = calendar_weeks(period, stories, today)
    for week in weeks:
        week.url = url + period.query(view=WEEK, day=week.start)
    previous, following = period.previous, period.next
    # The week switch opens today's week when today is on screen.
    week_day = today if period.start <= today <= period.end else period.start
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Editorial calendar",
        "subtitle": period.label,
        "opts": Article._meta,
        "period": period,
        "weeks": weeks,
        "weekdays": [period.first + timedelta(days=i) for i in range(7)],
        "summary": summary(len(in_period) - scheduled, scheduled),
        "today": today,
        "time_zone": timezone.get_current_timezone_name(),
        "can_move": services.user_can_publish(request.user),
        "move_url": reverse("admin:newsroom_article_calendar_move"),
        "previous_url": url + period.query(day=previous) if previous else "",
        "next_url": url + period.query(day=following) if following else "",
        "today_url": url + period.query(day=today),
        "month_url": url + period.query(view=MONTH),
        "week_url": url + period.query(view=WEEK, day=week_day),
        "changelist_url": reverse("admin:newsroom_article_changelist"),
    }
    return TemplateResponse(request, "admin/newsroom/calendar.html", context)


class MoveForm(forms.Form):
    article = forms.IntegerField(min_value=1)
    day = forms.DateField()

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError("Choose a day in the calendar.")
        return day


def move_view(request, model_admin):
    """Move a scheduled story to the day posted, then show the same period again."""
    if not (
        model_admin.has_view_or_change_permission(request)
        and services.user_can_publish(request.user)
    ):
        raise PermissionDenied
    shown = Period.from_query(request.POST, timezone.localdate())
    back = _calendar_url(shown)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the day to move the story to.")
        return HttpResponseRedirect(back)
    article = Article.objects.filter(pk=form.cleaned_data["article"]).first()
    if article is None:
        messages.error(request, "That story no longer exists.")
        return HttpResponseRedirect(back)
    try:
        services.article_reschedule(
            article=article, user=request.user, day=form.cleaned_data["day"]
        )
    except services.RescheduleRefused as refusal:
        messages.error(request, str(refusal))
        return HttpResponseRedirect(back)
    at = timezone.localtime(article.published_at)
    there = f"{_calendar_url(Period.containing(shown.view, at.date()))}#day-{at.date():%Y-%m-%d}"
    messages.success(
        request,
        format_html(
            '“{}” moved to {}; it goes live by itself then. <a href="{}">Show that day</a>',
            article.headline,
            f"{at:%A %-d %B %Y, %H:%M}",
            there,
        ),
    )
    return HttpResponseRedirect(back)


def urls(model_admin):
    """The calendar's URLs, under the article admin's."""
    site = model_admin.admin_site

    @require_safe
    def show(request):
        return calendar_view(request, model_admin)

    @require_POST
    def move(request):
        return move_view(request, model_admin)

    return [
        path("calendar/", site.admin_view(show), name="newsroom_article_calendar"),
        path("calendar/move/", site.admin_view(move), name="newsroom_article_calendar_move"),
    ]
