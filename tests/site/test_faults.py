"""A database or cache that hangs: the site answers fast, with its own 503 page or uncached."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connection
from django.test import Client

from catalog.models import ProductImage
from config import cache as cache_backend
from newsroom import cache as page_cache
from newsroom.middleware import is_database_unavailable
from tests.conftest import png_bytes
from tests.factories import make_article, make_brand, make_product

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_SERVER = "/usr/bin/redis-server"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)  # the kernel completes handshakes; nobody ever reads or answers
    yield server.getsockname()[1]
    server.close()


def _run_django(code, env, timeout=60):
    """Run ``code`` in a fresh process with the project's own settings and ``env``."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    prelude = (
        "import django, json, time\n"
        "django.setup()\n"
        "from django.test.utils import setup_test_environment, override_settings\n"
        "setup_test_environment()\n"
        "from django.test import Client\n"
        "from django.conf import settings\n"
        # As in the suite: no collectstatic manifest needed.
        "override_settings(STORAGES={**settings.STORAGES, 'staticfiles': {'BACKEND':"
        " 'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- database ------------------------------------------------------------------------

_FETCH = """
def fetch(path):
    client = Client(raise_request_exception=False)
    started = time.monotonic()
    response = client.get(path)
    return {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "body": response.content.decode(),
        "seconds": time.monotonic() - started,
    }
"""


def test_a_database_that_never_answers_gets_the_503_page_quickly(silent_server, tmp_path):
    code = _FETCH + (
        "from django.conf import settings\n"
        "out = {'options': settings.DATABASES['default']['OPTIONS']}\n"
        # The page cache asks the database first (its schedule): a middleware fails.
        "out['cached'] = fetch('/')\n"
        # No page cache: the view itself fails.
        "with override_settings(PAGE_CACHE_SECONDS=0):\n"
        "    out['view'] = fetch('/articles/')\n"
        "print(json.dumps(out))\n"
    )
    out = _run_django(
        code,
        {
            "DATABASE_URL": f"postgres://reader@127.0.0.1:{silent_server}/newsroom",
            "DJANGO_DB_CONNECT_TIMEOUT": "2",
            "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
            "DJANGO_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
        },
    )
    assert out["options"]["connect_timeout"] == 2
    assert "statement_timeout=" in out["options"]["options"]
    for page in (out["cached"], out["view"]):
        assert page["status"] == 503
        assert page["retry_after"] and int(page["retry_after"]) > 0
        assert "We will be back in a moment" in page["body"]
        assert 'class="site-header"' in page["body"]  # the site's own look
        assert page["seconds"] < 15  # a hung server held the worker for 30 s before


@pytest.mark.django_db
def test_postgresql_connections_carry_the_statement_timeout(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (value,) = cursor.fetchone()
    expected = settings.DB_STATEMENT_TIMEOUT_MS
    assert value in (f"{expected}ms", f"{expected // 1000}s")


@pytest.mark.django_db
def test_a_statement_past_its_timeout_gets_the_503_page():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SELECT pg_sleep")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    code = _FETCH + (
        "import types\n"
        "from django.db import connection\n"
        "from django.http import HttpResponse\n"
        "from django.urls import path\n"
        "def slow(request):\n"
        "    with connection.cursor() as cursor:\n"
        "        cursor.execute('SELECT pg_sleep(5)')\n"
        "    return HttpResponse('done')\n"
        "urls = types.ModuleType('slow_urls')\n"
        "from config import urls as site_urls\n"
        "urls.urlpatterns = [path('slow/', slow), *site_urls.urlpatterns]\n"
        "with override_settings(ROOT_URLCONF=urls, PAGE_CACHE_SECONDS=0):\n"
        "    print(json.dumps(fetch('/slow/')))\n"
    )
    env = {"DATABASE_URL": url, "DJANGO_DB_STATEMENT_TIMEOUT_MS": "300"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    page = _run_django(code, env)
    assert page["status"] == 503
    assert page["retry_after"]
    assert page["seconds"] < 4  # cancelled after 0.3 s, not after pg_sleep's 5


@pytest.mark.django_db
def test_a_cancelled_statement_counts_as_the_database_being_unavailable():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with pytest.raises(OperationalError) as caught, connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")
    assert type(caught.value.__cause__).__name__ == "QueryCanceled"
    assert is_database_unavailable(caught.value)


def test_sqlite_errors_that_are_bugs_are_not_an_outage():
    import sqlite3

    def wrapped(message):
        error = OperationalError(message)
        error.__cause__ = sqlite3.OperationalError(message)
        return error

    assert is_database_unavailable(wrapped("database is locked"))
    assert not is_database_unavailable(wrapped("no such table: newsroom_article"))


# -- Redis ---------------------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server on a free port; yields its process."""
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    process.port = port
    yield process
    process.send_signal(signal.SIGCONT)
    process.terminate()
    process.wait(timeout=10)


def _use_redis(settings, port):
    """The project's Redis cache settings (config/settings.py), pointed at ``port``."""
    from config import settings as project

    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "faults",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": project.CACHE_CONNECT_TIMEOUT,
                "SOCKET_TIMEOUT": project.CACHE_SOCKET_TIMEOUT,
                "BACKOFF_SECONDS": project.CACHE_BACKOFF_SECONDS,
            },
        }
    }


