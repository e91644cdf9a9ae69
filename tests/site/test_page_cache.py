"""The whole-page cache: what it serves, to whom, and that every change shows at once."""

from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from newsroom import cache as pagecache
from newsroom.models import Article
from tests.factories import (
    make_article,
    make_brand,
    make_person,
    make_product,
    make_quote,
    tomorrow,
)

pytestmark = pytest.mark.django_db

HIT = "hit"


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code in (200, 304, 404), (url, response.status_code)
    return response


def is_hit(response):
    return response.get("X-Page-Cache") == HIT


@pytest.fixture(autouse=True)
def _reset_process_state():
    pagecache._unavailable_until = 0.0
    pagecache._refresh_pending = False
    yield
    pagecache._unavailable_until = 0.0
    pagecache._refresh_pending = False


@pytest.fixture
def story():
    person = make_person(name="Ines Moreau")
    article = make_article(headline="Ines Moreau fronts the campaign")
    article.people.add(person)
    return article, person


def pages_showing(article, person):
    return [
        "/",
        article.get_absolute_url(),
        person.get_absolute_url(),
        "/feeds/articles/",
    ]


# -- serving ---------------------------------------------------------------------------


def test_second_anonymous_request_is_served_from_the_cache_without_sql(
    client, story, django_assert_num_queries
):
    article, _ = story
    first = get(client, article.get_absolute_url())
    assert first.status_code == 200
    assert not is_hit(first)
    with django_assert_num_queries(0):
        second = get(client, article.get_absolute_url())
    assert is_hit(second)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]


def test_cached_pages_keep_their_security_headers(client, story):
    article, _ = story
    first = get(client, article.get_absolute_url())
    second = get(client, article.get_absolute_url())
    assert is_hit(second)
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Referrer-Policy",
        "X-Content-Type-Options",
    ):
        assert first.get(header), header
        assert second.get(header) == first.get(header), header


def test_head_request_is_served_from_the_entry_a_get_stored(client, story):
    article, _ = story
    get(client, article.get_absolute_url())
    head = client.head(article.get_absolute_url())
    assert head.status_code == 200
    assert is_hit(head)


def test_etag_and_last_modified_give_304(client, story):
    article, _ = story
    url = article.get_absolute_url()
    first = get(client, url)
    assert first["ETag"] and first["Last-Modified"]
    assert "must-revalidate" in first["Cache-Control"]
    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304


def test_a_change_gives_a_new_etag_and_no_304(client, story):
    article, _ = story
    url = article.get_absolute_url()
    etag = get(client, url)["ETag"]
    article.headline = "A corrected headline"
    article.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert b"A corrected headline" in response.content


def test_staff_never_get_cached_pages_and_never_fill_the_cache(client, editor, story):
    article, _ = story
    url = article.get_absolute_url()
    client.force_login(editor)
    for _ in range(2):
        response = get(client, url)
        assert not is_hit(response)
        assert "private" in response["Cache-Control"]
    client.logout()
    anonymous = get(client, url)
    assert not is_hit(anonymous), "a staff request must not have stored the page"
    assert is_hit(get(client, url))


def test_unpublished_article_is_not_cached_and_preview_is_never_stored(client, editor):
    draft = make_article(headline="Secret draft", status=Article.Status.DRAFT)
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(editor)
    preview = client.get(url)
    client.logout()
    assert preview.status_code == 200  # staff preview
    response = client.get(url)
    assert response.status_code == 404
    assert b"Secret draft" not in response.content


def test_share_links_for_reviewers_are_never_stored(client, editor):
    """An outside reviewer needs no login, yet the page is a preview: never cached."""
    from django.urls import reverse

    from newsroom import services

    draft = make_article(headline="Embargoed scoop", status=Article.Status.DRAFT)
    link = services.review_link_create(article=draft, user=editor, expires_at=tomorrow())
    url = reverse("review:review-link", args=[services.review_link_token(link)])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert b"Embargoed scoop" in response.content
        assert not is_hit(response)
        assert "no-store" in response["Cache-Control"]
    services.review_link_revoke(link=link, user=editor)
    assert client.get(url).status_code == 410


# -- exact invalidation ----------------------------------------------------------------


def test_editing_an_article_shows_on_every_page_at_the_next_request(client, story):
    article, person = story
    for url in pages_showing(article, person):
        get(client, url)
        assert is_hit(get(client, url)), url
    article.headline = "Ines Moreau returns to the house"
    article.save()
    for url in pages_showing(article, person):
        response = get(client, url)
        assert not is_hit(response), url
        assert "Ines Moreau returns to the house" in response.content.decode(), url


