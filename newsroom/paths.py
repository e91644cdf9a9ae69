"""Reader paths by URL name, each pattern reversed once per URLconf and script prefix.

A story's page names a hundred addresses (every linked person, bag and story,
the header's directories, the JSON-LD ids), and ``reverse()`` walks the
resolver for each. The reader patterns take at most a slug, so each is reversed
once with a marker where the slug goes, and the slug is put in its place after.
A slug is ASCII letters, digits, "-" and "_", which ``reverse()`` would not
quote either; anything else goes through ``reverse()`` itself.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = "slug-placeholder-7f3a"
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _urlconf():
    return get_urlconf() or settings.ROOT_URLCONF


@lru_cache(maxsize=512)
def _reversed(name, urlconf, prefix, with_slug):
    kwargs = {"slug": _MARKER} if with_slug else None
    return reverse(name, urlconf=urlconf, kwargs=kwargs)


def slug_path(name, slug):
    """``reverse(name, kwargs={"slug": slug})``, from the pattern reversed once."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        return reverse(name, kwargs={"slug": slug})
    return _reversed(name, _urlconf(), get_script_prefix(), True).replace(_MARKER, slug)


def path(name):
    """``reverse(name)`` for a pattern without arguments, reversed once."""
    return _reversed(name, _urlconf(), get_script_prefix(), False)
