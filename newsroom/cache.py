"""Whole-page cache for anonymous readers, with exact, dependency-tracked invalidation.

How a page stays exact
----------------------
Every page records the surrogate keys of what it shows (:mod:`newsroom.surrogate`:
``article-12``, ``person-3``, ``home``, ...). The cache keeps a *generation* per
key, a random token; a stored page keeps the generations of its keys at the time
it was rendered, and is served only while every one of them is still current.
A write replaces the generations of exactly the keys it affects (a renamed person:
``person-3`` and ``people-list``; a published story: the story, the lists it
appears in and what it links; a new colourway: its bag and ``products-list``), so
the very next request for a page that shows it misses and renders afresh, and
every other page stays. A draft or review save touches no key. Directories and
search carry collection keys (``people-list``, ``tags-list``, ``search``, ...);
every write that can change one invalidates it (:func:`_keys_for_write`).
The same keys go to the Varnish tier and CDNs as purges (:mod:`newsroom.purge`).

A request reads everything it needs in one ``get_many``: the shared state, the
stored page and the generations of the keys this process last saw on that URL.

Content also becomes public with no write at all: a scheduled article goes live
at its ``published_at`` and an embargo lifts at its ``embargoed_until``. Next to
the generations the cache keeps the *next schedule point*, the earliest of those
moments still in the future. A request made at or after it replaces the
generation of ``all`` (which every page carries), computes the next point, and
goes on. Pages are also never kept past that moment, here nor in Varnish
(``s-maxage`` is cut to it).

Every ``migrate`` (a deploy) replaces ``all`` too, since new code may render
the same content differently; writes made by migrations themselves (historical
models) are covered by that.

Races: a write replaces the *version* (a token every invalidating write
changes) first, then the generations of its keys, then computes the next point,
stores it, and checks that the version is still its own (and goes again if
not), so a next point computed before a concurrent commit never outlives that
commit. A render stores its page only if the version is the one it read before
rendering: a page rendered across a write is not kept. Writes inside a
transaction invalidate at once (the transaction sees its own rows) and once
more after the commit, when every other connection sees them.

What is cached
--------------
Only GET and HEAD requests that carry no session or messages cookie (so the
reader is anonymous and sees no per-user content), answered 200 with no cookie
set, no ``Cache-Control: private/no-cache/no-store`` (previews and share links
send ``never_cache``), and no ``Vary`` other than ``Cookie``. Everyone else gets
the page rendered for them and nothing is stored.

If the cache goes away (Redis down or hung: config.cache.ResilientRedisCache
answers misses for a back-off period), the state cannot be read, and pages are
served uncached; writes that could not reach the cache are replayed by the next
request that finds it again (as a replacement of ``all``).

Writes that send no signals (``QuerySet.update()``, ``bulk_create()``, raw SQL)
must call :func:`content_changed` themselves (with the keys they affect, or
none for "everything").
"""

import hashlib
import logging
import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, IntegerField, Min, OuterRef, Value
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from . import purge, surrogate

logger = logging.getLogger(__name__)

# Models whose rows readers can see somewhere. Changes to anything else (the audit
# trail, share links, autosaves, revisions, users, sessions) leave the public pages alone.
PUBLIC_APPS = {*surrogate.PUBLIC_APPS, "sites"}
PRIVATE_MODELS = surrogate.PRIVATE_MODELS

REFRESH_ATTEMPTS = 3
# After the cache failed, requests skip it for this long before trying again.
UNAVAILABLE_BACKOFF = 5.0


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def page_cache_seconds():
    return getattr(settings, "PAGE_CACHE_SECONDS", 600)


_db_tags = {}


def _db_tag(using=DEFAULT_DB_ALIAS):
    """A short name of the database, so two databases never share cache entries."""
    name = str(connections[using].settings_dict["NAME"])
    try:
        return _db_tags[name]
    except KeyError:
        tag = _db_tags[name] = hashlib.blake2s(name.encode(), digest_size=6).hexdigest()
        return tag


def _state_keys(using=DEFAULT_DB_ALIAS):
    """Keys of the shared state, per database: the version, the next point, the lock."""
    db = _db_tag(using)
    return f"pagecache:{db}:version", f"pagecache:{db}:next", f"pagecache:{db}:lock"


