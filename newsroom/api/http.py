"""HTTP for the API: validators, cache headers, surrogate keys and JSON errors.

- ``ETag`` is a hash of the body, so it changes exactly when the answer does;
  ``Last-Modified`` is the moment this URL first answered with that body
  (remembered in the shared cache next to the ETag). Django's
  ``ConditionalGetMiddleware`` turns both into 304s.
- ``Cache-Control: max-age=0, must-revalidate``, as the pages get from the page
  cache: clients keep the answer and revalidate it, a change shows at once.
- ``Surrogate-Key`` names every row the answer shows (``person-3``,
  ``people-list``), the keys the cache tier purges when a row changes.
- Errors are JSON: ``{"detail": "...", "status": 400}`` (plus ``parameter``
  for a bad query parameter), whatever raised them.
"""

import hashlib
import time

from django.core.cache import cache
from django.http import JsonResponse
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from .params import BadParameter

LAST_MODIFIED_TIMEOUT = 60 * 60 * 24 * 30


def add_surrogate_keys(response, keys):
    """Set ``Surrogate-Key`` to ``keys`` (``kind.cache_key(pk)`` strings), space-separated."""
    existing = response.get("Surrogate-Key", "").split()
    merged = dict.fromkeys([*existing, *sorted(keys)])
    if merged:
        response["Surrogate-Key"] = " ".join(merged)
    return response


def add_validators(request, response):
    """``ETag`` from the body, and ``Last-Modified``: when this URL first gave that body."""
    if response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    set_response_etag(response)
    etag = response["ETag"]
    url = request.build_absolute_uri()
    key = "api:last-modified:" + hashlib.blake2s(url.encode(), digest_size=16).hexdigest()
    known = cache.get(key)
    if known is not None and known[0] == etag:
        since = known[1]
    else:
        # HTTP dates count whole seconds: a new body always gets a later date than
        # the one before it, even within the same second, so no client that saw
        # the old body is told "not modified".
        since = int(time.time())
        if known is not None:
            since = max(since, known[1] + 1)
        cache.set(key, (etag, since), LAST_MODIFIED_TIMEOUT)
    response["Last-Modified"] = http_date(since)
    patch_cache_control(response, max_age=0, must_revalidate=True)
    return response


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's per-address throttle, its rate read from the settings at each request.

    Counters live in the default cache (Redis when configured), so every worker
    and host shares them. No rate (``DJANGO_API_ANON_RATE=""``): no limit.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handling
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict | list):
        message = "; ".join(_flatten(detail)) or "Bad request."
    else:
        message = str(detail) if detail is not None else response.status_text
    body = {"detail": message, "status": response.status_code}
    if isinstance(exc, BadParameter):
        body["parameter"] = exc.parameter
    response.data = body
    response["Cache-Control"] = "no-store"
    return response


def _flatten(detail):
    if isinstance(detail, dict):
        for key, value in detail.items():
            for text in _flatten(value):
                yield f"{key}: {text}"
    elif isinstance(detail, list):
        for value in detail:
            yield from _flatten(value)
    else:
        yield str(detail)


def json_error(status, message):
    response = JsonResponse({"detail": message, "status": status}, status=status)
    response["Cache-Control"] = "no-store"
    return response