@pytest.fixture
def reader_pages(db):
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(pk=1, defaults={"domain": "testserver", "name": "Test"})
    Site.objects.clear_cache()
    brand = make_brand(name="Balenciaga")
    bag = make_product(name="Bel Air", brand=brand)
    for n in range(3):
        picture = ProductImage(product=bag, alt_text=f"View {n}")
        picture.image.save(f"bel-air-{n}.png", ContentFile(png_bytes()), save=True)
    articles = []
    for n in range(6):  # every story with a lead image: one cache read per image
        article = make_article(headline=f"Balenciaga story {n}", lead_image_alt="A bag")
        article.lead_image.save(f"lead-{n}.png", ContentFile(png_bytes()), save=True)
        article.brands.add(brand)
        article.products.add(bag)
        articles.append(article)
    yield ["/", articles[0].get_absolute_url(), brand.get_absolute_url(), bag.get_absolute_url()]
    Site.objects.clear_cache()


def test_the_redis_cache_works_through_the_backend(settings, redis_server, reader_pages):
    from django.core.cache import cache

    _use_redis(settings, redis_server.port)
    cache.set("greeting", "hello", 30)
    assert cache.get("greeting") == "hello"
    assert cache.get_many(["greeting", "absent"]) == {"greeting": "hello"}
    client = Client()
    assert client.get(reader_pages[0])["X-Page-Cache"] == "miss"
    assert client.get(reader_pages[0])["X-Page-Cache"] == "hit"


def test_pages_stay_fast_while_redis_hangs(settings, redis_server, reader_pages):
    _use_redis(settings, redis_server.port)
    client = Client()
    for url in reader_pages:  # warm: pages and renditions in Redis
        assert client.get(url).status_code == 200
    page_cache.reset()

    redis_server.send_signal(signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        for _round in range(3):
            for url in reader_pages:
                started = time.monotonic()
                response = client.get(url)
                assert response.status_code == 200
                # One socket timeout (0.5 s) at most, not one per cache call.
                assert time.monotonic() - started < 3, url
    finally:
        redis_server.send_signal(signal.SIGCONT)


def test_a_hung_redis_is_skipped_then_tried_again(settings, redis_server, monkeypatch):
    from django.core.cache import cache

    _use_redis(settings, redis_server.port)
    cache.set("key", "value", 30)
    redis_server.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        for _ in range(20):
            assert cache.get("key") is None  # a miss, not an error
            assert cache.get("key", "fallback") == "fallback"
            assert cache.get_many(["key"]) == {}
            cache.set("key", "other", 30)
        assert time.monotonic() - started < 3  # one timeout, then skipped
    finally:
        redis_server.send_signal(signal.SIGCONT)
    # After the back-off period the next call reaches Redis again.
    later = time.monotonic() + settings.CACHES["default"]["OPTIONS"]["BACKOFF_SECONDS"] + 1
    monkeypatch.setattr(cache_backend.time, "monotonic", lambda: later)
    assert cache.get("key") == "value"


def test_an_unreachable_redis_logs_one_line_per_backoff_period(settings, caplog, monkeypatch):
    from django.core.cache import cache

    _use_redis(settings, _free_port())  # nothing listens there
    caplog.set_level(logging.INFO)
    for _ in range(50):
        cache.get("a")
        cache.set("a", 1)
        cache.get_many(["a", "b"])
        cache.delete("a")
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1
    assert lines[0].name == "config.cache"
    assert lines[0].exc_info is None and "\n" not in lines[0].getMessage()

    later = time.monotonic() + settings.CACHES["default"]["OPTIONS"]["BACKOFF_SECONDS"] + 1
    monkeypatch.setattr(cache_backend.time, "monotonic", lambda: later)
    for _ in range(50):
        cache.get("a")
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 2


def test_the_page_cache_back_off_resets():
    page_cache._mark_unavailable()
    assert page_cache.current_state() is None
    page_cache.reset()
    assert page_cache._unavailable_until == 0.0 and not page_cache._refresh_pending
