"""Request rules that hold for every reader page, set once here rather than per view.

- :class:`ReaderMethodsMiddleware`: reader pages answer GET and HEAD only (plus
  POST where a view says so with :func:`allow_methods`); anything else, TRACE and
  OPTIONS included, gets 405 with an ``Allow`` header. The admin keeps its own.
- :class:`DatabaseUnavailableMiddleware` and :func:`server_error`: when the
  database cannot answer (down, hung past its connect timeout, a statement
  cancelled by its timeout), the reader gets the site's own 503 page with
  ``Retry-After`` at once, not a 500 after the worker timed out.
"""

import logging
import sqlite3
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD"})
RETRY_AFTER_SECONDS = 10


# -- methods -------------------------------------------------------------------------


def allow_methods(*methods):
    """Let a reader view answer these methods (say ``"GET", "HEAD", "POST"``).

    The middleware below reads the list; the view is also wrapped in Django's
    ``require_http_methods`` so that it holds wherever the view is mounted.
    """
    allowed = frozenset(method.upper() for method in methods)

    def decorator(view):
        wrapped = require_http_methods(sorted(allowed))(view)
        wrapped.allowed_methods = allowed
        return wrapped

    return decorator


def _is_admin(request):
    return request.path_info.startswith("/" + getattr(settings, "ADMIN_PATH", "admin/"))


class ReaderMethodsMiddleware:
    """405 for every method a reader view has not asked for; GET and HEAD by default.

    Sits above the CSRF middleware, so that a POST to a page with no form is
    refused as a method (405), not as a forgery (403).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _is_admin(request):
            return None
        allowed = getattr(view_func, "allowed_methods", SAFE_METHODS)
        if request.method in allowed:
            return None
        response = HttpResponseNotAllowed(sorted(allowed))
        add_never_cache_headers(response)
        return response


# -- the database cannot answer ------------------------------------------------------


def is_database_unavailable(exc):
    """True for errors that mean "the database cannot answer now", not a bug.

    PostgreSQL: any connection failure or timeout, and a statement cancelled by
    ``statement_timeout`` (psycopg's ``QueryCanceled``). SQLite: a database that
    stays locked or busy. A missing table or a bad query is not one of them.
    """
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        message = str(cause).lower()
        return "locked" in message or "busy" in message
    return True


def database_unavailable_response(exc=None):
    """The site's 503 page, rendered without the request: nothing in it needs the database."""
    if exc is not None:
        first_line = next(iter(str(exc).strip().splitlines()), "")
        logger.warning("Database unavailable: %s: %s", type(exc).__name__, first_line)
    body = loader.get_template("503.html").render({"site_name": settings.SITE_NAME})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a view's database outage into the 503 page (see :func:`server_error` for
    outages met outside views, in other middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return database_unavailable_response(exception)
        return None


def server_error(request):
    """``handler500``: the 503 page for a database outage, the 500 page otherwise."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return database_unavailable_response(exc)
    from newsroom.views.site import server_error as page

    return page(request)