def _gen_key(key, using=DEFAULT_DB_ALIAS):
    """Where the generation of a surrogate key is kept."""
    return f"pagecache:{_db_tag(using)}:gen:{key}"


def _gen_keys(keys, using=DEFAULT_DB_ALIAS):
    """``{surrogate key: where its generation is kept}`` for many keys at once."""
    prefix = _gen_key("", using)
    return {key: prefix + key for key in keys}


# -- the next schedule point ---------------------------------------------------------


def _earliest(queryset, field):
    """``SELECT MIN(field)`` over the queryset, as a queryset (for a UNION)."""
    return (
        queryset.order_by()
        .annotate(_all=Value(1, output_field=IntegerField()))
        .values("_all")
        .annotate(moment=Min(field))
        .values_list("moment", flat=True)
    )


def image_rights_sources():
    from catalog.images import image_rights_sources

    return image_rights_sources()


def _scheduled_models():
    """The models with an embargo that lifts by itself: each kind, and ambassadorships."""
    from newsroom import entities
    from newsroom.models import Ambassadorship

    return (*(kind.model for kind in entities.kinds()), Ambassadorship)


def _schedule_points(now, using):
    """One row per source: the earliest future moment of each (a UNION ALL)."""
    from newsroom.models import Article

    scheduled = _earliest(Article.objects.using(using).scheduled(now=now), "published_at")
    embargoes = [
        _earliest(model.objects.using(using).embargoed(now=now), "embargoed_until")
        for model in _scheduled_models()
    ]
    # An image whose rights end leaves public pages at that moment (catalog.images).
    rights = [
        _earliest(model.objects.using(using).filter(**{f"{name}__gt": now}), name)
        for model, name in image_rights_sources()
    ]
    return scheduled.union(*embargoes, *rights, all=True)


# Every write runs the query below, so its SQL is compiled once per database from
# the querysets above (which stay the one definition of "scheduled" and
# "embargoed") with a marker moment, and only the moment changes afterwards.
_MARKER = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_compiled = {}


def _aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def next_schedule_point(*, now=None, using=DEFAULT_DB_ALIAS):
    """The earliest moment after ``now`` at which something becomes public, or None.

    One query: the first scheduled article and the first embargo to lift among
    people, brands, products, campaigns, events and ambassadorships.
    """
    now = now or timezone.now()
    connection = connections[using]
    key = (using, connection.vendor, str(connection.settings_dict["NAME"]))
    if key not in _compiled:
        sql, params = _schedule_points(_MARKER, using).query.sql_with_params()
        marker = connection.ops.adapt_datetimefield_value(_MARKER)
        if marker not in params:  # a backend that adapts differently: no shortcut
            return min(filter(None, _schedule_points(now, using)), default=None)
        _compiled[key] = (sql, params, marker)
    sql, params, marker = _compiled[key]
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [moment if p == marker else p for p in params])
        moments = [_aware(row[0]) for row in cursor.fetchall()]
    return min(filter(None, moments), default=None)


# -- shared state --------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    version: str  # replaced by every invalidating write
    next_point: float  # POSIX time of the next schedule point; inf when none


_unavailable_until = 0.0
_refresh_pending = False


def _mark_unavailable():
    global _unavailable_until, _refresh_pending
    backoff = getattr(settings, "CACHE_BACKOFF_SECONDS", UNAVAILABLE_BACKOFF)
    _unavailable_until = time.monotonic() + backoff
    _refresh_pending = True


def reset():
    """Forget this process's view of the cache: back-off, pending refresh, compiled SQL.

    For tests, which change databases and caches under a running process.
    """
    global _unavailable_until, _refresh_pending
    _unavailable_until = 0.0
    _refresh_pending = False
    _ready_databases.clear()
    _compiled.clear()
    _known_keys.clear()
    _db_tags.clear()


_ready_databases = set()


def _schedule_tables_exist(using):
    """False while a migration is still to create a table the schedule query reads."""
    if using in _ready_databases:
        return True
    from newsroom.models import Article

    tables = {model._meta.db_table for model in _scheduled_models()} | {Article._meta.db_table}
    rights = image_rights_sources()
    tables |= {model._meta.db_table for model, _name in rights}
    introspection = connections[using].introspection
    if not tables <= set(introspection.table_names()):
        return False
    with connections[using].cursor() as cursor:
        for model, name in rights:  # a column a later migration adds
            columns = introspection.get_table_description(cursor, model._meta.db_table)
            if model._meta.get_field(name).column not in {c.name for c in columns}:
                return False
    _ready_databases.add(using)
    return True


