"""Partial dates: known to the year, the month or the day, as sources often give them.

A partial date is stored as the first day of its period plus a precision. This
module is the one place that shows one: to readers (:func:`label`: "2022",
"January 2022", "3 January 2022") and to machines (:func:`iso`: the ``datetime``
attribute of ``<time>`` and JSON-LD dates), never more precisely than it is known.
"""

from django.db import models


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


def label(day, precision=DatePrecision.DAY):
    """``day`` for readers, as precisely as it is known; "" without a date."""
    if not day:
        return ""
    if precision == DatePrecision.YEAR:
        return str(day.year)
    if precision == DatePrecision.MONTH:
        return day.strftime("%B %Y")
    return f"{day.day} {day.strftime('%B %Y')}"


def iso(day, precision=DatePrecision.DAY):
    """``day`` in ISO 8601, truncated to its precision ("2024", "2024-03", "2024-03-05")."""
    if not day:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{day.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()
