"""Search highlighting marks whole words and leaves the text around them as it was.

These run on whichever database the suite runs on: SQLite's word matching, and
PostgreSQL's ``ts_headline`` for article headlines and snippets.
"""

import re
from html import unescape

import pytest
from django.db import connection

from newsroom.search import highlight, plain_text, search
from tests.factories import make_article, make_person

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)

HEADLINE = "Nicole Kidman carries the Le City for Balenciaga"
BODY = (
    "<p>Ba<em>len</em>ciaga dressed Nicole.</p><p>The Le&nbsp;City returns, with "
    '<a href="https://example.com/x" title="a &gt; b">Kim</a>\'s bag.</p>'
    "<ul><li>H&amp;M</li><li>&lt;b&gt;not bold&lt;/b&gt;</li></ul>"
)
BODY_TEXT = (
    "Balenciaga dressed Nicole. The Le\u00a0City returns, with Kim's bag. H&M <b>not bold</b>"
)


def _marks(html):
    return re.findall(r"<mark>(.*?)</mark>", str(html))


def _text(html):
    """What a reader sees: the marks gone, the escaping undone."""
    return unescape(re.sub(r"</?mark>", "", str(html)))


def _squash(text):
    """Runs of spaces as one (HTML shows them so), the snippet's ellipses left out."""
    return re.sub(r" +", " ", text.replace("…", " ")).strip()


@pytest.fixture
def story():
    return make_article(headline=HEADLINE, dek="", body=BODY)


def test_highlight_marks_whole_words_only():
    marked = highlight("Balenciaga and Nicole Kidman at Le City", ["le"])
    assert _marks(marked) == ["Le"]
    assert _text(marked) == "Balenciaga and Nicole Kidman at Le City"


def test_highlight_marks_words_next_to_punctuation():
    marked = highlight(
        "Kardashian's bag, (Bel-Air) and “Le City”.", ["kardashian", "le", "bel-air"]
    )
    assert _marks(marked) == ["Kardashian", "Bel-Air", "Le"]
    assert _text(marked) == "Kardashian's bag, (Bel-Air) and “Le City”."


def test_highlight_of_a_part_of_a_word_marks_nothing():
    assert _marks(highlight("Balenciaga", ["len"])) == []
    assert str(highlight("Balenciaga", ["len"])) == "Balenciaga"


def test_the_text_of_a_body_keeps_words_whole_and_decodes_references_once():
    assert _squash(plain_text(BODY)) == BODY_TEXT


def test_article_headline_marks_whole_words_and_keeps_the_text(story):
    (hit,) = search("le").articles
    assert _marks(hit.title) == ["Le"]
    assert _text(hit.title) == HEADLINE


def test_article_snippet_keeps_the_words_of_the_body(story):
    (hit,) = search("le").articles
    snippet = _text(hit.snippet)
    assert "Ba lenciaga" not in snippet and "Balenciaga dressed Nicole." in snippet
    assert "Le\u00a0City" in snippet
    assert "Kim's bag." in snippet
    assert "&amp;" not in snippet and "H&M" in snippet
    assert _squash(snippet) in BODY_TEXT
    assert set(_marks(hit.snippet)) == {"Le"}


def test_article_snippet_escapes_markup_written_as_text(story):
    (hit,) = search("bold").articles
    # (A PostgreSQL fragment ends on a word, before the "</b>".)
    assert "&lt;b&gt;not <mark>bold</mark>" in str(hit.snippet)
    assert _marks(hit.snippet) == ["bold"]


def test_headline_written_with_markup_is_escaped_then_marked(db):
    make_article(headline="<i>Le</i> City & co", body="<p>Text.</p>")
    (hit,) = search("city").articles
    assert str(hit.title) == "&lt;i&gt;Le&lt;/i&gt; <mark>City</mark> &amp; co"


def test_people_are_marked_by_whole_words(story):
    person = make_person(name="Nicole Kidman", aliases="Nicole Mary Kidman")
    story.people.add(person)
    (hit,) = [h for h in search("kidman").people if h.obj == person]
    assert str(hit.title) == "Nicole <mark>Kidman</mark>"
    assert str(hit.snippet) == "Nicole Mary <mark>Kidman</mark>"
    (hit,) = [h for h in search("le").people if h.obj == person]
    assert str(hit.title) == "Nicole Kidman"


@on_postgresql
def test_postgresql_marks_the_words_stemming_found(db):
    make_article(headline="The bag of the year", body="<p>Two <em>bag</em>s and one bag.</p>")
    (hit,) = search("bags").articles
    assert _marks(hit.title) == ["bag"]
    assert _text(hit.title) == "The bag of the year"
    # "<em>bag</em>s" is one word, marked whole, with no space put into it.
    assert "<mark>bags</mark> and one <mark>bag</mark>" in str(hit.snippet)
