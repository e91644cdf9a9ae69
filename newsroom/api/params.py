"""Query parameters: strict parsing, a 400 with a message for anything else.

Cursors follow the rule of the reader pages' cursors (:mod:`newsroom.pagination`):
ASCII only, bounded length, a 64-bit id. A page of stories is addressed by
``Cursor``; a page of people, brands, bags, campaigns, events or tags by the
slug of the row just before or after it (slugs are unique and ASCII).
"""

import re

from rest_framework.exceptions import APIException

from newsroom.pagination import Cursor

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SLUG_MAX_LENGTH = 200
_SLUG = re.compile(rf"[-a-zA-Z0-9_]{{1,{SLUG_MAX_LENGTH}}}")
_DIGITS = re.compile(r"[0-9]{1,4}")
PAGINATION_PARAMS = ("after", "before", "limit")
# Added by clients and caches for their own use; never filters.
IGNORED_PARAMS = frozenset({"format"})


class BadParameter(APIException):
    """A query parameter the resource does not take, or a malformed value: 400."""

    status_code = 400
    default_code = "bad_parameter"

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.parameter = name


def single(query, name):
    """The one value of ``name`` in the query string, or None; two values are an error."""
    values = query.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(name, "give it once.")
    return values[0]


def check_known(query, allowed):
    unknown = sorted(set(query) - set(allowed) - IGNORED_PARAMS)
    if unknown:
        raise BadParameter(
            unknown[0], f"unknown parameter; this resource takes {', '.join(sorted(allowed))}."
        )


def parse_slug(name, text):
    if text is None:
        return None
    if not _SLUG.fullmatch(text):
        raise BadParameter(name, "not a slug (ASCII letters, digits, - and _).")
    return text


def parse_year(name, text):
    if text is None:
        return None
    if not _DIGITS.fullmatch(text) or not 1000 <= int(text) <= 2999:
        raise BadParameter(name, "a year is four ASCII digits.")
    return int(text)


def parse_text(name, text, *, max_length=100):
    """A short plain value (a colourway's name): printable, bounded."""
    if text is None:
        return None
    if not text or len(text) > max_length or not text.isprintable():
        raise BadParameter(name, f"from 1 to {max_length} printable characters.")
    return text


def parse_choice(name, text, choices):
    if text is None:
        return None
    if text not in choices:
        raise BadParameter(name, f"one of {', '.join(choices)}.")
    return text


def parse_limit(query):
    text = single(query, "limit")
    if text is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise BadParameter("limit", f"a whole number from 1 to {MAX_LIMIT}.")
    return int(text)


def parse_cursors(query, *, by_date):
    """``(after, before)``: at most one of them, each well formed."""
    after, before = single(query, "after"), single(query, "before")
    if after is not None and before is not None:
        raise BadParameter("before", "give either after or before.")
    parsed = []
    for name, text in (("after", after), ("before", before)):
        if text is None:
            parsed.append(None)
        elif by_date:
            cursor = Cursor.parse(text)
            if cursor is None:
                raise BadParameter(name, "not a cursor of this list; follow next/previous.")
            parsed.append(cursor)
        else:
            parsed.append(parse_slug(name, text))
    return tuple(parsed)
