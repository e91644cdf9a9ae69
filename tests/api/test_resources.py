"""What the API's objects carry: fields, pages, and relations both ways."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import ProductImage
from newsroom import entities
from newsroom.models import Affiliation, CampaignSeries, Event, SeriesAppearance
from newsroom.views.articles import article_entities, render_body
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

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def slugs(items):
    return [item["slug"] for item in items]


def test_root_lists_stories_every_registered_kind_and_tags(client):
    data = get(client, API)
    names = [r["name"] for r in data["resources"]]
    assert names == ["articles", *(k.plural for k in entities.kinds()), "series", "tags"]
    for resource in data["resources"]:
        assert resource["url"] == f"http://testserver{API}{resource['name']}/"
    assert data["schema"] == "http://testserver/api/v1/schema/"


def test_a_kind_registered_later_appears_in_the_root_and_answers(client):
    kind = entities.EntityKind(
        key="showpiece", model=Event, article_field="events", plural="showpieces"
    )
    entities.register(kind)
    try:
        event = Event.objects.create(name="Gala Night", published_by_hand=True)
        data = get(client, API)
        assert "showpieces" in [r["name"] for r in data["resources"]]
        listed = get(client, f"{API}showpieces/")
        assert slugs(listed["results"]) == [event.slug]
        detail = get(client, f"{API}showpieces/{event.slug}/")
        assert detail["name"] == "Gala Night"
        assert detail["stories"] == []
    finally:
        entities.unregister("showpiece")


def test_article_detail_carries_the_page_body_tags_image_mentions_and_quotes(client):
    brand = make_brand(name="Balenciaga")
    bag = make_product(name="Le City", brand=brand)
    person = make_person(name="Kim Kardashian")
    article = make_article(
        headline="Kim carries Le City",
        dek="A standfirst.",
        body="<p>Kim Kardashian carries Le City by Balenciaga.</p><script>x()</script>",
        lead_image_alt="Kim on the street",
        lead_image_credit="Photo: Agency",
    )
    article.lead_image.save("lead.png", ContentFile(png_bytes((1600, 900))), save=True)
    article.people.add(person)
    article.brands.add(brand)
    article.products.add(bag)
    article.tags.add("Handbags")
    quote = make_quote(speaker_person=person, text="I love it.", articles=[article])
    quote.wordings.filter(article=article).update(text="I really love it.")

    data = get(client, f"{API}articles/{article.slug}/")

    assert data["headline"] == "Kim carries Le City"
    assert data["dek"] == "A standfirst."
    assert data["html_url"] == f"http://testserver{article.get_absolute_url()}"
    # The body is exactly the page's: cleaned, each entity's first mention linked.
    expected = render_body(article.body, article_entities(article).linkable)
    assert data["body"] == str(expected)
    assert "<script" not in data["body"]
    assert f'href="{person.get_absolute_url()}"' in data["body"]
    assert slugs(data["tags"]) == ["handbags"]
    assert data["tags"][0]["url"] == "http://testserver/api/v1/tags/handbags/"
    image = data["lead_image"]
    assert image["alt"] == "Kim on the street"
    assert image["credit"] == "Photo: Agency"
    assert (image["width"], image["height"]) == (1600, 900)
    assert [r["width"] for r in image["renditions"]] == [320, 640, 960, 1280, 1600]
    assert slugs(data["people"]) == ["kim-kardashian"]
    assert data["products"][0]["brand"]["slug"] == "balenciaga"
    assert data["quotes"] == [
        {
            "slug": quote.slug,
            "wording": "I really love it.",
            "text": "I love it.",
            "speaker": {
                "kind": "person",
                "name": "Kim Kardashian",
                "slug": "kim-kardashian",
                "url": "http://testserver/api/v1/people/kim-kardashian/",
                "html_url": "http://testserver/people/kim-kardashian/",
            },
            "channel": "",
            "source": "",
            "said_on": None,
        }
    ]


def test_a_bag_carries_colourways_materials_images_campaigns_events_carriers_and_stories(client):
    brand = make_brand(name="Balenciaga")
    bag = make_product(name="Bel Air", brand=brand, materials="Calfskin\nNapa")
    variant = make_product(name="Bel Air Hobo", brand=brand, variant_of=bag)
    make_colorway(product=bag, name="Black", hex="#111111")
    image = ProductImage(product=bag, alt_text="The bag", credit="Studio")
    image.image.save("bag.png", ContentFile(png_bytes()), save=True)
    kim = make_person(name="Kim Kardashian")
    campaign = make_campaign(name="Characters: Bel Air", brand=brand)
    campaign.products.add(bag)
    campaign.people.add(kim)
    show = Event.objects.create(name="Fall show", brand=brand, published_by_hand=True)
    show.products.add(bag)
    story = make_article(headline="Bel Air arrives")
    story.products.add(bag)

    data = get(client, f"{API}products/bel-air/")

    assert data["brand"]["slug"] == "balenciaga"
    assert data["materials"] == ["Calfskin", "Napa"]
    assert data["colourways"] == [{"name": "Black", "hex": "#111111"}]
    assert data["images"][0]["alt"] == "The bag"
    assert data["images"][0]["credit"] == "Studio"
    assert slugs(data["variants"]) == [variant.slug]
    assert slugs(data["campaigns"]) == [campaign.slug]
    assert slugs(data["events"]) == [show.slug]
    assert data["carried_by"][0]["person"]["slug"] == "kim-kardashian"
    assert slugs(data["carried_by"][0]["campaigns"]) == [campaign.slug]
    assert slugs(data["stories"]) == [story.slug]
    assert data["stories_url"] == "http://testserver/api/v1/articles/?product=bel-air"
    # ... and the other way round.
    assert slugs(get(client, f"{API}campaigns/{campaign.slug}/")["products"]) == ["bel-air"]
    assert get(client, f"{API}products/{variant.slug}/")["variant_of"]["slug"] == "bel-air"
    assert slugs(get(client, f"{API}articles/?product=bel-air")["results"]) == [story.slug]


def test_a_person_carries_ambassadorships_with_years_and_the_brand_lists_them_back(client):
    person = make_person(name="Nicole Kidman")
    brand = make_brand(name="Balenciaga")
    make_ambassadorship(person=person, brand=brand, since_year=2022, until_year=2024)
    Affiliation.objects.create(person=person, brand=make_brand(name="Other"), role="founder")

    data = get(client, f"{API}people/nicole-kidman/")
    (amb,) = data["ambassadorships"]
    assert amb["brand"]["slug"] == "balenciaga"
    assert (amb["since_year"], amb["until_year"], amb["years"]) == (2022, 2024, "2022–2024")
    assert data["affiliations"][0]["role"] == "founder"

    back = get(client, f"{API}brands/balenciaga/")
    assert back["ambassadorships"][0]["person"]["slug"] == "nicole-kidman"
    assert back["ambassadorships"][0]["years"] == "2022–2024"


def test_the_response_names_every_row_it_shows_in_surrogate_keys(client):
    person = make_person()
    brand = make_brand()
    make_ambassadorship(person=person, brand=brand)
    response = client.get(f"{API}people/{person.slug}/")
    keys = response["Surrogate-Key"].split()
    assert f"person-{person.pk}" in keys
    assert f"brand-{brand.pk}" in keys
    listing = client.get(f"{API}people/")
    assert "people-list" in listing["Surrogate-Key"].split()


def test_lists_follow_next_and_previous_through_every_item_once(client):
    for n in range(5):
        make_article(headline=f"Story {n}")
        make_person(name=f"Person {n}")
    for collection in ("articles", "people"):
        seen = []
        url = f"{API}{collection}/?limit=2"
        pages = []
        while url:
            data = get(client, url)
            pages.append(data)
            seen += slugs(data["results"])
            url = data["next"]
        assert len(seen) == len(set(seen)) == 5
        assert len(pages) == 3
        assert pages[0]["previous"] is None
        # Back from the last page gives the page before it.
        back = get(client, pages[-1]["previous"])
        assert slugs(back["results"]) == slugs(pages[1]["results"])


def test_filters_mirror_the_directories(client):
    house = make_brand(name="House")
    other = make_brand(name="Other")
    tote = make_product(name="Tote One", brand=house, category="tote", year_introduced=2020)
    make_product(name="Bag Two", brand=other, category="handbag", year_introduced=2020)
    assert slugs(get(client, f"{API}products/?house=house")["results"]) == [tote.slug]
    assert slugs(get(client, f"{API}products/?category=tote")["results"]) == [tote.slug]
    assert len(get(client, f"{API}products/?year=2020")["results"]) == 2
    make_colorway(product=tote, name="Noir")
    assert slugs(get(client, f"{API}products/?colour=Noir")["results"]) == [tote.slug]
    tagged = make_article(headline="Tagged")
    tagged.tags.add("Handbags")
    make_article(headline="Untagged")
    assert slugs(get(client, f"{API}articles/?tag=handbags")["results"]) == [tagged.slug]
    person = make_person(name="Ambassador")
    make_ambassadorship(person=person, brand=house)
    make_person(name="Nobody")
    assert slugs(get(client, f"{API}people/?house=house")["results"]) == [person.slug]


def test_list_items_cost_one_query_with_their_brand(client):
    for _ in range(3):
        make_product()
    with CaptureQueriesContext(connection) as queries:
        get(client, f"{API}products/")
    assert len(queries) == 1


def test_a_series_lists_its_public_instalments_and_cast(client):
    house = make_brand(name="Balenciaga")
    series = CampaignSeries.objects.create(brand=house, name="Characters")
    kim = make_person(name="Kim Kardashian")
    first = make_campaign(name="Characters: Rodeo", brand=house, series=series)
    first.people.add(kim)
    make_campaign(name="Characters: Hidden", brand=house, series=series, published_by_hand=False)
    yeoh = make_person(name="Michelle Yeoh")
    SeriesAppearance.objects.create(series=series, person=yeoh, note="Modelled for it.")
    story = make_article(headline="Characters goes on")
    story.campaigns.add(first)

    data = get(client, f"{API}series/characters/")
    assert data["brand"]["slug"] == "balenciaga"
    assert slugs(data["instalments"]) == ["characters-rodeo"]
    assert [c["person"]["slug"] for c in data["cast"]] == ["kim-kardashian", "michelle-yeoh"]
    assert data["cast"][1]["notes"] == ["Modelled for it."]
    assert slugs(data["stories"]) == [story.slug]
    assert slugs(get(client, data["stories_url"])["results"]) == [story.slug]
    # Both ways: the campaign links its series.
    assert get(client, f"{API}campaigns/characters-rodeo/")["series"]["url"] == data["url"]
