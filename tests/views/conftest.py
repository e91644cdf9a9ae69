"""A small published world for the reader-site tests, plus things readers must not see."""

from dataclasses import dataclass

import pytest

from newsroom.models import Affiliation, Article, CampaignSeries, Event, Role
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_brand,
    make_campaign,
    make_colorway,
    make_person,
    make_product,
    make_quote,
    tomorrow,
)


@pytest.fixture(autouse=True)
def _site_is_the_test_server(db):
    """Feeds and the sitemap take their domain from the sites framework, pages from the
    request; in production both are the public host. Here both are the test client's."""
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(pk=1, defaults={"domain": "testserver", "name": "Test"})
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


@dataclass
class World:
    brand: object
    bag: object
    hobo: object
    kim: object
    demna: object
    kander: object
    campaign: object
    older_campaign: object
    event: object
    article: object
    quote: object
    draft: object
    in_review: object
    scheduled: object
    hidden_person: object
    hidden_product: object
    hidden_campaign: object


@pytest.fixture
def world(db):
    """Balenciaga, Kim, the Bel Air and its campaign; a draft, a review, a scheduled story;
    an embargoed person, product and campaign attached to everything."""
    brand = make_brand(name="Balenciaga", founded_year=1917, description="A Paris house.")
    bag = make_product(
        name="Bel Air",
        brand=brand,
        year_introduced=2024,
        materials="Calfskin\nNapa lining",
        hallmark_features="Twist lock",
        sizes="Small, medium, large",
    )
    for position, (name, hex_) in enumerate([("Black", "#111111"), ("Beige", "#d8c3a5")]):
        make_colorway(product=bag, name=name, hex=hex_, position=position)
    hobo = make_product(name="Bel Air Hobo", brand=brand, variant_of=bag)
    kim = make_person(name="Kim Kardashian", aliases="Kardashian\nKim", bio="Media personality.")
    kim.roles.add(Role.objects.create(name="Ambassador"))
    demna = make_person(name="Demna", aliases="Demna Gvasalia")
    kander = make_person(name="Nadav Kander")
    make_ambassadorship(person=kim, brand=brand, since_year=2024)
    Affiliation.objects.create(person=demna, brand=brand, role="creative-director", since_year=2015)
    series = CampaignSeries.objects.create(brand=brand, name="Characters", photographer=kander)
    campaign = make_campaign(
        name="Bel Air Characters",
        brand=brand,
        series=series,
        photographer=kander,
        date="2024-09-01",
    )
    older_campaign = make_campaign(
        name="Rodeo Characters", brand=brand, series=series, date="2024-07-01"
    )
    campaign.people.add(kim)
    campaign.products.add(bag, hobo)
    older_campaign.people.add(kim)
    event = Event.objects.create(
        name="Fall 2024 show",
        brand=brand,
        date="2024-03-01",
        date_precision="month",
        location="Paris",
    )
    event.people.add(kim)
    event.products.add(bag)
    article = make_article(
        headline="Kim Kardashian fronts the Bel Air",
        dek="Balenciaga's new tote, photographed by Nadav Kander.",
        body="<p>Kim Kardashian carries the Bel Air. Kardashian again. Demna Gvasalia "
        "designed it for Balenciaga.</p>",
    )
    article.people.add(kim, demna, kander)
    article.brands.add(brand)
    article.products.add(bag, hobo)
    article.campaigns.add(campaign)
    article.events.add(event)
    article.tags.add("Handbags")
    quote = make_quote(
        speaker_person=kim, text="My guess will be 130.", campaign=campaign, articles=[article]
    )

    draft = make_article(headline="Draft secret story", status=Article.Status.DRAFT)
    in_review = make_article(headline="Review secret story", status=Article.Status.REVIEW)
    scheduled = make_article(headline="Scheduled secret story", published_at=tomorrow())
    hidden_person = make_person(name="Embargoed Person", embargoed_until=tomorrow())
    hidden_product = make_product(name="Embargoed Bag", brand=brand, embargoed_until=tomorrow())
    hidden_campaign = make_campaign(
        name="Embargoed Campaign", brand=brand, embargoed_until=tomorrow(), series=series
    )
    for secret in (draft, in_review, scheduled):
        secret.people.add(kim, demna)
        secret.brands.add(brand)
        secret.products.add(bag, hobo)
        secret.campaigns.add(campaign)
        secret.tags.add("Handbags", "Secret tag")
        make_quote(speaker_person=kim, text="Secret words.", articles=[secret], campaign=campaign)
    article.people.add(hidden_person)
    article.products.add(hidden_product)
    article.campaigns.add(hidden_campaign)
    hidden_campaign.people.add(kim)
    hidden_campaign.products.add(bag)
    campaign.people.add(hidden_person)
    campaign.products.add(hidden_product)
    make_ambassadorship(person=hidden_person, brand=brand)
    make_quote(
        speaker_person=hidden_person,
        text="Hidden speaker words.",
        articles=[article],
        campaign=campaign,
    )
    return World(
        brand,
        bag,
        hobo,
        kim,
        demna,
        kander,
        campaign,
        older_campaign,
        event,
        article,
        quote,
        draft,
        in_review,
        scheduled,
        hidden_person,
        hidden_product,
        hidden_campaign,
    )


SECRETS = (
    "Draft secret story",
    "Review secret story",
    "Scheduled secret story",
    "Embargoed Person",
    "Embargoed Bag",
    "Embargoed Campaign",
    "Secret words",
    "Secret tag",
    "secret-tag",
    "Hidden speaker words",
    "embargoed-",
)


def assert_no_secrets(text):
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked"
