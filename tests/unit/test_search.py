"""Search: finds public things, highlights safely, and never fails on odd input."""

import pytest
from django.db import connection

from newsroom.models import Article
from newsroom.search import MAX_QUERY_LENGTH, highlight, normalise, search, terms_of
from tests.factories import make_article, make_campaign, make_person, make_product, tomorrow

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(db):
    kim = make_person(name="Kim Kardashian", aliases="Kardashian")
    make_person(name="Hidden Kardashian", embargoed_until=tomorrow())
    bag = make_product(name="Bel Air")
    campaign = make_campaign(name="Bel Air Characters")
    story = make_article(
        headline="Kim Kardashian fronts the Bel Air",
        dek="A tote named after a Los Angeles enclave.",
        body="<p>The calfskin tote has a twist lock.</p>",
    )
    older = make_article(headline="Handbags of the year", body="<p>The Bel Air returns.</p>")
    draft = make_article(headline="Bel Air draft", status=Article.Status.DRAFT)
    later = make_article(headline="Bel Air tomorrow", published_at=tomorrow())
    return locals()


def test_finds_published_articles_and_public_entities(content):
    results = search("bel air")
    found = [hit.obj for hit in results.articles]
    assert content["story"] in found and content["older"] in found
    assert content["draft"] not in found and content["later"] not in found
    assert [hit.obj for hit in results.products] == [content["bag"]]
    assert [hit.obj for hit in results.campaigns] == [content["campaign"]]


def test_headline_matches_rank_first(content):
    results = search("bel air")
    assert results.articles[0].obj == content["story"]


def test_people_are_found_by_alias_and_embargoed_people_are_not(content):
    results = search("kardashian")
    assert [hit.obj for hit in results.people] == [content["kim"]]


def test_body_matches_come_with_a_highlighted_snippet(content):
    (hit,) = search("calfskin").articles
    assert hit.obj == content["story"]
    assert "<mark>calfskin</mark>" in str(hit.snippet).lower()


def test_matches_are_highlighted_after_escaping(db):
    make_article(headline="<b>Bold</b> claims about bags")
    (hit,) = search("bold").articles
    assert str(hit.title) == "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; claims about bags"


def test_highlight_escapes_everything_but_the_marks():
    marked = highlight('<script>alert("x")</script> Kim', ["kim", "script"])
    assert "<script>" not in marked
    assert "&lt;<mark>script</mark>&gt;" in marked
    assert "<mark>Kim</mark>" in marked


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\x00\x01",
        "'; DROP TABLE newsroom_article; --",
        '"unbalanced',
        "a & | ! ( ) : * <->",
        "%_%",
        "\\",
        "🙂",
        "x" * 5000,
        "the",
        "bel -air OR",
    ],
)
def test_odd_queries_give_results_not_errors(client, content, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert Article.objects.count() == 4


def test_too_long_query_gives_an_empty_page_with_a_message(content):
    results = search("bel air " * 50)
    assert results.count == 0
    assert str(MAX_QUERY_LENGTH) in results.message


def test_normalise_and_terms():
    assert normalise("  Bel\tAir\x00 ") == "Bel Air"
    assert terms_of("bel BEL air, (air)") == ["bel", "air"]
    assert len(terms_of(" ".join(f"w{i}" for i in range(50)))) == 8


def test_search_page_shows_highlighted_results(client, content):
    html = client.get("/search/", {"q": "Kardashian"}).content.decode()
    assert "<mark>Kardashian</mark>" in html
    assert "Hidden Kardashian" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgresql_search_uses_stemming_and_the_gin_index(content):
    """ "fronting" finds "fronts" (English stemming), and the planner can use the index."""
    assert [hit.obj for hit in search("fronting").articles] == [content["story"]]
    from django.contrib.postgres.search import SearchQuery

    from newsroom.search import article_search_vector

    matches = (
        Article.objects.annotate(document=article_search_vector())
        .filter(document=SearchQuery("bel air", search_type="websearch", config="english"))
        .only("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
    assert "article_search_vector_gin" in matches.explain()


def test_adjacent_matches_share_one_mark():
    assert highlight("The Bel Air tote", ["bel", "air"]) == "The <mark>Bel Air</mark> tote"
