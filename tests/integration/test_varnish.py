"""The Varnish tier for real: varnishd with config/varnish.vcl in front of the app.

The app purges by surrogate key after each commit (DJANGO_PURGE_URLS points at
this Varnish); these tests read the pages through Varnish as a reader would.
"""

import pytest
import requests
from django.test import Client

from newsroom import purge
from newsroom.models import Article
from tests.factories import make_article, make_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tier(varnish, settings):
    settings.PURGE_URLS = [f"{varnish}/"]
    settings.ALLOWED_HOSTS = ["*"]
    yield varnish
    purge.wait()
    # Leave nothing cached for the next test (its database starts empty again).
    requests.request("PURGE", f"{varnish}/", headers={"xkey-purge": "all"}, timeout=5)


@pytest.fixture
def story(tier):
    person = make_person(name="Ines Moreau")
    article = make_article(headline="Ines Moreau fronts the campaign")
    article.people.add(person)
    purge.wait()
    return article, person


def get(base, path, **kwargs):
    return requests.get(f"{base}{path}", timeout=10, allow_redirects=False, **kwargs)


def test_a_repeat_request_is_served_by_varnish(tier, story):
    article, _ = story
    first = get(tier, article.get_absolute_url())
    assert first.status_code == 200
    assert first.headers["X-Cache"] == "MISS"
    assert "max-age=0" in first.headers["Cache-Control"], "browsers must revalidate"
    assert "s-maxage=" in first.headers["Cache-Control"]
    second = get(tier, article.get_absolute_url())
    assert second.status_code == 200
    assert second.headers["X-Cache"] == "HIT"
    assert "Age" in second.headers
    assert second.text == first.text
    assert "Surrogate-Key" not in second.headers, "keys stay inside the cache tier"


def test_a_rename_shows_at_once_on_every_page_that_shows_it(tier, story):
    article, person = story
    urls = [article.get_absolute_url(), person.get_absolute_url()]
    for url in urls:
        get(tier, url)
        assert get(tier, url).headers["X-Cache"] == "HIT", url
    person.name = "Inès Moreau-Laurent"
    person.save()
    assert purge.wait()
    for url in urls:
        response = get(tier, url)
        assert response.headers["X-Cache"] == "MISS", url
        assert "Inès Moreau-Laurent" in response.text, url


def test_publishing_shows_at_once_and_unrelated_pages_stay_cached(tier, story, editor):
    from newsroom.services import article_publish

    article, person = story
    other = make_person(name="Adut Okafor")
    unrelated = make_article(headline="A story about someone else")
    unrelated.people.add(other)
    purge.wait()
    for url in ["/", person.get_absolute_url(), unrelated.get_absolute_url()]:
        get(tier, url)
        assert get(tier, url).headers["X-Cache"] == "HIT", url
    draft = make_article(headline="A brand new story", status=Article.Status.DRAFT)
    draft.people.add(person)
    article_publish(article=draft, user=editor)
    assert purge.wait()
    for url in ["/", person.get_absolute_url()]:
        response = get(tier, url)
        assert "A brand new story" in response.text, url
    assert get(tier, draft.get_absolute_url()).status_code == 200
    assert get(tier, unrelated.get_absolute_url()).headers["X-Cache"] == "HIT"


def test_a_draft_save_purges_nothing(tier, story):
    article, person = story
    urls = ["/", article.get_absolute_url(), person.get_absolute_url()]
    for url in urls:
        get(tier, url)
    assert purge.wait()
    sent = purge.stats["requests"]
    draft = make_article(headline="Work in progress", status=Article.Status.DRAFT)
    draft.people.add(person)
    for n in range(3):
        draft.body = f"<p>Draft {n}</p>"
        draft.save()
    assert purge.wait()
    assert purge.stats["requests"] == sent, "a draft save sent a purge"
    for url in urls:
        response = get(tier, url)
        assert response.headers["X-Cache"] == "HIT", url
        assert "Work in progress" not in response.text


def test_a_logged_in_request_is_never_cached(tier, story, editor):
    article, _ = story
    draft = make_article(headline="Secret draft", status=Article.Status.DRAFT)
    client = Client()
    client.force_login(editor)
    cookies = {"sessionid": client.cookies["sessionid"].value}
    for _ in range(2):
        preview = get(tier, draft.get_absolute_url(), cookies=cookies)
        assert preview.status_code == 200
        assert "Secret draft" in preview.text
        assert preview.headers["X-Cache"] == "MISS"
        staff_page = get(tier, article.get_absolute_url(), cookies=cookies)
        assert staff_page.headers["X-Cache"] == "MISS"
        assert "private" in staff_page.headers["Cache-Control"]
    anonymous = get(tier, draft.get_absolute_url())
    assert anonymous.status_code == 404
    assert "Secret draft" not in anonymous.text
    assert get(tier, article.get_absolute_url()).headers["X-Cache"] == "MISS", (
        "a staff request must not have stored the page"
    )


def test_share_links_pass_through(tier, editor):
    from django.urls import reverse

    from newsroom import services
    from tests.factories import tomorrow

    draft = make_article(headline="Embargoed scoop", status=Article.Status.DRAFT)
    link = services.review_link_create(article=draft, user=editor, expires_at=tomorrow())
    url = reverse("review:review-link", args=[services.review_link_token(link)])
    for _ in range(2):
        response = get(tier, url)
        assert response.status_code == 200
        assert response.headers["X-Cache"] == "MISS"
    services.review_link_revoke(link=link, user=editor)
    assert get(tier, url).status_code == 410


def test_a_purge_needs_keys(tier):
    response = requests.request("PURGE", f"{tier}/", timeout=5)
    assert response.status_code == 400


def test_purges_retry_once_and_never_fail_the_save(settings, db, caplog):
    """An unreachable purge URL: the save succeeds, the failure is logged, tried twice."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]  # nothing listens once the socket is closed
    settings.PURGE_URLS = [f"http://127.0.0.1:{dead}/"]
    settings.PURGE_TIMEOUT = 0.5
    failures = purge.stats["failures"]
    person = make_person(name="Someone")
    make_article().people.add(person)
    person.name = "Someone else"
    person.save()
    assert purge.wait()
    assert purge.stats["failures"] - failures >= 2
    assert "failed twice" in caplog.text