def refresh(using=DEFAULT_DB_ALIAS, keys=(surrogate.ALL,)):
    """Replace the generations of ``keys`` and store the next schedule point.

    With the default, every page goes. Returns the new state, or None when the
    cache cannot be reached.
    """
    global _refresh_pending
    cache = _cache()
    version_key, next_key, _ = _state_keys(using)
    for _attempt in range(REFRESH_ATTEMPTS):
        version = secrets.token_hex(8)
        cache.set(version_key, version, None)
        if keys:
            cache.set_many(dict.fromkeys(_gen_keys(keys, using).values(), version), None)
        if not _schedule_tables_exist(using):
            # A write during migrations: the first request afterwards finds the point.
            cache.delete(next_key)
            return None
        point = next_schedule_point(using=using)
        next_point = point.timestamp() if point else math.inf
        cache.set(next_key, next_point, None)
        current = cache.get(version_key)
        if current == version:
            _refresh_pending = False
            return State(version, next_point)
        if current is None:
            _mark_unavailable()
            return None
        # Someone else started a newer version while we queried: our next point may
        # predate their commit. Go again, now that their rows are visible.
    # Still contended: leave no next point, so the next request computes it afresh.
    cache.delete(next_key)
    return None


def _read(extra=(), using=DEFAULT_DB_ALIAS):
    """The state and the values of ``extra`` cache keys, in one ``get_many``.

    Returns ``(None, {})`` to serve this request uncached.
    """
    if time.monotonic() < _unavailable_until:
        return None, {}
    cache = _cache()
    version_key, next_key, lock_key = _state_keys(using)
    values = cache.get_many([version_key, next_key, *extra])
    version, next_point = values.get(version_key), values.get(next_key)
    if (
        version is not None
        and next_point is not None
        and timezone.now().timestamp() < next_point
        and not _refresh_pending
    ):
        return State(version, next_point), values
    # First request after a flush, after a schedule point passed, or after a write
    # that could not reach the cache: one process refreshes, the others go uncached.
    if not cache.add(lock_key, 1, timeout=10):
        if cache.get(lock_key) is None:
            _mark_unavailable()
        return None, {}
    try:
        state = refresh(using)
    finally:
        cache.delete(lock_key)
    if state is None or not extra:
        return state, {}
    return state, cache.get_many(list(extra))


def current_state(using=DEFAULT_DB_ALIAS):
    """The state pages are cached under now, or None to serve this request uncached."""
    return _read((), using)[0]


def content_changed(*keys, using=DEFAULT_DB_ALIAS):
    """Invalidate the pages that carry ``keys`` (every page when none is given).

    Inside a transaction, invalidate now (so this connection's own next requests
    and tests see it) and once more after the commit, when other connections see
    the rows too. Several writes in one transaction share the after-commit
    refresh. Varnish and CDNs get the keys as purges after the commit.
    """
    keys = set(keys) or {surrogate.ALL}
    if surrogate.ALL not in keys:
        keys.add(surrogate.CONTENT)
    _invalidate(keys, using)


def schedule_changed(*, using=DEFAULT_DB_ALIAS):
    """No page changed, but the next schedule point may have (a story was scheduled)."""
    _invalidate(set(), using)


def _invalidate(keys, using):
    connection = transaction.get_connection(using)
    refresh(using, keys)
    if connection.in_atomic_block:
        pending = connection.__dict__.setdefault("_pagecache_pending", set())
        pending.update(keys)
        if not any(func is _refresh_after_commit for _, func, _ in connection.run_on_commit):
            transaction.on_commit(_refresh_after_commit, using=using)
    elif keys:
        purge.send(keys)


