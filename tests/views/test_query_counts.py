"""Every public page runs the same number of SQL queries with 1 related row as with 30."""

import pytest
from django.core.files.base import ContentFile

from catalog.models import ProductImage
from newsroom.models import Affiliation, CampaignSeries, Event, Role, SeriesAppearance
from tests.conftest import png_bytes
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_brand,
    make_campaign,
    make_colorway,
    make_person,
    make_product,
    make_quote,
)

# The fixed number of queries of each page, for an anonymous reader.
EXPECTED = {
    "home": 5,
    "article-list": 1,
    "article-detail": 6,  # a story that reports quotes: one more query loads them
    "person-detail": 12,
    "campaign-detail": 8,
    "tag-detail": 2,
    "brand-detail": 10,
    "product-detail": 10,
    "search": 6,
    "article-feed": 1,
    "tag-feed": 2,
    "person-feed": 2,
    "sitemap-section": 2,
}


def build(n):
    """A centre (brand, person, bag, campaign, story, tag) with ``n`` of every related row."""
    brand = make_brand(name="Centre House")
    person = make_person(name="Centre Person")
    bag = make_product(name="Centre Bag", brand=brand)
    series = CampaignSeries.objects.create(brand=brand, name="Centre Series")
    campaign = make_campaign(
        name="Centre Campaign",
        brand=brand,
        series=series,
        photographer=make_person(),
        date="2024-01-01",
    )
    article = make_article(headline="Centre story")
    article.tags.add("centre")
    for i in range(n):
        other_brand = make_brand()
        other_person = make_person()
        other_bag = make_product(brand=brand)
        other_campaign = make_campaign(brand=brand, series=series, date=f"20{10 + i % 10}-01-01")
        event = Event.objects.create(name=f"Show {i}", brand=brand, date="2023-03-01")
        other_article = make_article()

        article.people.add(other_person, person)
        article.brands.add(other_brand, brand)
        article.products.add(other_bag, bag)
        article.campaigns.add(other_campaign, campaign)
        article.events.add(event)
        article.tags.add(f"tag {i}")
        make_quote(speaker_person=other_person, articles=[article, other_article])

        make_ambassadorship(person=person, brand=other_brand, since_year=2000 + i)
        Affiliation.objects.create(person=person, brand=other_brand, role="designer")
        make_ambassadorship(person=other_person, brand=brand, since_year=2000 + i)
        Affiliation.objects.create(person=other_person, brand=brand, role="executive")
        other_campaign.people.add(person, other_person)
        other_campaign.products.add(other_bag, bag)
        campaign.people.add(other_person)
        campaign.products.add(other_bag)
        make_quote(speaker_person=person, articles=[other_article], campaign=campaign)
        # What the house said, about the bag: on the brand and the product pages.
        make_quote(speaker_brand=brand, articles=[other_article]).about_products.add(bag)
        event.people.add(person)
        event.products.add(bag)

        other_article.people.add(person)
        other_article.brands.add(brand)
        other_article.products.add(bag)
        other_article.campaigns.add(campaign)
        other_article.tags.add("centre")

        make_colorway(product=bag, name=f"Colour {i}", hex="#123456")
        make_product(brand=brand, variant_of=bag)
        image = ProductImage(product=other_bag, alt_text=f"Bag {i}", position=0)
        image.image.save(f"bag-{i}.png", ContentFile(png_bytes()), save=True)
    return {
        "home": "/",
        "article-list": "/articles/",
        "article-detail": article.get_absolute_url(),
        "person-detail": person.get_absolute_url(),
        "campaign-detail": campaign.get_absolute_url(),
        "tag-detail": "/tags/centre/",
        "brand-detail": brand.get_absolute_url(),
        "product-detail": bag.get_absolute_url(),
        "search": "/search/?q=centre",
        "article-feed": "/feeds/articles/",
        "tag-feed": "/feeds/tags/centre/",
        "person-feed": person.get_absolute_url().replace("/people/", "/feeds/people/"),
        "sitemap-section": "/sitemap-articles.xml",
    }


