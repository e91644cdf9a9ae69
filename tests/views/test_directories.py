"""Directories, facets, series and event pages, search by alias and suggestions."""

import json
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse

from newsroom import entities
from newsroom.models import Article, CampaignSeries, Event, Person, SeriesAppearance
from tests.factories import (
    make_article,
    make_brand,
    make_campaign,
    make_colorway,
    make_person,
    make_product,
    tomorrow,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(db):
    call_command("loaddata", "stories", verbosity=0)


def listed(response):
    """The names linked in a directory's list (not its facets or the header)."""
    html = response.content.decode()
    block = html.split('class="directory__items"', 1)[1].split("</main>", 1)[0]
    block = block.split('class="pagination"', 1)[0]
    return [unescape(n) for n in re.findall(r'<a href="/[a-z]+/[^"/?]+/">([^<]+)</a>', block)]


def jsonld(response):
    html = response.content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)["@graph"]


def facet_counts(response, param):
    """{option label: count} of one facet, as the page shows them."""
    html = response.content.decode()
    section = html.split(f'id="facet-{param}"', 1)[1].split("</section>", 1)[0]
    return {
        unescape(label.strip()): int(count)
        for label, count in re.findall(r'>([^<>]+) <span class="facet__count">(\d+)<', section)
    }


# --- Every page answers, whatever the parameters ---------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/people/?role=brand-ambassador",
        "/people/?house=balenciaga&role=photographer",
        "/products/?colour=black&house=balenciaga",
        "/products/?year=abc",
        "/products/?year=99999",
        "/products/?colour=%00%ff",
        "/products/?colour=" + "x" * 500,
        "/products/?category=nope&colour=black&material=x&year=1&house=y",
        "/products/?colour=black&colour=ivory",
        "/campaigns/?year=2024&series=nope",
        "/events/?kind=gala&year=0",
        "/people/?after=3",
        "/people/?before=99999999999999999999",
        "/people/?after=%D9%A3",
        "/tags/?after=-1",
        "/search/suggest/?q=%00",
        "/search/suggest/?q=" + "bel " * 100,
    ],
)
def test_any_parameters_answer_200(client, stories, url):
    assert client.get(url).status_code == 200


# --- Directories -----------------------------------------------------------------------------


def test_each_directory_lists_the_public_entities_of_the_stories(client, stories):
    for kind in entities.kinds():
        response = client.get(kind.list_url)
        assert response.status_code == 200
        expected = sorted(kind.public().values_list("name", flat=True), key=str)
        assert sorted(listed(response), key=str) == expected, kind.key
    tags = client.get("/tags/").content.decode()
    for name in ("Brand ambassadors", "Handbags", "Old Money aesthetic"):
        assert f">{name}</a>" in tags


def test_directories_hide_what_readers_may_not_see(client, db):
    make_article().people.add(make_person(name="Seen Person", published_by_hand=False))
    make_person(name="Embargoed Person", embargoed_until=tomorrow())
    draft = make_article(status=Article.Status.DRAFT)
    draft.people.add(make_person(name="Draft Person", published_by_hand=False))
    hidden_house = make_brand(name="Hidden House", embargoed_until=tomorrow())
    make_product(name="Bag Of Hidden House", brand=hidden_house)
    make_campaign(name="Campaign Of Hidden House", brand=hidden_house)
    Event.objects.create(name="Unpublished Show", slug="unpublished-show")
    draft.tags.add("draft only")

    assert listed(client.get("/people/")) == ["Seen Person"]
    assert "Hidden House" not in client.get("/brands/").content.decode()
    products = client.get("/products/").content.decode()
    assert "Bag Of Hidden House" not in products and "Hidden House" not in products
    assert "Campaign Of Hidden House" not in client.get("/campaigns/").content.decode()
    assert "Unpublished Show" not in client.get("/events/").content.decode()
    assert "draft only" not in client.get("/tags/").content.decode()