def visibility_changed(model, pks, *, using=DEFAULT_DB_ALIAS):
    """Rows of ``model`` became visible or hidden with no write of their own.

    (A story that links them went live or came down: ``newsroom.publication``.)
    Their keys, their directories and the pages of what they are related to.
    """
    from newsroom import entities

    kind = entities.for_model(model)
    keys = {surrogate.key_for(pk, model=model) for pk in pks}
    if kind is not None:
        keys.add(kind.list_cache_key)
    keys |= surrogate.neighbour_keys(model, pks, using=using)
    content_changed(*(keys - {None}), using=using)


def _refresh_after_commit():
    for connection in connections.all(initialized_only=True):
        pending = connection.__dict__.pop("_pagecache_pending", None)
        if pending is not None:
            refresh(connection.alias, pending)
            if pending:
                purge.send(pending)


# -- keeping a rendered thing under the generations of its keys -------------------------

# The keys each entry (a page, a fragment) showed when this process last kept or
# served it: their generations are read with the entry, in the same get_many.
_known_keys = {}
KNOWN_KEYS_LIMIT = 20_000


def entry_key(namespace, text, using=DEFAULT_DB_ALIAS):
    """Where a kept thing lives: ``namespace``, the database and a digest of ``text``."""
    digest = hashlib.blake2s(text.encode(), digest_size=16).hexdigest()
    return f"{namespace}:{_db_tag(using)}:{digest}"


def read(entry_keys, using=DEFAULT_DB_ALIAS):
    """The state and every current entry of ``entry_keys``, mostly in one ``get_many``.

    Returns ``(state, {entry key: (generations, value)})`` with only the entries
    whose keys all still have the generations they were kept under, or ``(None, {})`` when
    nothing may be cached for this request. The generations of the keys this
    process knows an entry shows are read with it; others need one more read.
    """
    gen_keys = _gen_keys({k for e in entry_keys for k in _known_keys.get(e, ())}, using)
    state, values = _read([*entry_keys, *gen_keys.values()], using)
    if state is None:
        return None, {}
    kept = {key: values[key] for key in entry_keys if key in values}
    needed = _gen_keys({k for generations, _ in kept.values() for k in generations}, using)
    missing = [gk for gk in needed.values() if gk not in values]
    if missing:
        values.update(_cache().get_many(missing))
        for key, (generations, _) in kept.items():
            _remember(key, generations)
    return state, {
        key: (generations, value)
        for key, (generations, value) in kept.items()
        if all(values.get(needed[k]) == gen for k, gen in generations.items())
    }


def keep(entry_key, value, keys, state, timeout, using=DEFAULT_DB_ALIAS):
    """Store ``value`` under ``entry_key`` with the generations of ``keys``.

    ``keys`` are what ``value`` shows; ``state`` is the one read before it was
    rendered. Nothing is kept when a write landed meanwhile (the version moved
    on) or when ``timeout`` (never past the next schedule point) is under a
    second. Returns ``{key: generation}`` as kept, or None.
    """
    return keep_many({entry_key: (value, keys)}, state, timeout, using).get(entry_key)


def keep_many(entries, state, timeout, using=DEFAULT_DB_ALIAS):
    """:func:`keep` for ``{entry key: (value, keys)}`` at once, in two or three round trips.

    Returns ``{entry key: {key: generation}}`` of what was kept (all or nothing).
    """
    if timeout < 1 or not entries:
        return {}
    cache = _cache()
    version_key = _state_keys(using)[0]
    gen_keys = _gen_keys({k for _, keys in entries.values() for k in keys}, using)
    values = cache.get_many([version_key, *gen_keys.values()])
    if values.get(version_key) != state.version:
        return {}  # a write landed while it rendered
    missing = [gk for gk in gen_keys.values() if gk not in values]
    if missing:
        # Keys never invalidated yet: start them, without replacing a concurrent start.
        for gen_key in missing:
            cache.add(gen_key, state.version, None)
        values.update(cache.get_many(missing))
        if any(gk not in values for gk in missing):
            return {}
    kept = {
        entry_key: {key: values[gen_keys[key]] for key in keys}
        for entry_key, (_, keys) in entries.items()
    }
    cache.set_many(
        {entry_key: (kept[entry_key], value) for entry_key, (value, _) in entries.items()},
        int(timeout),
    )
    for entry_key, generations in kept.items():
        _remember(entry_key, generations)
    return kept


def _remember(entry_key, keys):
    _known_keys[entry_key] = tuple(keys)
    if len(_known_keys) > KNOWN_KEYS_LIMIT:
        _known_keys.clear()