@pytest.mark.parametrize("n", [1, 30])
@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_page_runs_a_fixed_number_of_queries(
    client, db, settings, django_assert_num_queries, page, n
):
    # The view's own queries: the whole-page cache would answer the second request,
    # and kept fragments most of the story's.
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "newsroom.cache.PageCacheMiddleware"
    ]
    settings.FRAGMENT_CACHE_SECONDS = 0
    urls = build(n)
    client.get(urls[page])  # warm the rendition cache; images are not the database's business
    with django_assert_num_queries(EXPECTED[page]):
        response = client.get(urls[page])
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_a_story_whose_fragments_are_kept_runs_one_query(
    client, db, settings, django_assert_num_queries, n
):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "newsroom.cache.PageCacheMiddleware"
    ]
    url = build(n)["article-detail"]
    first = client.get(url).content
    with django_assert_num_queries(1):  # the story itself: is it (still) public?
        response = client.get(url)
    assert response.content == first


# --- Directories, series and event pages: 1 and 40 rows --------------------------------------

DIRECTORY_EXPECTED = {
    # role facet, house facet (ambassadors + staff), the page, roles of the page's people
    "/people/": 5,
    "/people/?role=ambassador&house=hub-house": 5,
    "/brands/": 1,
    # five facets, the page, images of the page's bags
    "/products/": 7,
    # ...and one lookup each of the colour's and the material's stored values
    "/products/?colour=black&house=hub-house&category=tote&material=calfskin&year=2024": 9,
    "/campaigns/": 4,
    "/campaigns/?series=hub-series&year=2024&house=hub-house": 4,
    "/events/": 4,
    "/events/?kind=runway": 4,
    "/tags/": 1,
    "/campaigns/series/hub-series/": 6,
    "/events/hub-show/": 8,
    "/search/suggest/?q=hub": 5,
}


def build_directories(n):
    """``n`` public rows of every kind, all sharing one facet value, around one series and show."""
    house = make_brand(name="Hub House", slug="hub-house")
    ambassador = Role.objects.create(name="Ambassador", slug="ambassador")
    series = CampaignSeries.objects.create(brand=house, name="Hub Series", slug="hub-series")
    show = Event.objects.create(
        name="Hub Show", slug="hub-show", brand=house, kind="runway", published_by_hand=True
    )
    story = make_article(headline="Hub story")
    for i in range(n):
        person = make_person(name=f"Hub person {i}")
        person.roles.add(ambassador)
        make_ambassadorship(person=person, brand=house, since_year=2020)
        Affiliation.objects.create(person=person, brand=make_brand(), role="designer")
        SeriesAppearance.objects.create(series=series, person=make_person())
        bag = make_product(
            name=f"Hub bag {i}",
            brand=house,
            category="tote",
            materials="Calfskin\nNapa",
            year_introduced=2024,
        )
        make_colorway(product=bag, name="Black")
        image = ProductImage(product=bag, alt_text=f"Bag {i}", position=0)
        image.image.save(f"hub-{i}.png", ContentFile(png_bytes()), save=True)
        campaign = make_campaign(
            name=f"Hub campaign {i}", brand=house, series=series, date="2024-05-01"
        )
        campaign.people.add(person)
        campaign.products.add(bag)
        Event.objects.create(
            name=f"Hub event {i}", brand=house, kind="runway", published_by_hand=True
        )
        show.people.add(person)
        show.products.add(bag)
        make_quote(speaker_person=person, articles=[story]).about_events.add(show)
        tagged = make_article()
        tagged.tags.add(f"hub tag {i}")
        tagged.campaigns.add(campaign)
        tagged.events.add(show)


@pytest.mark.parametrize("n", [1, 40])
@pytest.mark.parametrize("url", sorted(DIRECTORY_EXPECTED))
def test_directory_runs_a_fixed_number_of_queries(
    client, db, settings, django_assert_num_queries, url, n
):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "newsroom.cache.PageCacheMiddleware"
    ]
    build_directories(n)
    client.get(url)
    with django_assert_num_queries(DIRECTORY_EXPECTED[url]):
        response = client.get(url)
    assert response.status_code == 200
    # Every row is listed (up to a page), so the count is not of an empty page.
    assert b"hub" in response.content.lower()