def test_editing_a_live_story_in_place_keeps_pages_that_do_not_show_it(client, story):
    """A live story's new dek shows wherever the story shows, and nowhere else is dropped:
    its bag's house lists the bag, not the story, so the house's page stays cached."""
    article, person = story
    house = make_brand(name="Maison Lune")
    article.products.add(make_product(name="Crescent", brand=house))
    other_person = make_person(name="Lou Marchal")
    other = make_article(headline="Lou Marchal opens the show", published_at=article.published_at)
    other.people.add(other_person)
    untouched = [
        house.get_absolute_url(),
        other.get_absolute_url(),
        other_person.get_absolute_url(),
    ]
    for url in untouched:
        get(client, url)
        assert is_hit(get(client, url)), url
    assert article.headline not in get(client, house.get_absolute_url()).text

    article.dek = "A new line under the headline."
    article.save()

    for url in untouched:
        assert is_hit(get(client, url)), url
    assert "A new line under the headline." in get(client, article.get_absolute_url()).text


def test_moving_a_live_storys_moment_brings_it_onto_a_list_page_that_did_not_show_it(client, story):
    article, _ = story
    for n in range(20):  # a full first page of newer stories
        make_article(headline=f"Newer story {n}", published_at=timezone.now() - timedelta(hours=1))
    url = reverse("newsroom:article-list")
    assert article.headline not in get(client, url).text
    assert is_hit(get(client, url))

    article.published_at = timezone.now() - timedelta(minutes=1)
    article.save()

    response = get(client, url)
    assert not is_hit(response)
    assert article.headline in response.text


def test_publishing_shows_everywhere_on_the_next_request(client, story, editor):
    from newsroom.services import article_publish

    article, person = story
    draft = make_article(headline="A brand new story", status=Article.Status.DRAFT)
    draft.people.add(person)
    urls = [*pages_showing(article, person), "/sitemap-articles.xml"]
    for url in urls:
        get(client, url)
    assert client.get(draft.get_absolute_url()).status_code == 404

    article_publish(article=draft, user=editor)

    assert client.get(draft.get_absolute_url()).status_code == 200
    for url in urls:
        body = get(client, url).content.decode()
        expected = draft.slug if "sitemap" in url else "A brand new story"
        assert expected in body, url


def test_unpublishing_removes_it_everywhere_on_the_next_request(client, story, editor):
    from newsroom.services import article_unpublish

    article, person = story
    urls = pages_showing(article, person)
    for url in urls:
        get(client, url)
    article_unpublish(article=article, user=editor)
    assert client.get(article.get_absolute_url()).status_code == 404
    for url in ["/", person.get_absolute_url(), "/feeds/articles/"]:
        assert "Ines Moreau fronts the campaign" not in get(client, url).content.decode(), url


def test_renaming_a_person_shows_on_the_article_page(client, story):
    article, person = story
    get(client, article.get_absolute_url())
    person.name = "Inès Moreau-Laurent"
    person.save()
    assert "Inès Moreau-Laurent" in get(client, article.get_absolute_url()).content.decode()


def test_m2m_and_tag_changes_show_on_the_article_page(client, story):
    article, _ = story
    url = article.get_absolute_url()
    get(client, url)
    newcomer = make_person(name="Adut Okafor")
    get(client, url)
    assert is_hit(get(client, url))
    article.people.add(newcomer)
    assert "Adut Okafor" in get(client, url).content.decode()
    assert is_hit(get(client, url))
    article.tags.add("red carpet")
    assert "red carpet" in get(client, url).content.decode().lower()
    article.people.remove(newcomer)
    assert "Adut Okafor" not in get(client, url).content.decode()


def test_a_new_quote_shows_on_the_article_page(client, story):
    article, person = story
    get(client, article.get_absolute_url())
    make_quote(
        speaker_person=person, text="We wanted the bag to feel lived in.", articles=[article]
    )
    assert "lived in" in get(client, article.get_absolute_url()).content.decode()


def test_embargo_change_shows_on_the_next_request(client, story):
    article, person = story
    get(client, article.get_absolute_url())
    person.embargoed_until = tomorrow()
    person.save()
    assert client.get(person.get_absolute_url()).status_code == 404
    assert "Ines Moreau</a>" not in get(client, article.get_absolute_url()).content.decode()


def test_lifting_an_embargo_by_hand_shows_on_the_pages_that_link_or_quote_it(client):
    person = make_person(name="Adut Okafor", embargoed_until=tomorrow())
    article = make_article(headline="A walk", body="<p>Adut Okafor walks.</p>")
    article.people.add(person)
    make_quote(speaker_person=person, text="It felt lived in.", articles=[article])
    url = article.get_absolute_url()
    assert person.get_absolute_url() not in get(client, url).content.decode()
    assert is_hit(get(client, url))
    person.embargoed_until = None
    person.save()
    html = get(client, url).content.decode()
    assert f'<a href="{person.get_absolute_url()}">Adut Okafor</a>' in html
    assert "It felt lived in." in html