# -- signal receivers ----------------------------------------------------------------


def _is_public(model):
    meta = model._meta
    if meta.apps is not global_apps:
        return False  # a migration's historical model: on_migrate covers migrations
    if meta.app_label in PUBLIC_APPS and meta.label_lower not in PRIVATE_MODELS:
        return True
    from newsroom import entities

    return entities.for_model(model) is not None  # a kind registered from another app


def _article_model():
    from newsroom.models import Article

    return Article


def _state_of(status, published_at):
    if status != "published" or published_at is None:
        return None
    return "public" if published_at <= timezone.now() else "scheduled"


def _article_keys(article, using, *, publication_changed):
    """What a change to a public story invalidates: the story, its lists and what it links."""
    from newsroom import entities
    from newsroom.models import TaggedArticle

    article_model = type(article)
    keys = {surrogate.key_for(article), *surrogate.ARTICLE_LISTS}
    for kind in entities.kinds():
        columns = ["pk"]
        if kind.owner:
            columns.append(kind.model._meta.get_field(kind.owner).attname)
        owner_model = kind.model._meta.get_field(kind.owner).related_model if kind.owner else None
        relation = article_model._meta.get_field(kind.article_field).related_query_name()
        rows = (
            kind.model._default_manager.using(using)
            .filter(**{relation: article.pk})
            .values_list(*columns)
        )
        for row in rows:
            keys.add(kind.cache_key(row[0]))
            if owner_model is not None and row[1] is not None:
                keys.add(surrogate.key_for(row[1], model=owner_model))
    tag_ids = TaggedArticle.objects.using(using).filter(content_object_id=article.pk)
    keys.update(f"tag-{pk}" for pk in tag_ids.values_list("tag_id", flat=True))
    if publication_changed:
        # What it links may become public or hidden through it.
        keys.update(surrogate.list_keys_of_kinds())
        keys.add(surrogate.TAGS_LIST)
    return keys


def _story_rows():
    """``(model, field)`` of each kind of row that belongs to a story and shows
    elsewhere only while the story is live: a quote's wording in it."""
    Article = _article_model()
    return [
        (model, field.name)
        for model in global_apps.get_models()
        if _is_public(model)
        for field in model._meta.concrete_fields
        if field.many_to_one and field.related_model is Article
    ]


def _reported_keys(article, using):
    """The pages of what a story's own rows concern, when the story goes live or comes
    down: a quote it reports shows on its speaker's page, its campaign's, and those of
    the bags and events it is about, though none of them carries the quote's key yet."""
    keys = set()
    for model, field in _story_rows():
        pks = list(
            model._default_manager.using(using)
            .filter(**{field: article.pk})
            .values_list("pk", flat=True)
        )
        if pks:
            keys |= surrogate.neighbour_keys(model, pks, using=using)
    return keys


def _entity_public(kind, pk, using):
    return kind.public().using(using).filter(pk=pk).exists()


def _entity_state(kind, pk, using):
    """Whether readers may see the stored row, and its owner's pk (one query)."""
    if not kind.owner:
        return _entity_public(kind, pk, using), None
    owner = kind.model._meta.get_field(kind.owner).attname
    row = (
        kind.model._default_manager.using(using)
        .filter(pk=pk)
        .annotate(_public=Exists(kind.public().filter(pk=OuterRef("pk"))))
        .values_list("_public", owner)
        .first()
    )
    return (bool(row[0]), row[1]) if row else (False, None)


def _owner_keys(kind, instance, before, *, deleted):
    """A row that leaves its owner (moved to another house, or deleted) can change
    whether that owner is public (it is, through the stories of its rows): the
    old owner's key and the owner kind's directory. None of it for a new row."""
    if not kind.owner or not before:
        return set()
    field = kind.model._meta.get_field(kind.owner)
    owner_before = before[1]
    owner_now = None if deleted else getattr(instance, field.attname)
    if owner_before == owner_now:
        return set()
    owner_model = field.related_model
    return {
        surrogate.list_key_of(owner_model),
        surrogate.key_for(owner_before, model=owner_model),
    } - {None}


