"""JSON-LD, RSS feeds and the sitemap: machine-readable, well-formed and public-only."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from newsroom.models import Article
from tests.factories import make_article, make_person, make_product, tomorrow

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db

SITE = "http://testserver/"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def graph_of(response):
    scripts = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(scripts) == 1, "one JSON-LD block per page"
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org"
    return data["@graph"]


def all_ids(value):
    """Every "@id" anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@id":
                yield item
            else:
                yield from all_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_ids(item)


def by_type(graph, kind):
    return [node for node in graph if node["@type"] == kind]


@pytest.fixture
def pages(world):
    return [
        "/",
        "/articles/",
        world.article.get_absolute_url(),
        world.kim.get_absolute_url(),
        world.campaign.get_absolute_url(),
        world.brand.get_absolute_url(),
        world.bag.get_absolute_url(),
        world.hobo.get_absolute_url(),
        "/tags/handbags/",
        "/search/?q=bel",
    ]


def test_every_page_has_one_graph_with_site_ids_and_a_breadcrumb_list(client, pages):
    for url in pages:
        graph = graph_of(client.get(url))
        for node in graph:
            assert node["@id"].startswith(SITE), node
        references = list(all_ids(graph))
        assert references
        assert all(ref.startswith(SITE) for ref in references)
        node_ids = {node["@id"] for node in graph}
        assert len(node_ids) == len(graph), "no node twice"
        (breadcrumbs,) = by_type(graph, "BreadcrumbList")
        items = breadcrumbs["itemListElement"]
        assert items[0]["item"] == SITE
        assert [i["position"] for i in items] == list(range(1, len(items) + 1))
        assert_no_secrets(json.dumps(graph))


def test_article_graph_points_about_and_mentions_at_our_entity_pages(client, world):
    graph = graph_of(client.get(world.article.get_absolute_url()))
    (article,) = by_type(graph, "NewsArticle")
    node_ids = {node["@id"] for node in graph}
    about = {ref["@id"] for ref in article["about"]}
    mentions = {ref["@id"] for ref in article["mentions"]}
    assert f"{SITE}people/kim-kardashian/#person" in about
    assert f"{SITE}products/bel-air/#product" in about
    assert f"{SITE}brands/balenciaga/#organization" in mentions
    assert (about | mentions) <= node_ids, "every reference resolves inside the graph"
    (kim,) = [n for n in graph if n["@id"] == f"{SITE}people/kim-kardashian/#person"]
    assert kim["@type"] == "Person" and "Kardashian" in kim["alternateName"]
    assert article["headline"] == world.article.headline
    assert "datePublished" in article


def test_bag_with_colourways_and_iterations_is_a_product_group(client, world):
    graph = graph_of(client.get(world.bag.get_absolute_url()))
    (group,) = by_type(graph, "ProductGroup")
    assert group["@id"] == f"{SITE}products/bel-air/#product"
    variants = {ref["@id"] for ref in group["hasVariant"]}
    assert f"{SITE}products/bel-air-hobo/#product" in variants
    colourways = [n for n in by_type(graph, "Product") if n.get("color")]
    assert {n["color"] for n in colourways} == {"Black", "Beige"}
    assert all(n["isVariantOf"]["@id"] == group["@id"] for n in colourways)
    assert {n["@id"] for n in colourways} <= variants
    assert f"{SITE}products/embargoed-bag/#product" not in variants


def test_iteration_points_back_at_its_original(client, world):
    graph = graph_of(client.get(world.hobo.get_absolute_url()))
    hobo = next(n for n in graph if n["@id"] == f"{SITE}products/bel-air-hobo/#product")
    assert hobo["isVariantOf"]["@id"] == f"{SITE}products/bel-air/#product"


def test_feed_is_rss_with_published_stories_only(client, world):
    response = client.get("/feeds/articles/")
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == [world.article.headline]
    assert items[0].findtext("link") == f"{SITE}articles/{world.article.slug}/"
    assert items[0].findtext("description") == world.article.dek.replace("'", "&#x27;")