def _travel(monkeypatch, delta):
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + delta)


def test_scheduled_article_appears_when_its_moment_comes_with_no_save(client, story, monkeypatch):
    article, person = story
    scheduled = make_article(headline="The big story of tomorrow", published_at=tomorrow())
    scheduled.people.add(person)
    urls = pages_showing(article, person)
    for url in urls:
        assert "The big story of tomorrow" not in get(client, url).content.decode()
        assert is_hit(get(client, url)), url

    _travel(monkeypatch, timedelta(days=1, minutes=1))

    assert client.get(scheduled.get_absolute_url()).status_code == 200
    for url in urls:
        response = get(client, url)
        assert not is_hit(response), url
        assert "The big story of tomorrow" in response.content.decode(), url


def test_embargo_lifting_shows_with_no_save(client, story, monkeypatch):
    article, person = story
    person.embargoed_until = tomorrow()
    person.save()
    url = article.get_absolute_url()
    get(client, url)
    assert is_hit(get(client, url))
    assert client.get(person.get_absolute_url()).status_code == 404

    _travel(monkeypatch, timedelta(days=1, minutes=1))

    assert person.get_absolute_url() in get(client, url).content.decode()
    assert client.get(person.get_absolute_url()).status_code == 200


def test_pages_are_never_kept_past_the_next_schedule_point(client, story, monkeypatch):
    soon = timezone.now() + timedelta(seconds=30)
    scheduled = make_article(headline="Due in half a minute", published_at=soon)
    url = reverse("newsroom:article-list")
    assert scheduled.headline not in get(client, url).content.decode()
    assert is_hit(get(client, url))
    assert pagecache.next_schedule_point() == soon

    _travel(monkeypatch, timedelta(seconds=31))

    response = get(client, url)
    assert not is_hit(response)
    assert scheduled.headline in response.content.decode()


def test_next_schedule_point_covers_articles_and_every_embargo(db):
    from tests.factories import make_ambassadorship, make_brand, make_campaign, make_product

    now = timezone.now()
    assert pagecache.next_schedule_point(now=now) is None
    moments = {}
    for hours, make in enumerate(
        [
            lambda at: make_article(published_at=at),
            lambda at: make_person(embargoed_until=at),
            lambda at: make_brand(embargoed_until=at),
            lambda at: make_product(embargoed_until=at),
            lambda at: make_campaign(embargoed_until=at),
            lambda at: make_ambassadorship(embargoed_until=at),
        ],
        start=1,
    ):
        at = now + timedelta(hours=10 - hours)
        make(at)
        moments[hours] = at
    # A draft dated in the future is not going to appear by itself.
    make_article(status=Article.Status.DRAFT, published_at=now + timedelta(minutes=5))
    assert pagecache.next_schedule_point(now=now) == min(moments.values())


# -- transactions and races ------------------------------------------------------------


def test_writes_in_a_transaction_refresh_once_more_after_the_commit(story):
    """Each write refreshes at once; the commit adds one more refresh, shared by all."""
    from django.db import connection, transaction

    article, person = story
    versions = set()
    with transaction.atomic():
        for n in range(5):
            article.headline = f"Edit {n}"
            article.save()
            versions.add(pagecache.current_state().version)
        person.save()
        pending = [
            func
            for _, func, _ in connection.run_on_commit
            if func is pagecache._refresh_after_commit
        ]
    assert len(versions) == 5
    assert len(pending) == 1
    before = pagecache.current_state().version
    pending[0]()
    assert pagecache.current_state().version != before