def _entity_keys(kind, instance):
    return {
        kind.cache_key(instance.pk),
        kind.list_cache_key,
        *surrogate.owned_list_keys(kind),
        *surrogate.foreign_keys(instance),
        surrogate.HOME,
        surrogate.SEARCH,
        surrogate.SITEMAP,
    }


def _before(instance, using, *, with_links=False):
    """Remember, before a write, whether readers could see the row (and, for a story
    about to lose its links, what it linked)."""
    from newsroom import entities

    model = type(instance)
    if instance.pk is None:
        return None
    if issubclass(model, _article_model()):
        row = (
            model._default_manager.using(using)
            .filter(pk=instance.pk)
            .values_list("status", "published_at")
            .first()
        )
        state = _state_of(*row) if row else None
        keys = None
        if with_links and state == "public":
            keys = _article_keys(instance, using, publication_changed=True)
        return state, keys, row[1] if row else None
    kind = entities.for_model(model)
    if kind is not None:
        return _entity_state(kind, instance.pk, using)
    return None


def on_pre_save(sender, instance, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    if not raw and _is_public(sender):
        instance._pagecache_before = _before(instance, using)


def on_pre_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    if _is_public(sender):
        instance._pagecache_before = _before(instance, using, with_links=True)


def _keys_for_write(sender, instance, using, *, deleted=False):
    """The keys a saved or deleted row invalidates; None when nothing readers see changed.

    - an article: nothing while it is (and was) a draft, in review or scheduled;
      a live story edited in place (same publication moment): its own key (every
      page that shows it carries it), search, feeds and the sitemap;
      otherwise the story, the lists it appears in (home, article list, feeds,
      sitemap, search), its tags and everything it links (with their houses), and
      when it goes live or comes down, every directory and the pages of what the
      quotes it reports concern (:func:`_reported_keys`);
    - a person, brand, product, campaign or event: nothing while readers cannot
      see it (unless it leaves its owner: see below); otherwise its key, its directory (and those of kinds it owns), what
      it points at, home, search and the sitemap; a row that leaves its owner (a
      bag moved to another house, or deleted) also the old owner's key and the
      owner kind's directory, since it can change which houses are public; when
      an existing one becomes visible by this write, also the pages of what it
      is related to (``surrogate.neighbour_keys``), which never showed it;
    - any other row (quote, ambassadorship, image, tag, ...): its key and the keys
      of what it points at, home and search, and the directories that list it or
      read it through a relation of their kind (``surrogate.related_list_keys``:
      an ambassadorship, the people and houses; a colourway, the bags; a role,
      the people; a tagged story, the tag list); nothing if it belongs to a story
      readers cannot see, or is a tag no story readers can see carries;
    - a many-to-many change: both ends' keys and directories, and the lists a
      story appears in when one end is a live story (see :func:`on_m2m_changed`).
    """
    from newsroom import entities

    before = getattr(instance, "_pagecache_before", None)
    instance.__dict__.pop("_pagecache_before", None)
    Article = _article_model()
    if issubclass(sender, Article):
        was, keys_before, published_at_before = before or (None, None, None)
        now = None if deleted else _state_of(instance.status, instance.published_at)
        if "public" not in (was, now):
            return set() if "scheduled" in (was, now) else None
        if was == now == "public" and instance.published_at == published_at_before:
            # An edit of a live story that keeps its place: every page showing it
            # carries its key. Search, feeds and the sitemap are asked too: a new
            # word may match a search, and feeds and the sitemap show its dates.
            return {surrogate.key_for(instance), surrogate.SEARCH, surrogate.FEEDS, surrogate.SITEMAP}
        keys = set(keys_before or ())
        if not deleted:
            keys |= _article_keys(instance, using, publication_changed=was != now)
            if was != now:
                keys |= _reported_keys(instance, using)
        return keys
    kind = entities.for_model(sender)
    if kind is not None:
        was = before[0] if before else None  # None: a new row
        now = False if deleted else _entity_public(kind, instance.pk, using)
        owner_keys = _owner_keys(kind, instance, before, deleted=deleted)
        if not (was or now):
            if owner_keys:
                return owner_keys
            return set() if getattr(instance, "embargoed_until", None) else None
        keys = _entity_keys(kind, instance) | owner_keys
        if was is False and now:
            # A row readers could not see made public by hand (an embargo lifted
            # early, published by hand): the pages that link or quote it may show
            # it now, and none of them carries its key yet.
            keys |= surrogate.neighbour_keys(sender, [instance.pk], using=using)
        return keys
    if sender._meta.app_label == "sites":
        return {surrogate.ALL}
    story = next(
        (
            f
            for f in sender._meta.concrete_fields
            if f.many_to_one and f.related_model is not None and issubclass(f.related_model, Article)
        ),
        None,
    )
    if story is not None:
        article_id = getattr(instance, story.attname)
        if not Article.objects.published().using(using).filter(pk=article_id).exists():
            return None
    if surrogate.list_key_of(sender) == surrogate.TAGS_LIST and not deleted:
        from newsroom.tags import public_tags

        if not public_tags().using(using).filter(pk=instance.pk).exists():
            return None  # a tag only drafts carry (or none) shows nowhere
    keys = {surrogate.key_for(instance), *surrogate.foreign_keys(instance)}
    keys |= {surrogate.HOME, surrogate.SEARCH}
    # The directories that list it (a tag: the tag list) or read it through a
    # relation of their kind (an ambassadorship: people and houses).
    keys |= {surrogate.list_key_of(sender), *surrogate.related_list_keys(sender)}
    return keys - {None}


def _changed(sender, instance, using, *, raw=False, deleted=False):
    if raw:
        content_changed(using=using)  # loaddata: everything
        return
    keys = _keys_for_write(sender, instance, using, deleted=deleted)
    if keys is None:
        return
    if keys:
        content_changed(*keys, using=using)
    else:
        schedule_changed(using=using)


def on_save(sender, instance, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    if _is_public(sender):
        _changed(sender, instance, using, raw=raw)


def on_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    if _is_public(sender):
        _changed(sender, instance, using, deleted=True)


def on_m2m_changed(sender, instance, action, reverse, model, pk_set, using=DEFAULT_DB_ALIAS, **kwargs):
    """A relation changed: both ends' pages and directories show it.

    A live story's links: the story, its lists, what it links and every directory
    (what it links may become public or hidden through it); a draft's: nothing.
    Any other link (a role given to a person, a bag in a campaign): both ends' keys
    and both ends' directories (``surrogate.list_key_of``), whichever end it was
    changed from; with a live story at the far end also its lists.
    """
    if not _is_public(sender) or not _is_public(type(instance)):
        return
    Article = _article_model()
    if action == "pre_clear":
        if isinstance(instance, Article):
            instance._pagecache_before = _before(instance, using, with_links=True)
        return
    if not action.startswith("post_"):
        return
    if isinstance(instance, Article):
        before = getattr(instance, "_pagecache_before", None)
        instance.__dict__.pop("_pagecache_before", None)
        if not instance.is_published:
            return  # a draft's links show nowhere
        keys = set(before[1] or ()) if before else set()
        keys |= _article_keys(instance, using, publication_changed=True)
        keys |= {surrogate.key_for(pk, model=model) for pk in pk_set or ()} - {None}
        content_changed(*keys, using=using)
        return
    # Both ends' pages, and both ends' directories (a role given to a person: the
    # people directory, whichever end the change was made from).
    keys = {
        surrogate.key_for(instance),
        surrogate.list_key_of(type(instance)),
        surrogate.list_key_of(model),
    } - {None}
    if issubclass(model, Article):
        published = Article.objects.published().using(using)
        if pk_set is not None and not published.filter(pk__in=pk_set).exists():
            return  # links to drafts show nowhere
        keys.update(surrogate.ARTICLE_LISTS)
        keys.update(surrogate.list_keys_of_kinds())
    keys |= {surrogate.key_for(pk, model=model) for pk in pk_set or ()} - {None}
    content_changed(*keys, using=using)


def on_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, **kwargs):
    """After every ``migrate`` (a deploy, say), pages rendered before it are dropped."""
    if app_config is not None and app_config.label == "newsroom":
        content_changed(using=using)


def connect_signals():
    post_migrate.connect(on_migrate, dispatch_uid="pagecache-migrate")
    pre_save.connect(on_pre_save, dispatch_uid="pagecache-pre-save")
    post_save.connect(on_save, dispatch_uid="pagecache-save")
    pre_delete.connect(on_pre_delete, dispatch_uid="pagecache-pre-delete")
    post_delete.connect(on_delete, dispatch_uid="pagecache-delete")
    m2m_changed.connect(on_m2m_changed, dispatch_uid="pagecache-m2m")
    surrogate.connect_signals()


# -- middleware ----------------------------------------------------------------------


class PageCacheMiddleware:
    """Serve anonymous readers whole pages from the cache.

    Place it high in MIDDLEWARE, below ConditionalGetMiddleware (which turns the
    stored ETag and Last-Modified into 304s) and above the session, CSRF, message
    and security-header middleware, so that what it stores already carries every
    header and cookie those add.
    """

    HIT = "hit"
    MISS = "miss"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if page_cache_seconds() <= 0 or not self.is_cacheable_request(request):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                # Possibly personal (staff, previews): no shared cache may keep it.
                patch_cache_control(response, private=True)
            return response

        using = DEFAULT_DB_ALIAS
        key = self.key(request)
        state, current = read([key], using)
        if state is None:
            with surrogate.collect() as recorder:
                response = self.get_response(request)
            self.label(response, self.keys(response, recorder), None)
            return response

        if key in current:
            generations, frozen = current[key]
            response = self.rebuild(frozen)
            self.label(response, generations, state)
            return response

        with surrogate.collect() as recorder:
            response = self.get_response(request)
        keys = self.keys(response, recorder)
        if self.is_cacheable_response(response):
            self.prepare(response)
            timeout = min(page_cache_seconds(), state.next_point - timezone.now().timestamp())
            if keep(key, self.freeze(response), keys, state, timeout, using):
                response["X-Page-Cache"] = self.MISS
        self.label(response, keys, state)
        return response

    # -- what may be cached ---------------------------------------------------------

    @staticmethod
    def is_cacheable_request(request):
        if request.method not in ("GET", "HEAD"):
            return False
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return False
        if "HTTP_AUTHORIZATION" in request.META:
            return False
        admin_prefix = "/" + getattr(settings, "ADMIN_PATH", "admin/")
        return not request.path.startswith(admin_prefix)

    @staticmethod
    def is_cacheable_response(response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return False
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        # Requests with a session cookie never reach the cache, so every request that
        # does would get the same page: only other Vary headers make a page personal.
        return vary <= {"cookie"}

    # -- keys and storage -----------------------------------------------------------

    @staticmethod
    def key(request):
        # GET and HEAD share entries: the server drops the body of a HEAD response.
        return entry_key("page", request.build_absolute_uri())

    @staticmethod
    def keys(response, recorder):
        """What the page showed: the recorded keys and any the view put in the header.

        A view of an app that does not import this one (catalog) declares its keys by
        setting ``Surrogate-Key`` on its response.
        """
        own = response.get(surrogate.HEADER)
        if own is not None:
            recorder.keys.update(own.split())
            recorder.declared = True
        return recorder.final_keys()

    @staticmethod
    def label(response, keys, state):
        """The ``Surrogate-Key`` header and the shared caches' lifetime of a public page."""
        if response.status_code != 200 or response.streaming:
            return
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return
        response[surrogate.HEADER] = surrogate.header_value(keys)
        if state is None:
            return  # the schedule is unknown: shared caches must not keep it
        lifetime = int(min(page_cache_seconds(), state.next_point - timezone.now().timestamp()))
        if lifetime >= 1:
            # Browsers revalidate every time; Varnish and CDNs keep the page until a purge.
            patch_cache_control(response, s_maxage=lifetime)
            response["Surrogate-Control"] = f"max-age={lifetime}"

    @staticmethod
    def prepare(response):
        if not response.has_header("ETag"):
            set_response_etag(response)
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date()
        # Browsers and proxies may keep it but must ask again every time (a 304
        # answer is cheap): a change must show on the very next request.
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, max_age=0, must_revalidate=True)
        patch_vary_headers(response, ("Cookie",))

    @staticmethod
    def freeze(response):
        headers = [
            (name, value)
            for name, value in response.items()
            if name not in (surrogate.HEADER, "Surrogate-Control")
        ]
        return (response.status_code, headers, response.content)

    def rebuild(self, frozen):
        status, headers, content = frozen
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response["X-Page-Cache"] = self.HIT
        return response