def test_tag_and_person_feeds(client, world):
    for url in ("/feeds/tags/handbags/", f"/feeds/people/{world.kim.slug}/"):
        root = ET.fromstring(client.get(url).content)
        assert [i.findtext("title") for i in root.findall("./channel/item")] == [
            world.article.headline
        ]
    assert client.get(f"/feeds/people/{world.hidden_person.slug}/").status_code == 404


def test_scheduled_story_is_not_in_the_feed_until_its_moment(client, db):
    make_article(headline="Later", published_at=tomorrow())
    root = ET.fromstring(client.get("/feeds/articles/").content)
    assert root.findall("./channel/item") == []


def _sitemap_urls(client):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    urls = []
    for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS):
        section = client.get(loc.text.replace("http://testserver", ""))
        assert section.status_code == 200
        urls += [
            u.text for u in ET.fromstring(section.content).findall("sm:url/sm:loc", SITEMAP_NS)
        ]
    return urls


def test_sitemap_index_lists_public_pages_only(client, world):
    urls = _sitemap_urls(client)
    for obj in (world.article, world.kim, world.brand, world.bag, world.hobo, world.campaign):
        assert f"{SITE}{obj.get_absolute_url().lstrip('/')}" in urls
    assert f"{SITE}tags/handbags/" in urls
    for obj in (
        world.draft,
        world.in_review,
        world.scheduled,
        world.hidden_person,
        world.hidden_product,
        world.hidden_campaign,
    ):
        assert f"{SITE}{obj.get_absolute_url().lstrip('/')}" not in urls
    assert f"{SITE}tags/secret-tag/" not in urls
    assert len(urls) == len(set(urls))


def test_sitemap_sections_are_paginated(client, db, monkeypatch):
    from newsroom import sitemaps

    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    for i in range(5):
        make_article(headline=f"Story {i}")
    index = ET.fromstring(client.get("/sitemap.xml").content)
    locs = [loc.text for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
    assert f"{SITE}sitemap-articles.xml?p=3" in locs
    page3 = ET.fromstring(client.get("/sitemap-articles.xml?p=3").content)
    assert len(page3.findall("sm:url", SITEMAP_NS)) == 1


HOSTILE = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_editor_text_is_escaped_in_pages_feeds_meta_and_json_ld(client, db):
    person = make_person(name=f"Eve {HOSTILE}", bio=f"Bio {HOSTILE}")
    product = make_product(name=f"Bag {HOSTILE}", description=HOSTILE)
    article = make_article(headline=f"Headline {HOSTILE}", dek=f"Dek {HOSTILE}")
    article.people.add(person)
    article.products.add(product)
    article.tags.add(f"tag {HOSTILE}")
    tag_slug = article.tags.get().slug
    urls = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        person.get_absolute_url(),
        product.get_absolute_url(),
        product.brand.get_absolute_url(),
        f"/tags/{tag_slug}/",
        "/search/?q=Headline",
        "/search/?q=Eve",
        "/feeds/articles/",
        f"/feeds/people/{person.slug}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "<script>alert" not in text, url
        assert "<img src=x" not in text, url
        assert text.count("</script>") == text.count("<script"), url
        if "html" in response["Content-Type"]:
            graph_of(response)  # still parses


def test_hostile_text_in_feed_stays_text_after_the_reader_unescapes_it(client, db):
    make_article(headline=f"Headline {HOSTILE}", dek=f"Dek {HOSTILE}")
    root = ET.fromstring(client.get("/feeds/articles/").content)
    item = root.find("./channel/item")
    # A feed reader treats title and description as HTML: after XML parsing they must
    # still be escaped markup, never a live tag.
    assert "<script>" not in item.findtext("title")
    assert "&lt;script&gt;" in item.findtext("description")


def test_article_page_json_ld_does_not_include_unpublished_related_stories(client, world):
    text = json.dumps(graph_of(client.get(world.article.get_absolute_url())))
    assert "secret" not in text.lower()
    assert Article.objects.count() == 4
