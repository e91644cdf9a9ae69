"""Live mention suggestions: the text as typed, checked without saving, answered as JSON."""

import pytest
from django.test import Client
from django.urls import reverse

from newsroom.assistants import suggestions
from newsroom.models import Article
from tests.factories import make_article, make_brand, make_person, make_product

pytestmark = pytest.mark.django_db

CHECK = "admin:newsroom_article_check_mentions"


@pytest.fixture(autouse=True)
def _fresh_index():
    suggestions.reset_mention_index()
    yield
    suggestions.reset_mention_index()


def check(client, **data):
    response = client.post(reverse(CHECK), data)
    assert response.status_code == 200
    return response.json()


def test_unsaved_text_gets_suggestions_from_the_same_matcher(writer_client):
    yeoh = make_person(name="Michelle Yeoh")
    bag = make_product(name="Bel Air", brand=make_brand(name="Balenciaga"))
    answer = check(
        writer_client,
        headline="A night out",
        dek="",
        body="<p>Michelle Yeoh carried the <strong>Bel Air</strong>.</p>",
    )
    assert {(s["key"], s["name"]) for s in answer["suggestions"]} == {
        (f"people:{yeoh.pk}", "Michelle Yeoh"),
        (f"products:{bag.pk}", "Bel Air"),
    }
    assert all(s["where"] == "text" for s in answer["suggestions"])
    assert 'data-suggestion="people:' in answer["html"]
    assert not Article.objects.exists()  # nothing was saved


def test_selections_in_the_form_count_as_linked(writer_client):
    yeoh = make_person(name="Michelle Yeoh")
    other = make_person(name="Kim Kardashian")
    answer = check(
        writer_client,
        body="<p>Michelle Yeoh at the opera.</p>",
        people=[str(yeoh.pk), str(other.pk)],
    )
    assert answer["suggestions"] == []
    assert [e["name"] for e in answer["confirmed"]] == ["Michelle Yeoh"]
    assert [e["name"] for e in answer["unmentioned"]] == ["Kim Kardashian"]
    assert "Linked and mentioned: Michelle Yeoh." in answer["html"]


def test_unknown_capitalised_names_offer_prefilled_add_forms(writer_client):
    make_person(name="Michelle Yeoh")
    answer = check(
        writer_client,
        body="<p>The Coperni show was a hit. Michelle Yeoh sat beside Anna Wintour.</p>",
    )
    names = [u["name"] for u in answer["unknown"]]
    assert names == ["Coperni", "Anna Wintour"]
    anna = answer["unknown"][1]
    fields = {link["field"] for link in anna["create"]}
    assert {"people", "brands", "products"} <= fields
    person_url = next(link["url"] for link in anna["create"] if link["field"] == "people")
    assert person_url.startswith(reverse("admin:newsroom_person_add"))
    assert "name=Anna+Wintour" in person_url and "slug=anna-wintour" in person_url
    assert "_popup=1" in person_url
    # The add form opens with the name and slug filled in.
    page = writer_client.get(person_url).content.decode()
    assert 'value="Anna Wintour"' in page and 'value="anna-wintour"' in page


def test_unknown_names_skip_sentence_starts_and_small_words(writer_client):
    answer = check(writer_client, body="<p>Yesterday it rained. In Paris, The Row opened.</p>")
    assert [u["name"] for u in answer["unknown"]] == ["Paris", "Row"]


def test_the_check_needs_a_login_and_a_post(writer_client):
    assert Client().post(reverse(CHECK), {"body": "x"}).status_code == 302
    assert writer_client.get(reverse(CHECK)).status_code == 405


def test_an_existing_article_panel_keeps_its_link_form(writer_client, writer):
    article = make_article(status=Article.Status.DRAFT, created_by=writer)
    make_person(name="Michelle Yeoh")
    answer = check(writer_client, body="<p>Michelle Yeoh</p>", article=str(article.pk))
    assert reverse("admin:newsroom_article_link_mentions", args=[article.pk]) in answer["html"]


def test_the_add_form_has_a_live_panel(writer_client):
    page = writer_client.get(reverse("admin:newsroom_article_add")).content.decode()
    assert f'data-check-url="{reverse(CHECK)}"' in page
    assert "newsroom/admin/mentions.js" in page