def test_facets_show_counts_and_two_facets_narrow_the_list(client, stories):
    response = client.get("/products/")
    assert facet_counts(response, "colour") == {"Beige": 1, "Black": 1, "Ivory": 1}
    assert facet_counts(response, "house") == {"Balenciaga": 4}
    assert facet_counts(response, "category") == {"Handbag": 2, "Hobo": 1, "Tote": 1}

    black = client.get("/products/?colour=black")
    assert listed(black) == ["Bel Air"]
    # Counts of the other facets follow the choice.
    assert facet_counts(black, "category") == {"Tote": 1}
    assert listed(client.get("/products/?colour=black&category=tote")) == ["Bel Air"]
    assert listed(client.get("/products/?colour=black&category=handbag")) == []
    assert listed(client.get("/products/?material=calfskin")) == ["Bel Air"]
    assert listed(client.get("/products/?year=2000")) == ["Le City"]

    people = client.get("/people/?role=photographer")
    assert listed(people) == ["Nadav Kander"]
    ambassadors = listed(client.get("/people/?house=balenciaga&role=brand-ambassador"))
    assert "Kim Kardashian" in ambassadors and "Michelle Yeoh" in ambassadors
    assert "Demna" not in ambassadors
    assert "Demna" in listed(client.get("/people/?house=balenciaga"))

    assert listed(client.get("/campaigns/?series=characters")) == [
        "Characters: Bel Air",
        "Characters: Rodeo",
    ]
    assert listed(client.get("/campaigns/?year=2022")) == ["Holiday 2022"]
    assert listed(client.get("/events/?kind=gala")) == ["Met Gala"]


def test_an_unknown_facet_value_gives_an_empty_list_not_an_error(client, stories):
    for url in ("/products/?colour=chartreuse", "/products/?year=1850", "/people/?role=pope"):
        response = client.get(url)
        assert response.status_code == 200
        assert listed(response) == []
        assert "Nothing matches these choices" in response.content.decode()


def test_filtered_views_are_noindex_and_the_directory_is_canonical(client, stories):
    page = client.get("/products/").content.decode()
    assert '<link rel="canonical" href="http://testserver/products/">' in page
    assert 'name="robots"' not in page
    filtered = client.get("/products/?colour=black").content.decode()
    assert '<meta name="robots" content="noindex">' in filtered
    assert 'rel="canonical"' not in filtered


def test_directories_describe_themselves_as_a_collection_with_an_item_list(client, stories):
    graph = jsonld(client.get("/products/?colour=black"))
    page = next(n for n in graph if n["@type"] == "CollectionPage")
    items = next(n for n in graph if n["@type"] == "ItemList")
    assert page["mainEntity"] == {"@id": items["@id"]}
    assert [i["name"] for i in items["itemListElement"]] == ["Bel Air"]
    assert items["itemListElement"][0]["url"] == "http://testserver/products/bel-air/"
    assert items["itemListElement"][0]["position"] == 1


def test_directories_are_paginated_with_keyset_cursors(client, db):
    for i in range(30):
        make_person(name=f"Person {i:02d}")
    first = client.get("/people/")
    names = listed(first)
    assert names == [f"Person {i:02d}" for i in range(24)]
    html = first.content.decode()
    assert 'rel="prev"' not in html
    next_url = unescape(re.search(r'rel="next" href="([^"]+)"', html).group(1))
    second = client.get(next_url)
    assert listed(second) == [f"Person {i:02d}" for i in range(24, 30)]
    html = second.content.decode()
    assert 'rel="next"' not in html
    prev_url = unescape(re.search(r'rel="prev" href="([^"]+)"', html).group(1))
    assert listed(client.get(prev_url)) == names
    # Cursors keep the facets chosen.
    make_person(name="Person 99").roles.create(name="Model", slug="model")
    assert "role=model" not in next_url
    first = Person.objects.get(name="Person 00")
    assert listed(client.get(f"/people/?role=model&after={first.pk}")) == ["Person 99"]
    assert listed(client.get(f"/people/?role=model&before={first.pk}")) == []


