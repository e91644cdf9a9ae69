"""HTTP behaviour: validators and 304s, rate limits, CORS, methods, JSON errors, hostile input."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import make_article, make_person, make_product

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def story():
    article = make_article(headline="A story")
    article.people.add(make_person(name="Someone"))
    return article


def test_etag_answers_304_and_a_change_answers_200(client, story):
    url = f"{API}articles/{story.slug}/"
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Cache-Control"] == "max-age=0, must-revalidate"
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    story.headline = "A changed story"
    story.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_last_modified_is_when_the_answer_last_changed(client, story):
    url = f"{API}articles/{story.slug}/"
    since = client.get(url)["Last-Modified"]
    assert client.get(url)["Last-Modified"] == since
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    # Changed within the same second as the first answer: still not "not modified".
    story.dek = "New standfirst"
    story.save()
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=since)
    assert response.status_code == 200
    assert response.json()["dek"] == "New standfirst"
    assert response["Last-Modified"] != since


def test_anonymous_clients_are_rate_limited_with_retry_after(settings, story):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": ["newsroom.api.http.AnonymousRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }
    client = Client(REMOTE_ADDR="10.0.0.1")
    codes = [client.get(f"{API}articles/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get(API)
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited.json()["status"] == 429
    # The counters live in the shared cache, per address: another address may go on.
    assert len(cache.get("throttle_anon_10.0.0.1")) == 3
    assert Client(REMOTE_ADDR="10.0.0.2").get(API).status_code == 200
    # A forged X-Forwarded-For does not make a new client.
    forged = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert forged.get(API).status_code == 429


def test_cors_allows_get_from_configured_origins_only(client, settings, story):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    allowed = client.get(f"{API}articles/", HTTP_ORIGIN="https://app.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "origin" in allowed["Vary"].lower()
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    other = client.get(f"{API}articles/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        f"{API}articles/",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    # Reader pages are not opened to other origins.
    page = client.get("/articles/", HTTP_ORIGIN="https://app.example.com")
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "trace"])
def test_methods_other_than_get_head_options_answer_405_in_json(client, method, story):
    for url in (API, f"{API}articles/", f"{API}articles/{story.slug}/"):
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response.json()["status"] == 405
        assert "GET" in response["Allow"]


def test_head_and_options_answer(client, story):
    assert client.head(f"{API}articles/").status_code == 200
    assert client.options(f"{API}articles/").status_code == 200


def test_not_found_is_json(client):
    for url in (f"{API}articles/no-such-story/", f"{API}nothing-here/", f"{API}a/b/c/d/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["status"] == 404


HOSTILE = [
    "articles/?after=junk",
    "articles/?after=99999999999999999999999-1",
    "articles/?after=１２３-4",
    "articles/?before=1-99999999999999999999",
    "articles/?after=1-1&before=1-1",
    "articles/?after=" + "1" * 5000,
    "articles/?limit=100000",
    "articles/?limit=0",
    "articles/?limit=-1",
    "articles/?limit=abc",
    "articles/?limit=1e3",
    "articles/?limit=1&limit=2",
    "articles/?ordering=-headline",
    "articles/?order_by=id",
    "articles/?status=draft",
    "articles/?tag=<script>",
    "articles/?person=a%00b",
    "articles/?year=20x4",
    "articles/?year=99999",
    "people/?after=not%20a%20slug",
    "people/?before=" + "a" * 300,
    "people/?role=%E2%80%AE",
    "products/?category=spaceship",
    "products/?colour=" + "x" * 500,
    "products/?colour=a%00b",
    "products/?house=%ff",
    "series/?after=%E2%80%AE",
    "events/?kind=%00",
    "tags/?search=x",
    "articles/kim/?expand=everything",
    "?page=2",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_parameters_answer_400_in_json(client, query, story):
    make_product()
    response = client.get(API + query)
    assert response.status_code == 400 or (
        query.startswith("articles/kim/") and response.status_code == 404
    ), (query, response.status_code)
    body = response.json()
    assert body["status"] == response.status_code
    assert body["detail"]


def test_the_page_cache_keeps_api_answers_exactly(client, settings, story):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[
            : settings.MIDDLEWARE.index("catalog.storage.DegradedPagesMiddleware")
        ],
        "newsroom.cache.PageCacheMiddleware",
        *settings.MIDDLEWARE[
            settings.MIDDLEWARE.index("catalog.storage.DegradedPagesMiddleware") :
        ],
    ]
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    url = f"{API}articles/{story.slug}/"
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    hit = client.get(url, HTTP_ORIGIN="https://app.example.com")
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == first.content
    assert hit["ETag"] == first["ETag"]
    assert hit["Surrogate-Key"] == first["Surrogate-Key"]
    # CORS headers are worked out per request, outside the stored answer.
    assert hit["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in client.get(url)
    # A change shows on the very next request.
    story.headline = "A fresh headline"
    story.save()
    fresh = client.get(url)
    assert fresh.json()["headline"] == "A fresh headline"
