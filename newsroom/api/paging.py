"""Keyset pages for the API: no COUNT, no OFFSET, one query per page.

Stories reuse :func:`newsroom.pagination.keyset_page` (newest first, the
reader pages' cursor); other collections are ordered by slug, which is unique,
so the slug of the last row is the cursor of the next page.
"""

from dataclasses import dataclass

from newsroom.pagination import Cursor, keyset_page


@dataclass
class Page:
    items: list
    after: str | None  # the cursor of the next page (older stories, later slugs)
    before: str | None  # the cursor of the previous page


def story_page(queryset, *, after, before, size):
    page = keyset_page(queryset, after=after, before=before, size=size)
    return Page(
        items=page.items,
        after=str(page.older) if page.older else None,
        before=str(page.newer) if page.newer else None,
    )


def slug_page(queryset, *, after, before, size):
    if before is not None:
        rows = list(queryset.filter(slug__lt=before).order_by("-slug")[: size + 1])
        items = list(reversed(rows[:size]))
        return Page(
            items=items,
            after=items[-1].slug if items else None,
            before=items[0].slug if len(rows) > size else None,
        )
    ordered = queryset.order_by("slug")
    if after is not None:
        ordered = ordered.filter(slug__gt=after)
    rows = list(ordered[: size + 1])
    items = rows[:size]
    return Page(
        items=items,
        after=items[-1].slug if len(rows) > size else None,
        before=items[0].slug if after is not None and items else None,
    )


__all__ = ["Cursor", "Page", "slug_page", "story_page"]
