"""A Redis cache that steps aside while Redis is unreachable.

django-redis can ignore connection errors, but each call still waits for its
socket timeout first, and logs a traceback. While Redis hangs (a stopped
process, a dead host whose packets vanish), a page making twenty cache calls
would then wait twenty timeouts.

:class:`ResilientRedisCache` is django-redis's backend with one rule added: after
a call fails to reach Redis, every call in this process skips Redis for a
back-off period (``OPTIONS["BACKOFF_SECONDS"]``) and answers as if the key were
missing (``get`` returns its default, ``get_many`` an empty dict, writes do
nothing). The first call after the period tries Redis again. So a hung Redis
costs a page at most one timeout, every cache user (page cache, image
renditions, sessions, ...) gets that without knowing, and the log gets one line
per back-off period instead of a traceback per call.
"""

import logging
import threading
import time

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DEFAULT_BACKOFF_SECONDS = 5.0

# Back-off state per Redis location, for the whole process: Django makes one
# backend instance per thread, and they must all step aside together.
_lock = threading.Lock()
_skip_until = {}


def reset():
    """Forget every back-off (tests; a process that knows Redis is back)."""
    with _lock:
        _skip_until.clear()


def _missing(name, args, kwargs):
    """What a call answers when Redis is skipped: what a cache without the key answers."""
    if name == "get":
        return kwargs["default"] if "default" in kwargs else (args[1] if len(args) > 1 else None)
    if name == "get_many":
        return {}
    if name in ("add", "has_key", "delete", "touch", "set"):
        return False
    if name == "set_many":
        data = kwargs.get("data", args[0] if args else {})
        return list(data)  # Django's contract: the keys that were not stored
    if name in ("delete_many", "clear"):
        return None
    if name in ("keys", "iter_keys"):
        return []
    return None


def _guarded(name, method):
    def call(self, *args, **kwargs):
        if self._skipping():
            return _missing(name, args, kwargs)
        try:
            result = method(self, *args, **kwargs)
        except ConnectionInterrupted as exc:
            self._failed(exc.__cause__ or exc)
        except (RedisError, OSError) as exc:
            self._failed(exc)
        else:
            if _skip_until:
                self._recovered()
            return result
        return _missing(name, args, kwargs)

    call.__name__ = name
    call.__qualname__ = f"ResilientRedisCache.{name}"
    call.__doc__ = method.__doc__
    return call


class ResilientRedisCache(RedisCache):
    """django-redis's ``RedisCache`` that skips Redis for a while after it failed."""

    def __init__(self, server, params):
        super().__init__(server, params)
        options = params.get("OPTIONS", {})
        self._backoff = float(options.get("BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS))
        self._location = server
        # Errors reach the guard below, which handles and logs them once per period.
        self._ignore_exceptions = False
        self._log_ignored_exceptions = False

    def _skipping(self):
        until = _skip_until.get(self._location)
        return until is not None and time.monotonic() < until

    def _failed(self, exc):
        now = time.monotonic()
        with _lock:
            until = _skip_until.get(self._location)
            if until is not None and now < until:
                return  # another thread already started this period and logged it
            _skip_until[self._location] = now + self._backoff
        message = str(exc).splitlines()[0] if str(exc) else ""
        logger.warning(
            "Redis cache unavailable (%s: %s); serving without it for %g s",
            type(exc).__name__,
            message,
            self._backoff,
        )

    def _recovered(self):
        with _lock:
            if _skip_until.pop(self._location, None) is None:
                return
        logger.info("Redis cache reachable again")


# Every call django-redis guards with its error handling (plus ``get``, which it
# guards through ``_get``) goes through the back-off guard instead; ``lock``
# returns an object whose calls fail on their own, ``close`` must always run.
for _name, _method in list(vars(RedisCache).items()):
    if _name.startswith("_") or _name in ("lock", "close") or not callable(_method):
        continue
    if _name == "get" or hasattr(_method, "__wrapped__"):
        setattr(ResilientRedisCache, _name, _guarded(_name, _method))
del _name, _method
