"""A person, brand, bag, campaign or event is public once a live story links it.

Writers add the new bag, the new photographer and the new campaign while the
story that launches them is still a draft. Until that story is live (or an
editor publishes them by hand), readers must not find them anywhere: not on
their pages, in lists, search, the sitemap or the brand page. The moment the
story goes live, a scheduled one included, they appear with nothing to run and
with the page cache still exact.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Brand, Product
from newsroom.models import Article, Campaign, Event, Person
from tests.factories import make_article, make_brand, make_campaign, make_person, make_product

pytestmark = pytest.mark.django_db

NEW_THINGS = ["Neo Hourglass", "neo-hourglass", "Nova Lens", "nova-lens", "Fresh Faces", "fresh-faces"]


@dataclass
class Newsroom:
    live: object
    draft: object
    scheduled: object
    brand: object
    bag: object
    photographer: object
    campaign: object
    goes_live_at: object


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        offset = timedelta(0)

        def advance(self, delta):
            self.offset += delta

    real_now = timezone.now
    moving = Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + moving.offset)
    return moving


@pytest.fixture
def newsroom(db):
    brand = make_brand(name="Balenciaga")
    old_bag = make_product(name="Le City", brand=brand)
    live = make_article(headline="Le City is back", body="<p>Le City returns.</p>")
    live.brands.add(brand)
    live.products.add(old_bag)
    live.tags.add("Handbags")

    # What a writer adds for the next story, published by nobody yet.
    bag = make_product(name="Neo Hourglass", brand=brand, published_by_hand=False)
    photographer = make_person(name="Nova Lens", published_by_hand=False)
    campaign = make_campaign(name="Fresh Faces", brand=brand, published_by_hand=False)
    campaign.products.add(bag)
    campaign.photographer = photographer
    campaign.save()
    draft = make_article(headline="A draft about the Neo Hourglass", status=Article.Status.DRAFT)
    goes_live_at = timezone.now() + timedelta(days=1)
    scheduled = make_article(
        headline="Fresh Faces, shot by Nova Lens",
        body="<p>Nova Lens shot Fresh Faces with the Neo Hourglass.</p>",
        published_at=goes_live_at,
    )
    for story in (draft, scheduled):
        story.people.add(photographer)
        story.products.add(bag)
        story.campaigns.add(campaign)
        story.tags.add("Handbags")
    return Newsroom(live, draft, scheduled, brand, bag, photographer, campaign, goes_live_at)


def reader_urls(site):
    urls = [
        "/",
        reverse("newsroom:article-list"),
        site.live.get_absolute_url(),
        site.brand.get_absolute_url(),
        reverse("newsroom:tag-detail", kwargs={"slug": "handbags"}),
        reverse("newsroom:article-feed"),
        "/sitemap.xml",
    ]
    for query in ("Neo", "Nova", "Fresh", "Hourglass"):
        urls.append(f"{reverse('newsroom:search')}?q={query}")
    index = Client().get("/sitemap.xml").content.decode()
    urls += [re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    return urls


def fetch(urls):
    client = Client()
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def _normalise(body):
    return re.sub(r"<lastBuildDate>[^<]*</lastBuildDate>", "", body)


def test_things_only_a_draft_or_a_scheduled_story_links_answer_not_found(newsroom):
    client = Client()
    for thing in (newsroom.bag, newsroom.photographer, newsroom.campaign):
        assert not type(thing).objects.public().filter(pk=thing.pk).exists()
        assert client.get(thing.get_absolute_url()).status_code == 404, thing


def test_no_reader_page_shows_them(newsroom):
    for url, body in fetch(reader_urls(newsroom)).items():
        for secret in NEW_THINGS:
            assert secret not in body, f"{secret!r} leaked on {url}"


def test_every_page_renders_as_if_they_did_not_exist(newsroom):
    urls = reader_urls(newsroom)
    with_them = fetch(urls)
    with transaction.atomic():
        for story in (newsroom.draft, newsroom.scheduled):
            story.delete()
        for thing in (newsroom.campaign, newsroom.bag, newsroom.photographer):
            type(thing).objects.filter(pk=thing.pk).delete()
        from django.core.cache import cache

        cache.clear()
        without = fetch(urls)
        transaction.set_rollback(True)
    for url in urls:
        assert _normalise(with_them[url]) == _normalise(without[url]), url


def test_they_appear_when_the_scheduled_story_goes_live_with_nothing_to_run(newsroom, clock):
    client = Client()
    before = fetch(reader_urls(newsroom))  # whatever is cached now was rendered before
    assert all("Neo Hourglass" not in body for body in before.values())
    for thing in (newsroom.bag, newsroom.photographer, newsroom.campaign):
        assert client.get(thing.get_absolute_url()).status_code == 404

    clock.advance(newsroom.goes_live_at - timezone.now() + timedelta(seconds=1))

    for thing in (newsroom.bag, newsroom.photographer, newsroom.campaign):
        assert client.get(thing.get_absolute_url()).status_code == 200, thing
    brand_page = client.get(newsroom.brand.get_absolute_url()).content.decode()
    assert newsroom.bag.get_absolute_url() in brand_page
    search = client.get(reverse("newsroom:search"), {"q": "Hourglass"}).content.decode()
    assert newsroom.bag.get_absolute_url() in search
    sitemap = "".join(body for url, body in fetch(reader_urls(newsroom)).items() if "sitemap" in url)
    assert newsroom.photographer.get_absolute_url() in sitemap
    story = client.get(newsroom.scheduled.get_absolute_url()).content.decode()
    assert f'href="{newsroom.campaign.get_absolute_url()}"' in story


def test_publishing_the_draft_publishes_what_it_links_and_unpublishing_hides_it_again(
    newsroom, editor
):
    from newsroom import services

    client = Client()
    services.article_publish(article=newsroom.draft, user=editor)
    assert client.get(newsroom.bag.get_absolute_url()).status_code == 200
    assert client.get(newsroom.photographer.get_absolute_url()).status_code == 200

    services.article_unpublish(article=newsroom.draft, user=editor)
    assert client.get(newsroom.bag.get_absolute_url()).status_code == 404


def test_a_second_live_story_keeps_it_public_when_the_first_is_withdrawn(newsroom, editor):
    from newsroom import services

    other = make_article(headline="Another story")
    other.products.add(newsroom.bag)
    services.article_publish(article=newsroom.draft, user=editor)
    services.article_unpublish(article=newsroom.draft, user=editor)
    assert Product.objects.public().filter(pk=newsroom.bag.pk).exists()
    other.products.remove(newsroom.bag)
    assert not Product.objects.public().filter(pk=newsroom.bag.pk).exists()


def test_deleting_the_only_live_story_hides_what_it_linked(newsroom):
    story = make_article(headline="Short-lived")
    story.people.add(newsroom.photographer)
    assert Person.objects.public().filter(pk=newsroom.photographer.pk).exists()
    story.delete()
    assert not Person.objects.public().filter(pk=newsroom.photographer.pk).exists()


def test_clearing_a_live_storys_links_hides_what_it_linked(newsroom):
    story = make_article(headline="Changed its mind")
    story.campaigns.add(newsroom.campaign)
    assert Campaign.objects.public().filter(pk=newsroom.campaign.pk).exists()
    story.campaigns.clear()
    assert not Campaign.objects.public().filter(pk=newsroom.campaign.pk).exists()


def test_linking_from_the_entitys_side_counts_too(newsroom):
    story = make_article(headline="Linked the other way")
    newsroom.photographer.articles.add(story)
    assert Person.objects.public().filter(pk=newsroom.photographer.pk).exists()


def test_a_live_story_about_a_bag_publishes_its_house(db):
    house = make_brand(name="Maison Neuve", published_by_hand=False)
    bag = make_product(name="Premier", brand=house, published_by_hand=False)
    event = Event.objects.create(name="Debut Show", slug="debut-show", brand=house)
    assert not Brand.objects.public().filter(pk=house.pk).exists()
    story = make_article(headline="A bag is born")
    story.products.add(bag)
    assert Brand.objects.public().filter(pk=house.pk).exists()
    assert Client().get(bag.get_absolute_url()).status_code == 200
    story.products.remove(bag)
    story.events.add(event)
    assert Brand.objects.public().filter(pk=house.pk).exists()
    assert not Product.objects.public().filter(pk=bag.pk).exists()


def test_moving_a_bag_to_another_house_moves_the_publication(db):
    first = make_brand(name="First House", published_by_hand=False)
    second = make_brand(name="Second House", published_by_hand=False)
    bag = make_product(name="Wanderer", brand=first, published_by_hand=False)
    make_article(headline="The Wanderer").products.add(bag)
    bag.brand = second
    bag.save()
    public = set(Brand.objects.public().values_list("slug", flat=True))
    assert "second-house" in public
    assert "first-house" not in public


def test_an_editor_can_publish_without_a_story_and_an_embargo_still_wins(db):
    person = make_person(name="Solo Artist", published_by_hand=False)
    assert not Person.objects.public().filter(pk=person.pk).exists()
    person.published_by_hand = True
    person.save()
    assert Client().get(person.get_absolute_url()).status_code == 200
    person.embargoed_until = timezone.now() + timedelta(days=1)
    person.save()
    assert Client().get(person.get_absolute_url()).status_code == 404


def test_a_bags_house_is_named_in_the_storys_structured_data(db):
    house = make_brand(name="Maison Neuve", published_by_hand=False)
    bag = make_product(name="Premier", brand=house, published_by_hand=False)
    story = make_article(headline="A bag is born")
    story.products.add(bag)
    page = Client().get(story.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert any(
        '"name":"Premier"' in block and "/brands/maison-neuve/#organization" in block
        for block in blocks
    )