def test_header_and_footer_link_every_directory_of_the_registry(client, stories):
    html = client.get("/").content.decode()
    header = html.split("</header>", 1)[0]
    footer = html.split('<footer class="site-footer">', 1)[1]
    for kind in entities.kinds():
        assert f'href="{kind.list_url}"' in header, kind.key
        assert f'href="{kind.list_url}"' in footer, kind.key
    assert 'href="/tags/"' in header and 'href="/tags/"' in footer
    current = client.get("/products/").content.decode().split("</header>", 1)[0]
    assert '<a href="/products/" aria-current="page">Handbags</a>' in current


def test_directories_and_event_pages_are_in_the_sitemap(client, stories):
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>http://testserver(/sitemap-[^<]+)</loc>", index)
    urls = "".join(client.get(s).content.decode() for s in sections)
    for kind in entities.kinds():
        assert f"<loc>http://testserver{kind.list_url}</loc>" in urls, kind.key
    assert "<loc>http://testserver/tags/</loc>" in urls
    assert "<loc>http://testserver/events/balenciaga-fall-2024-presentation/</loc>" in urls
    assert "<loc>http://testserver/campaigns/series/characters/</loc>" in urls


# --- Series and events -----------------------------------------------------------------------


def test_series_page_lists_instalments_in_order_and_everyone_it_photographed(client, stories):
    response = client.get("/campaigns/series/characters/")
    html = response.content.decode()
    assert html.index("Characters: Rodeo") < html.index("Characters: Bel Air")
    cast = html.split('id="cast-title"', 1)[1].split("</section>", 1)[0]
    for name in ("Kim Kardashian", "Michelle Yeoh", "Isabelle Huppert"):
        assert name in cast
    assert "the story does not say in which instalment" in cast
    assert 'href="/people/nadav-kander/"' in html  # its photographer
    graph = jsonld(response)
    series = next(n for n in graph if n["@type"] == "CreativeWorkSeries")
    assert len(series["hasPart"]) == 2


def test_a_series_without_a_public_instalment_has_no_page(client, db):
    house = make_brand()
    series = CampaignSeries.objects.create(brand=house, name="Secret", slug="secret")
    make_campaign(brand=house, series=series, published_by_hand=False)
    SeriesAppearance.objects.create(series=series, person=make_person())
    assert client.get("/campaigns/series/secret/").status_code == 404
    assert client.get("/campaigns/series/nope/").status_code == 404


def test_series_page_leaves_out_people_readers_may_not_see(client, db):
    house = make_brand()
    series = CampaignSeries.objects.create(brand=house, name="Open", slug="open")
    make_campaign(brand=house, series=series)
    SeriesAppearance.objects.create(
        series=series, person=make_person(name="Embargoed Model", embargoed_until=tomorrow())
    )
    response = client.get("/campaigns/series/open/")
    assert response.status_code == 200
    assert "Embargoed Model" not in response.content.decode()


def test_event_page_shows_what_was_shown_where_when_quotes_and_stories(client, stories):
    response = client.get("/events/balenciaga-fall-2024-presentation/")
    html = response.content.decode()
    assert 'href="/products/bel-air/"' in html
    assert "Paris" in html and "March 2024" in html
    assert "hardcore, DIY inclinations" in html and 'href="/people/miles-socha/"' in html
    assert 'href="/articles/kim-kardashian-fronts-balenciagas-bel-air-campaign/"' in html
    assert 'href="/campaigns/series/characters/"' in html
    event = next(n for n in jsonld(response) if n["@type"] == "Event")
    assert event["startDate"] == "2024-03"
    assert event["location"] == {"@type": "Place", "name": "Paris"}
    met = client.get("/events/met-gala/").content.decode()
    assert 'href="/people/kim-kardashian/"' in met


def test_an_event_readers_may_not_see_has_no_page(client, db):
    Event.objects.create(
        name="Later", slug="later", published_by_hand=True, embargoed_until=tomorrow()
    )
    Event.objects.create(name="Unlinked", slug="unlinked")
    assert client.get("/events/later/").status_code == 404
    assert client.get("/events/unlinked/").status_code == 404


