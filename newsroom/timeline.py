"""Timelines: the dated facts about a person or a brand, oldest first.

Sources often know a date only to the year or the month; an entry keeps that
precision for display (and for the ``datetime`` attribute of ``<time>``) and
sorts as the first day of its period.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from . import dates
from .dates import DatePrecision

YEAR, DAY = DatePrecision.YEAR, DatePrecision.DAY


@dataclass(frozen=True)
class TimelineEntry:
    when: date
    precision: str
    kind: str  # what sort of fact: "Campaign", "Story", "Ambassador", ...
    text: str
    url: str = ""

    @property
    def label(self):
        return dates.label(self.when, self.precision)

    @property
    def iso(self):
        """The date for ``<time datetime>``, no more precise than it is known."""
        return dates.iso(self.when, self.precision)


def timeline_entry(kind, text, *, on=None, precision=DAY, year=None, url=""):
    """An entry dated by a (partial) date or by a year; None when it has neither."""
    if isinstance(on, datetime):
        on = timezone.localdate(on)
    if on is not None:
        return TimelineEntry(on, precision or DAY, kind, text, url)
    if year:
        return TimelineEntry(date(year, 1, 1), YEAR, kind, text, url)
    return None


def shared_entries(*, campaigns=(), events=(), articles=()):
    """The entries a person's and a house's timelines write alike: campaigns, events, stories."""
    for c in campaigns:
        yield timeline_entry(
            "Campaign", c.name, on=c.date, precision=c.date_precision, url=c.get_absolute_url()
        )
    for e in events:
        yield timeline_entry("Event", e.name, on=e.date, precision=e.date_precision)
    for a in articles:
        yield timeline_entry("Story", a.headline, on=a.published_at, url=a.get_absolute_url())


def sort_timeline(entries):
    """The dated entries, oldest first; entries without a date are left out."""
    return sorted((e for e in entries if e is not None), key=lambda e: (e.when, e.kind, e.text))
