"""Keyset pagination for article lists.

A page is addressed by a cursor (the publication moment and id of the article
just before or after it), not by a page number. Each page costs one query of
``LIMIT page_size + 1`` on the (status, published_at) index, however deep the
reader goes and however many articles there are: there is no ``COUNT(*)`` and
no ``OFFSET``.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q

CURSOR_MAX_LENGTH = 40
PK_MAX = 2**63 - 1
# Microseconds since 1970 and the id, in ASCII digits only (not \d, which is any script's).
_CURSOR = re.compile(r"(?P<micros>[0-9]{1,19})-(?P<pk>[0-9]{1,19})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Cursor:
    published_at: datetime
    pk: int

    def __str__(self):
        micros = (self.published_at - _EPOCH) // _MICROSECOND
        return f"{micros}-{self.pk}"

    @classmethod
    def parse(cls, text):
        """The cursor written in ``text``, or None when it is missing or malformed.

        Only ASCII digits count: ``str.isdigit()`` and ``int()`` also accept
        superscripts and other scripts' digits ("²", "٣"), which a cursor never
        holds. The id must fit the database's 64-bit integer.
        """
        if not isinstance(text, str) or len(text) > CURSOR_MAX_LENGTH:
            return None
        match = _CURSOR.fullmatch(text)
        if match is None:
            return None
        micros, pk = int(match["micros"]), int(match["pk"])
        if pk > PK_MAX:
            return None
        try:
            moment = _EPOCH + micros * _MICROSECOND
        except OverflowError:
            return None
        return cls(moment, pk)

    @classmethod
    def of(cls, article):
        return cls(article.published_at, article.pk)


@dataclass
class KeysetPage:
    items: list
    newer: Cursor | None  # shows the page of newer articles ("before" this one in the list)
    older: Cursor | None

    @property
    def has_other_pages(self):
        return bool(self.newer or self.older)


def keyset_page(queryset, *, after=None, before=None, size=20):
    """One page of ``queryset`` (newest first) after or before a cursor.

    ``after`` gives the page of articles older than the cursor, ``before`` the
    page of newer ones. The queryset must already be limited to published
    articles (whose ``published_at`` is never null).
    """
    if before is not None:
        newer_first = queryset.filter(
            Q(published_at__gt=before.published_at)
            | Q(published_at=before.published_at, pk__gt=before.pk)
        ).order_by("published_at", "pk")
        rows = list(newer_first[: size + 1])
        has_newer = len(rows) > size
        items = list(reversed(rows[:size]))
        return KeysetPage(
            items=items,
            newer=Cursor.of(items[0]) if has_newer and items else None,
            older=Cursor.of(items[-1]) if items else None,
        )
    ordered = queryset.order_by("-published_at", "-pk")
    if after is not None:
        ordered = ordered.filter(
            Q(published_at__lt=after.published_at)
            | Q(published_at=after.published_at, pk__lt=after.pk)
        )
    rows = list(ordered[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items=items,
        newer=Cursor.of(items[0]) if after is not None and items else None,
        older=Cursor.of(items[-1]) if len(rows) > size else None,
    )