def test_detail_pages_link_events_series_and_quotes(client, stories):
    bag = client.get("/products/bel-air/").content.decode()
    assert 'href="/events/balenciaga-fall-2024-presentation/"' in bag
    assert "deceptively relaxed" in bag  # the press release about the bag
    house = client.get("/brands/balenciaga/").content.decode()
    assert "deceptively relaxed" in house  # what the house said
    assert 'href="/events/balenciaga-show-in-la/"' in house
    yeoh = client.get("/people/michelle-yeoh/").content.decode()
    assert 'href="/campaigns/series/characters/"' in yeoh
    kim = client.get("/people/kim-kardashian/").content.decode()
    assert 'href="/campaigns/series/characters/"' in kim
    assert 'href="/events/met-gala/"' in kim
    campaign = client.get("/campaigns/characters-bel-air/").content.decode()
    assert 'href="/campaigns/series/characters/"' in campaign
    assert 'href="/campaigns/characters-rodeo/"' in campaign


def test_every_public_entity_is_reachable_from_home_without_opening_a_story(client, stories):
    wanted = {
        kind.url(slug)
        for kind in entities.with_pages()
        for slug in kind.public().values_list("slug", flat=True)
    }
    seen, queue = set(), ["/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
            href = unescape(href)
            if href.startswith(("/articles/", "/admin/", "/static/", "/media/", "/feeds/")):
                continue
            if href.startswith(("/search/", "/sitemap")):
                continue
            if href not in seen:
                queue.append(href)
    assert wanted - seen == set()


# --- Search and suggestions ------------------------------------------------------------------


def test_search_finds_entities_by_alias_with_kind_labels(client, stories):
    html = client.get("/search/", {"q": "Gvasalia"}).content.decode()
    assert 'href="/people/demna/"' in html
    assert '<span class="kind-label">Person</span>' in html
    houses = client.get("/search/", {"q": "Balenciaga"}).content.decode()
    assert 'href="/brands/balenciaga/"' in houses
    assert '<span class="kind-label">House</span>' in houses
    events = client.get("/search/", {"q": "fall 2024 presentation"}).content.decode()
    assert 'href="/events/balenciaga-fall-2024-presentation/"' in events
    assert '<span class="kind-label">Event</span>' in events


def test_suggestions_answer_json_over_the_visibility_rule(client, stories):
    make_product(name="Bel Air Secret", embargoed_until=tomorrow())
    response = client.get("/search/suggest/", {"q": "bel"})
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    names = [r["name"] for r in results]
    assert "Bel Air" in names and "Bel Air Hobo" in names
    assert "Bel Air Secret" not in names
    bel_air = next(r for r in results if r["name"] == "Bel Air")
    assert bel_air == {
        "name": "Bel Air",
        "kind": "product",
        "label": "Tote",
        "detail": "Balenciaga",
        "url": "/products/bel-air/",
    }
    alias = client.get("/search/suggest/", {"q": "gvasalia"}).json()["results"]
    assert [r["url"] for r in alias] == ["/people/demna/"]
    assert client.get("/search/suggest/", {"q": ""}).json()["results"] == []


def test_the_search_box_works_without_javascript_and_loads_its_script_from_a_file(client, db):
    html = client.get("/").content.decode()
    form = re.search(r'<form class="site-search"[^>]*>', html).group(0)
    assert 'action="/search/"' in form and 'method="get"' in form
    assert f'data-suggest-url="{reverse("newsroom:search-suggest")}"' in form
    assert re.search(r'<script src="/static/js/suggest\.js[^"]*" defer></script>', html)
    assert not re.search(r"<script(?![^>]*(src=|application/ld\+json))", html)


def test_colour_facet_counts_products_not_colourways(client, db):
    house = make_brand(name="House")
    for name in ("One", "Two"):
        bag = make_product(name=name, brand=house)
        make_colorway(product=bag, name="Black")
        make_colorway(product=bag, name="Red")
    counts = facet_counts(client.get("/products/"), "colour")
    assert counts == {"Black": 2, "Red": 2}


def test_a_renamed_event_leaves_a_redirect_from_its_old_address(client, db):
    event = Event.objects.create(name="Show", slug="old-show", published_by_hand=True)
    event.slug = "new-show"
    event.save()
    response = client.get("/events/old-show/")
    assert response.status_code == 301
    assert response["Location"] == "/events/new-show/"