def test_refresh_recomputes_when_another_writer_changed_the_version_meanwhile(story, monkeypatch):
    """A next point computed before someone else's commit must not survive it."""
    cache = pagecache._cache()
    version_key, next_key, _ = pagecache._state_keys()
    real = pagecache.next_schedule_point
    later, sooner = timezone.now() + timedelta(days=2), timezone.now() + timedelta(hours=1)
    answers = iter([later, sooner])
    calls = []

    def racing_next_point(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            cache.set(version_key, "someone-else", None)  # a commit lands while we query
        return next(answers)

    monkeypatch.setattr(pagecache, "next_schedule_point", racing_next_point)
    state = pagecache.refresh()
    monkeypatch.setattr(pagecache, "next_schedule_point", real)
    assert len(calls) == 2
    assert state.next_point == sooner.timestamp()
    assert cache.get(next_key) == sooner.timestamp()
    assert cache.get(version_key) == state.version


# -- the middleware's rules ------------------------------------------------------------


def _run(view_response, **request_extra):
    """Call the middleware twice around a stub view; return the view's call count."""
    calls = []

    def view(request):
        calls.append(request)
        return view_response()

    middleware = pagecache.PageCacheMiddleware(view)
    factory = RequestFactory()
    for _ in range(2):
        middleware(factory.get("/somewhere/", **request_extra))
    return len(calls)


def _ok():
    return HttpResponse("<p>page</p>")


def test_plain_public_response_is_rendered_once(db):
    assert _run(_ok) == 1


@pytest.mark.parametrize(
    "make_response",
    [
        pytest.param(lambda: _with(_ok(), cookie=True), id="sets-a-cookie"),
        pytest.param(lambda: _with(_ok(), cache_control="private"), id="private"),
        pytest.param(
            lambda: _with(_ok(), cache_control="max-age=0, no-cache, no-store"), id="never-cache"
        ),
        pytest.param(lambda: _with(_ok(), vary="Accept-Language"), id="varies"),
        pytest.param(lambda: HttpResponse("gone", status=404), id="not-found"),
        pytest.param(lambda: HttpResponse(status=302, headers={"Location": "/"}), id="redirect"),
    ],
)
def test_personal_or_uncacheable_responses_are_never_stored(db, make_response):
    assert _run(make_response) == 2


def _with(response, *, cookie=False, cache_control=None, vary=None):
    if cookie:
        response.set_cookie("csrftoken", "x")
    if cache_control:
        response["Cache-Control"] = cache_control
    if vary:
        response["Vary"] = vary
    return response


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"HTTP_COOKIE": "sessionid=abc"}, id="session-cookie"),
        pytest.param({"HTTP_COOKIE": "messages=abc"}, id="messages-cookie"),
        pytest.param({"HTTP_AUTHORIZATION": "Basic eDp5"}, id="authorization"),
    ],
)
def test_requests_that_may_be_personal_bypass_the_cache(db, extra):
    assert _run(_ok, **extra) == 2


def test_a_response_with_vary_cookie_is_shared_by_cookieless_readers(db):
    assert _run(lambda: _with(_ok(), vary="Cookie")) == 1


# -- the cache going away --------------------------------------------------------------

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6390/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}


def test_pages_are_served_uncached_when_redis_is_down(client, settings, story):
    article, person = story
    settings.CACHES = DEAD_REDIS
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    for url in pages_showing(article, person):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not is_hit(response)
        assert "Ines Moreau fronts the campaign" in response.content.decode()
    article.headline = "Edited while the cache was away"
    article.save()
    assert "Edited while the cache was away" in get(client, "/").content.decode()


def test_a_write_that_missed_the_cache_is_replayed_when_it_returns(client, settings, story):
    article, _ = story
    url = article.get_absolute_url()
    get(client, url)
    assert is_hit(get(client, url))
    live = settings.CACHES
    settings.CACHES = DEAD_REDIS
    article.headline = "Changed during the outage"
    article.save()  # cannot reach the cache: the old page is still stored there
    settings.CACHES = live
    pagecache._unavailable_until = 0.0  # the back-off has passed
    assert "Changed during the outage" in get(client, url).content.decode()


# -- migrations ------------------------------------------------------------------------


def test_migrate_drops_pages_rendered_before_it(client, story):
    """A deploy runs migrate: pages rendered by the previous code must go."""
    from django.core.management import call_command

    article, _ = story
    get(client, article.get_absolute_url())
    assert is_hit(get(client, article.get_absolute_url()))
    call_command("migrate", verbosity=0)
    assert not is_hit(get(client, article.get_absolute_url()))


def test_writes_of_migrations_historical_models_are_left_to_post_migrate():
    from django.apps import apps
    from django.db.migrations.state import ProjectState

    historical = ProjectState.from_apps(apps).apps.get_model("newsroom", "Article")
    assert not pagecache._is_public(historical)
    assert pagecache._is_public(Article)


def test_a_write_before_the_schedule_tables_exist_defers_the_next_point(client, story, monkeypatch):
    """During migrations the schedule query cannot run yet; the next request runs it."""
    from django.db import connection

    monkeypatch.setattr(pagecache, "_ready_databases", set())
    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: [])
    scheduled = make_article(published_at=tomorrow())  # its save cannot query the schedule
    _, next_key, _ = pagecache._state_keys()
    assert pagecache._cache().get(next_key) is None
    monkeypatch.undo()
    state = pagecache.current_state()
    assert state.next_point == pytest.approx(scheduled.published_at.timestamp())


def test_no_page_cache_when_its_lifetime_is_zero(client, settings, story):
    """Debug mode sets it to 0: templates change under a running development server."""
    article, _ = story
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        response = get(client, article.get_absolute_url())
        assert "X-Page-Cache" not in response
