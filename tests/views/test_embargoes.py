"""Embargoes across the whole reader site.

Something under embargo (a person, brand, product, campaign, event or
ambassadorship) must not show on any page, list, count, feed, sitemap, search
result or structured data, and must show by itself once its moment passes.
The strongest check: every public page renders exactly as it would if the
embargoed rows did not exist at all, so no count or list betrays them either.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, Event
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_brand,
    make_campaign,
    make_person,
    make_product,
    make_quote,
)

pytestmark = pytest.mark.django_db

SECRETS = [
    "Secret Star",
    "secret-star",
    "Hidden House",
    "hidden-house",
    "Veiled Bag",
    "veiled-bag",
    "Covert Campaign",
    "covert-campaign",
    "Quiet Gala",
    "quiet-gala",
    "Whispered words",
    "Ambassador since 2031",
]
# The embargoed year on its own, as a word: never inside a timestamp or a hash.
SECRET_YEAR = re.compile(r"\b2031\b")


@dataclass
class Site:
    article: object
    kim: object
    brand: object
    bag: object
    campaign: object
    secrets: list
    lifts_at: object


@pytest.fixture
def site(db):
    lifts_at = timezone.now() + timedelta(days=2)
    brand = make_brand(name="Balenciaga")
    bag = make_product(name="Bel Air", brand=brand)
    kim = make_person(name="Kim Kardashian")
    campaign = make_campaign(name="Holiday Characters", brand=brand)
    campaign.people.add(kim)
    campaign.products.add(bag)

    secret_person = make_person(name="Secret Star", embargoed_until=lifts_at)
    secret_brand = make_brand(name="Hidden House", embargoed_until=lifts_at)
    secret_product = make_product(name="Veiled Bag", brand=brand, embargoed_until=lifts_at)
    secret_campaign = make_campaign(name="Covert Campaign", brand=brand, embargoed_until=lifts_at)
    secret_event = Event.objects.create(
        name="Quiet Gala", slug="quiet-gala", brand=brand, embargoed_until=lifts_at
    )
    secret_ambassadorship = make_ambassadorship(
        person=kim, brand=brand, since_year=2031, embargoed_until=lifts_at
    )
    # Embargoed things tied to public ones from every side.
    campaign.people.add(secret_person)
    campaign.products.add(secret_product)
    secret_campaign.people.add(kim)
    secret_campaign.products.add(bag)
    secret_event.people.add(kim, secret_person)
    secret_event.products.add(bag)
    make_quote(speaker_person=secret_person, text="Whispered words.", campaign=campaign)

    article = make_article(
        headline="Kim Kardashian fronts the Bel Air",
        dek="Balenciaga's campaign, in pictures.",
        body="<p>Kim Kardashian carries the Bel Air for Balenciaga.</p>",
    )
    article.tags.add("Handbags")
    article.people.add(kim, secret_person)
    article.brands.add(brand, secret_brand)
    article.products.add(bag, secret_product)
    article.campaigns.add(campaign, secret_campaign)
    article.events.add(secret_event)
    secrets = [
        secret_ambassadorship,
        secret_event,
        secret_campaign,
        secret_product,
        secret_person,
        secret_brand,
    ]
    return Site(article, kim, brand, bag, campaign, secrets, lifts_at)


@pytest.fixture
def clock(monkeypatch):
    """Move "now" for everything that asks django.utils.timezone."""

    class Clock:
        offset = timedelta(0)

        def advance(self, delta):
            self.offset += delta

    real_now = timezone.now
    moving = Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + moving.offset)
    return moving


def public_urls(site):
    urls = [
        "/",
        reverse("newsroom:article-list"),
        site.article.get_absolute_url(),
        site.kim.get_absolute_url(),
        site.brand.get_absolute_url(),
        site.bag.get_absolute_url(),
        site.campaign.get_absolute_url(),
        reverse("newsroom:tag-detail", kwargs={"slug": "handbags"}),
        reverse("newsroom:article-feed"),
        reverse("newsroom:tag-feed", kwargs={"slug": "handbags"}),
        reverse("newsroom:person-feed", kwargs={"slug": site.kim.slug}),
        "/robots.txt",
        "/sitemap.xml",
    ]
    # Single words: the results page repeats the query, never a whole secret name.
    for query in ("Secret", "Star", "Hidden", "Veiled", "Covert", "Quiet", "Whispered", "Kim"):
        urls.append(f"{reverse('newsroom:search')}?q={query}")
    return urls


def sitemap_sections(client):
    index = client.get("/sitemap.xml").content.decode()
    return [re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", index)]


def fetch(urls):
    client = Client()
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        pages[url] = body
    return pages


def test_embargoed_pages_answer_not_found(site):
    client = Client()
    for secret in site.secrets:
        if hasattr(secret, "get_absolute_url"):
            assert client.get(secret.get_absolute_url()).status_code == 404, secret
    assert (
        client.get(reverse("newsroom:person-feed", kwargs={"slug": "secret-star"})).status_code
        == 404
    )


def test_no_public_page_shows_anything_embargoed(site):
    urls = public_urls(site) + sitemap_sections(Client())
    for url, body in fetch(urls).items():
        for secret in SECRETS:
            assert secret not in body, f"{secret!r} leaked on {url}"
        assert not SECRET_YEAR.search(body), f"the embargoed year leaked on {url}"


def test_a_name_in_the_text_is_not_linked_while_embargoed(site):
    secret_person = next(s for s in site.secrets if s.__class__.__name__ == "Person")
    story = make_article(
        headline="A story that names the secret",
        body="<p>Secret Star was there, and so was Kim Kardashian.</p>",
    )
    story.people.add(site.kim, secret_person)
    body = Client().get(story.get_absolute_url()).content.decode()
    assert f'href="{site.kim.get_absolute_url()}"' in body
    assert "Secret Star was there" in body  # the editor's words stay
    assert "/people/secret-star/" not in body


def test_every_page_renders_as_if_the_embargoed_rows_did_not_exist(site):
    """Lists, counts, feeds and structured data: not a trace, not even a number."""
    urls = public_urls(site) + sitemap_sections(Client())
    with_embargoed = fetch(urls)
    with transaction.atomic():
        for secret in site.secrets:
            type(secret).objects.filter(pk=secret.pk).delete()
        from django.core.cache import cache

        cache.clear()
        without = fetch(urls)
        transaction.set_rollback(True)
    for url in urls:
        assert _normalise(with_embargoed[url]) == _normalise(without[url]), url


def _normalise(body):
    # Feeds and sitemaps stamp the time of the request; nothing else may differ.
    return re.sub(r"<lastBuildDate>[^<]*</lastBuildDate>", "", body)


def test_embargo_lifts_by_itself_at_its_moment(site, clock):
    secret_person = next(s for s in site.secrets if s.__class__.__name__ == "Person")
    client = Client()
    # Visit everything first so that whatever is cached was rendered under embargo.
    before = fetch(public_urls(site))
    assert all("Secret Star" not in body for body in before.values())
    assert client.get(secret_person.get_absolute_url()).status_code == 404

    clock.advance(site.lifts_at - timezone.now() + timedelta(seconds=1))

    assert client.get(secret_person.get_absolute_url()).status_code == 200
    article = client.get(site.article.get_absolute_url()).content.decode()
    assert secret_person.get_absolute_url() in article
    assert "Veiled Bag" in article
    assert "Covert Campaign" in article
    assert "Secret Star" in client.get(site.campaign.get_absolute_url()).content.decode()
    assert "Veiled Bag" in client.get(site.brand.get_absolute_url()).content.decode()
    search = client.get(reverse("newsroom:search"), {"q": "Veiled"}).content.decode()
    assert "/products/veiled-bag/" in search
    sitemap = "".join(fetch(sitemap_sections(client)).values())
    assert secret_person.get_absolute_url() in sitemap


def test_scheduled_article_linking_an_embargoed_person_shows_no_link_until_lift(site, clock):
    """An article published before an embargo lifts never links to the 404 page."""
    secret_person = next(s for s in site.secrets if s.__class__.__name__ == "Person")
    story = make_article(
        headline="Coming soon",
        body="<p>With Secret Star.</p>",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() + timedelta(days=1),
    )
    story.people.add(secret_person)
    client = Client()
    assert client.get(story.get_absolute_url()).status_code == 404
    clock.advance(timedelta(days=1, seconds=1))
    body = client.get(story.get_absolute_url()).content.decode()
    assert "With Secret Star." in body
    assert secret_person.get_absolute_url() not in body
    clock.advance(timedelta(days=1))
    body = client.get(story.get_absolute_url()).content.decode()
    assert secret_person.get_absolute_url() in body


def test_hand_made_links_to_pages_readers_cannot_open_keep_only_their_text(site, clock):
    from django.contrib.redirects.models import Redirect

    secret_person = next(s for s in site.secrets if s.__class__.__name__ == "Person")
    draft = make_article(headline="Not out", status=Article.Status.DRAFT)
    Redirect.objects.create(site_id=1, old_path="/people/kim/", new_path="/people/kim-kardashian/")
    story = make_article(
        headline="Links by hand",
        body=(
            f'<p>Meet <a href="{secret_person.get_absolute_url()}">the star</a>, '
            f'read <a href="{draft.get_absolute_url()}">the draft</a>, '
            f'<a href="http://testserver/people/secret-star/">again</a>, '
            f'<a href="{site.kim.get_absolute_url()}">Kim</a>, '
            '<a href="/people/kim/">old Kim</a>, '
            '<a href="https://example.com/people/secret-star/">elsewhere</a>.</p>'
        ),
    )
    page = Client().get(story.get_absolute_url()).content.decode()
    assert "Meet the star, read the draft, again," in page
    assert "/people/secret-star/" not in page.replace("https://example.com/people/secret-star/", "")
    assert draft.get_absolute_url() not in page
    assert _link(page, site.kim.get_absolute_url(), "Kim")
    assert _link(page, "/people/kim/", "old Kim"), "a redirect still serves it"
    assert _link(page, "https://example.com/people/secret-star/", "elsewhere")

    clock.advance(site.lifts_at - timezone.now() + timedelta(seconds=1))
    page = Client().get(story.get_absolute_url()).content.decode()
    assert _link(page, secret_person.get_absolute_url(), "the star")
    assert draft.get_absolute_url() not in page


def _link(page, href, text):
    return re.search(rf'<a href="{re.escape(href)}"[^>]*>{re.escape(text)}</a>', page)
