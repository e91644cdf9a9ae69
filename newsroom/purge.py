"""Purging the HTTP cache tier (Varnish with xkey, or a CDN) by surrogate key.

After a write commits, :func:`send` hands the keys it invalidated to a
background thread, which sends them, batched, as one ``PURGE`` request per URL
in ``settings.PURGE_URLS`` (``DJANGO_PURGE_URLS``, comma-separated), with the keys
space-separated in an ``xkey-purge`` header (and ``Surrogate-Key``, for proxies
that read Fastly's name). Each request has a short timeout
(``DJANGO_PURGE_TIMEOUT``), is retried once, and every failure is logged; the
editor's save never waits for it and never fails because of it.

Keys that arrive while a batch is being sent go out in the next batch, so a
burst of saves costs a few requests, not one per save.
"""

import logging
import queue
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)

MAX_KEYS_PER_REQUEST = 200
RETRY_DELAY = 0.2

_queue = queue.Queue()
_worker = None
_worker_lock = threading.Lock()
_idle = threading.Condition()
_in_flight = 0
stats = {"batches": 0, "requests": 0, "failures": 0, "keys": 0}


def purge_urls():
    return [url for url in getattr(settings, "PURGE_URLS", []) if url]


def send(keys):
    """Queue ``keys`` for purging at every purge URL; returns at once."""
    global _in_flight
    urls = purge_urls()
    if not urls or not keys:
        return
    with _idle:
        _in_flight += 1
    _queue.put((tuple(urls), frozenset(keys)))
    _ensure_worker()


def _ensure_worker():
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="surrogate-key-purger", daemon=True)
            _worker.start()


def _run():
    global _in_flight
    while True:
        first = _queue.get()
        batch = [first]
        while True:  # everything queued meanwhile goes in the same batch
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        by_url = {}
        for urls, keys in batch:
            for url in urls:
                by_url.setdefault(url, set()).update(keys)
        try:
            stats["batches"] += 1
            for url, keys in by_url.items():
                ordered = sorted(keys)
                for start in range(0, len(ordered), MAX_KEYS_PER_REQUEST):
                    _purge(url, ordered[start : start + MAX_KEYS_PER_REQUEST])
        except Exception:  # never let the worker die
            logger.exception("Purging the HTTP cache failed")
        finally:
            with _idle:
                _in_flight -= len(batch)
                _idle.notify_all()


def _purge(url, keys):
    timeout = getattr(settings, "PURGE_TIMEOUT", 2.0)
    value = " ".join(keys)
    for attempt in (1, 2):
        request = urllib.request.Request(
            url, method="PURGE", headers={"xkey-purge": value, "Surrogate-Key": value}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read()
            stats["requests"] += 1
            stats["keys"] += len(keys)
            logger.info("Purged %d keys at %s", len(keys), url)
            return True
        except (urllib.error.URLError, OSError, ValueError) as exc:
            stats["failures"] += 1
            if attempt == 1:
                logger.warning("Purge at %s failed (%s); retrying once", url, exc)
                time.sleep(RETRY_DELAY)
            else:
                logger.error("Purge of %d keys at %s failed twice: %s", len(keys), url, exc)
    return False


def wait(timeout=10.0):
    """Block until every queued purge was sent (tests, and a process about to exit)."""
    deadline = time.monotonic() + timeout
    with _idle:
        while _in_flight:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            _idle.wait(remaining)
    return True
