"""Each resource runs a fixed number of queries, with 1 related row as with 40."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import ProductImage
from newsroom.models import Affiliation, CampaignSeries, Event
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

API = "/api/v1/"

# The fixed number of queries of each resource.
EXPECTED = {
    "root": 0,
    "article-list": 1,
    "article-detail": 4,
    "article-list-filtered": 1,
    "person-list": 2,
    "person-detail": 9,
    "brand-list": 1,
    "brand-detail": 7,
    "product-list": 1,
    "product-detail": 8,
    "campaign-list": 1,
    "campaign-detail": 7,
    "event-list": 2,
    "event-detail": 5,
    "series-list": 1,
    "series-detail": 6,
    "tag-list": 1,
    "tag-detail": 2,
}
assert EXPECTED["article-detail"] <= 10


def build(n):
    """A centre (house, person, bag, campaign, event, story, tag) with ``n`` of every related row."""
    brand = make_brand(name="Centre House")
    person = make_person(name="Centre Person")
    bag = make_product(name="Centre Bag", brand=brand)
    series = CampaignSeries.objects.create(brand=brand, name="Centre Series")
    campaign = make_campaign(
        name="Centre Campaign", brand=brand, series=series, photographer=make_person()
    )
    show = Event.objects.create(name="Centre Show", brand=brand, published_by_hand=True)
    article = make_article(headline="Centre story")
    article.tags.add("centre")
    for i in range(n):
        other_brand = make_brand()
        other_person = make_person()
        other_bag = make_product(brand=brand)
        other_campaign = make_campaign(brand=brand, series=series)
        event = Event.objects.create(name=f"Show {i}", brand=brand, published_by_hand=True)
        other_article = make_article()
        other_person.roles.create(name=f"Role {i}", slug=f"role-{i}")

        article.people.add(other_person, person)
        article.brands.add(other_brand, brand)
        article.products.add(other_bag, bag)
        article.campaigns.add(other_campaign, campaign)
        article.events.add(event, show)
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
        event.people.add(person)
        event.products.add(bag)
        show.people.add(other_person)
        show.products.add(other_bag)

        other_article.people.add(person)
        other_article.brands.add(brand)
        other_article.products.add(bag)
        other_article.campaigns.add(campaign)
        other_article.events.add(show)
        other_article.tags.add("centre")

        make_colorway(product=bag, name=f"Colour {i}", hex="#123456")
        make_product(brand=brand, variant_of=bag)
        image = ProductImage(product=bag, alt_text=f"Bag {i}", position=i)
        image.image.save(f"bag-{i}.png", ContentFile(png_bytes()), save=True)
    return {
        "root": API,
        "article-list": f"{API}articles/",
        "article-detail": f"{API}articles/{article.slug}/",
        "article-list-filtered": f"{API}articles/?person={person.slug}&tag=centre",
        "person-list": f"{API}people/",
        "person-detail": f"{API}people/{person.slug}/",
        "brand-list": f"{API}brands/",
        "brand-detail": f"{API}brands/{brand.slug}/",
        "product-list": f"{API}products/",
        "product-detail": f"{API}products/{bag.slug}/",
        "campaign-list": f"{API}campaigns/",
        "campaign-detail": f"{API}campaigns/{campaign.slug}/",
        "event-list": f"{API}events/",
        "event-detail": f"{API}events/{show.slug}/",
        "series-list": f"{API}series/",
        "series-detail": f"{API}series/{series.slug}/",
        "tag-list": f"{API}tags/",
        "tag-detail": f"{API}tags/centre/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 40])
def test_each_resource_runs_a_fixed_number_of_queries(client, n):
    urls = build(n)
    counts = {}
    for resource, url in urls.items():
        client.get(url)  # warm the rendition cache; images are not the database's business
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, resource
        counts[resource] = len(queries)
        if n == 40 and resource.endswith("-detail"):
            # The relations are really there: 40 rows are not cut down to a few.
            data = response.json()
            longest = max(len(v) for v in data.values() if isinstance(v, list))
            assert longest >= 20, resource
    assert counts == EXPECTED
