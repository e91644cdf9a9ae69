"""Parts of a page kept between renders, each under the keys of what it shows.

When a whole page has to be rendered again (one of its keys moved on, or it was
never asked for), most of it usually did not change: a related story's new
headline does not change the story's body, nor a new quote its JSON-LD. So a
page is built from *fragments*, each kept in the cache like a whole page
(:mod:`newsroom.cache`): stored with the generations of the surrogate keys of
what it showed while it was computed, and used only while every one of them is
current. Fragments are exact for the same reasons pages are: the same keys, the
same writes replacing their generations, never kept past the next schedule
point, and never kept when a write landed while they were computed.

A fragment's keys are recorded as a page's are (rows built while computing it
record themselves; ``surrogate.add`` and ``surrogate.add_objects`` name the
rest), and a fragment taken from the cache hands its keys to the page around
it, so the page carries them too (and is purged with them).

Usage, in a view::

    with fragments.load(request, f"article-{article.pk}", ["story", "related"]) as found:
        story = found.get("story", lambda: render_story(article))
        related = found.get("related", lambda: render_related(article))

``load`` reads the shared state, every entry and the generations of the keys
this process knows they show in one ``get_many``. ``get`` returns the kept
value, or computes it and records its keys; what was computed is kept together
when the block ends. When the cache cannot be reached, or
``FRAGMENT_CACHE_SECONDS`` is 0, every fragment is computed.

Only what is the same for every reader may be a fragment: never a preview, a
share link or anything personal. The request's scheme and host are part of a
fragment's name, since absolute addresses (JSON-LD, canonical links) depend on
them.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from . import cache, surrogate


def fragment_seconds():
    return settings.FRAGMENT_CACHE_SECONDS


class Found:
    """The fragments of one page: kept values where they are current, else computed.

    Used as a context manager: what was computed is kept together on leaving it.
    """

    def __init__(self, state, entries, stored, using):
        self.state = state
        self.entries = entries  # name -> cache entry key
        self.stored = stored  # name -> (generations, value), current ones only
        self.using = using
        self.computed = {}  # entry key -> (value, keys)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and self.state is not None and self.computed:
            timeout = min(fragment_seconds(), self.state.next_point - timezone.now().timestamp())
            cache.keep_many(self.computed, self.state, timeout, self.using)

    def get(self, name, compute):
        kept = self.stored.get(name)
        if kept is not None:
            generations, value = kept
            surrogate.add_keys(generations)
            return value
        with surrogate.collect() as recorder:
            value = compute()
        self.computed[self.entries[name]] = (value, {surrogate.ALL, *recorder.keys})
        return value


def load(request, scope, names, *, using=DEFAULT_DB_ALIAS):
    """The fragments ``names`` of the page of ``scope`` (``"article-12"``) for ``request``."""
    site = f"{request.scheme}://{request.get_host()}"
    entries = {
        name: cache.entry_key("fragment", f"{site}\x1f{scope}\x1f{name}", using) for name in names
    }
    if fragment_seconds() <= 0:
        return Found(None, entries, {}, using)
    state, current = cache.read(list(entries.values()), using)
    stored = {name: current[key] for name, key in entries.items() if key in current}
    return Found(state, entries, stored, using)
