"""Whole-page cache for anonymous readers, with exact invalidation.

How a page stays exact
----------------------
Every cached page is stored under the current *content version*, a random token
kept in the cache. Any write to public content (a save, a delete or an M2M change
of an article, person, brand, product, campaign, quote, tag, ...) replaces the
token, so the very next request misses and renders afresh; old entries are never
read again and expire on their own.

Content also becomes public with no write at all: a scheduled article goes live
at its ``published_at`` and an embargo lifts at its ``embargoed_until``. Next to
the version the cache keeps the *next schedule point*, the earliest of those
moments still in the future. A request made at or after it replaces the version
(so pages rendered before the moment are dropped), computes the next point, and
goes on. Pages are also never kept past that moment.

Every ``migrate`` (a deploy) starts a new version too, since new code may render
the same content differently; writes made by migrations themselves (historical
models) are covered by that.

Races: the version and the next point are written in the order "new version,
then query the database, then store the next point, then check that the version
is still ours" (and again if not), so a next point computed before a concurrent
commit never outlives the version that commit sets. Writes inside a transaction
refresh the state at once (the transaction sees its own rows) and once more
after the commit, when every other connection sees them.

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
request that finds it again.

Writes that send no signals (``QuerySet.update()``, ``bulk_create()``, raw SQL)
must call :func:`content_changed` themselves.
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
from django.db.models import IntegerField, Min, Value
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

logger = logging.getLogger(__name__)

# Models whose rows readers can see somewhere. Changes to anything else (the audit
# trail, share links, revisions, users, sessions) leave the public pages alone.
PUBLIC_APPS = {"catalog", "newsroom", "taggit", "sites"}
PRIVATE_MODELS = {"newsroom.editorialevent", "newsroom.reviewlink"}

REFRESH_ATTEMPTS = 3
# After the cache failed, requests skip it for this long before trying again.
UNAVAILABLE_BACKOFF = 5.0


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def page_cache_seconds():
    return getattr(settings, "PAGE_CACHE_SECONDS", 600)


def _state_keys(using=DEFAULT_DB_ALIAS):
    """Keys of the shared state, per database, so two databases never share one."""
    name = str(connections[using].settings_dict["NAME"])
    db = hashlib.blake2s(name.encode(), digest_size=6).hexdigest()
    return f"pagecache:{db}:version", f"pagecache:{db}:next", f"pagecache:{db}:lock"


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
    return scheduled.union(*embargoes, all=True)


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
    version: str
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


_ready_databases = set()


def _schedule_tables_exist(using):
    """False while a migration is still to create a table the schedule query reads."""
    if using in _ready_databases:
        return True
    from newsroom.models import Article

    tables = {model._meta.db_table for model in _scheduled_models()} | {Article._meta.db_table}
    if tables <= set(connections[using].introspection.table_names()):
        _ready_databases.add(using)
        return True
    return False


def refresh(using=DEFAULT_DB_ALIAS):
    """Start a new content version and store the next schedule point under it.

    Returns the new state, or None when the cache cannot be reached.
    """
    global _refresh_pending
    cache = _cache()
    version_key, next_key, _ = _state_keys(using)
    for _attempt in range(REFRESH_ATTEMPTS):
        version = secrets.token_hex(8)
        cache.set(version_key, version, None)
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


def current_state(using=DEFAULT_DB_ALIAS):
    """The state pages are cached under now, or None to serve this request uncached."""
    if time.monotonic() < _unavailable_until:
        return None
    cache = _cache()
    version_key, next_key, lock_key = _state_keys(using)
    values = cache.get_many([version_key, next_key])
    version, next_point = values.get(version_key), values.get(next_key)
    if (
        version is not None
        and next_point is not None
        and timezone.now().timestamp() < next_point
        and not _refresh_pending
    ):
        return State(version, next_point)
    # First request after a flush, after a schedule point passed, or after a write
    # that could not reach the cache: one process refreshes, the others go uncached.
    if not cache.add(lock_key, 1, timeout=10):
        if cache.get(lock_key) is None:
            _mark_unavailable()
        return None
    try:
        return refresh(using)
    finally:
        cache.delete(lock_key)


def content_changed(*, using=DEFAULT_DB_ALIAS):
    """Invalidate every cached page: public content changed.

    Inside a transaction, refresh now (so this connection's own next requests and
    tests see it) and once more after the commit, when other connections see the
    rows too. Several writes in one transaction share the after-commit refresh.
    """
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        refresh(using)
        if not any(func is _refresh_after_commit for _, func, _ in connection.run_on_commit):
            transaction.on_commit(_refresh_after_commit, using=using)
    else:
        refresh(using)


def _refresh_after_commit():
    refresh()


# -- signal receivers ----------------------------------------------------------------


def _is_public(model):
    meta = model._meta
    if meta.apps is not global_apps:
        return False  # a migration's historical model: on_migrate covers migrations
    return meta.app_label in PUBLIC_APPS and meta.label_lower not in PRIVATE_MODELS


def on_save_or_delete(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if _is_public(sender):
        content_changed(using=using)


def on_m2m_changed(sender, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if action.startswith("post_") and _is_public(sender):
        content_changed(using=using)


def on_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, **kwargs):
    """After every ``migrate`` (a deploy, say), pages rendered before it are dropped."""
    if app_config is not None and app_config.label == "newsroom":
        content_changed(using=using)


def connect_signals():
    post_migrate.connect(on_migrate, dispatch_uid="pagecache-migrate")
    post_save.connect(on_save_or_delete, dispatch_uid="pagecache-save")
    post_delete.connect(on_save_or_delete, dispatch_uid="pagecache-delete")
    m2m_changed.connect(on_m2m_changed, dispatch_uid="pagecache-m2m")


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

        state = current_state()
        if state is None:
            return self.get_response(request)

        cache = _cache()
        key = self.key(request, state)
        stored = cache.get(key)
        if stored is not None:
            return self.rebuild(stored)

        response = self.get_response(request)
        if self.is_cacheable_response(response):
            now = timezone.now().timestamp()
            # Never keep a page past the next schedule point, nor one rendered across it.
            timeout = min(page_cache_seconds(), state.next_point - now)
            if timeout >= 1:
                self.prepare(response)
                cache.set(key, self.freeze(response), int(timeout))
                response["X-Page-Cache"] = self.MISS
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
    def key(request, state):
        # GET and HEAD share entries: the server drops the body of a HEAD response.
        url = request.build_absolute_uri()
        digest = hashlib.blake2s(url.encode(), digest_size=16).hexdigest()
        return f"page:{state.version}:{digest}"

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
        return (response.status_code, list(response.items()), response.content)

    def rebuild(self, stored):
        status, headers, content = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response["X-Page-Cache"] = self.HIT
        return response
