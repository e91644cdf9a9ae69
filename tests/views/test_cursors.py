"""Page cursors are parsed strictly: odd ones give the first page, never a server error."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from newsroom.pagination import Cursor
from tests.factories import make_article

pytestmark = pytest.mark.django_db

HOSTILE_CURSORS = [
    "1-²",
    "²-1",
    "1-¹²³",
    "١٢٣-٤",  # Arabic-Indic digits: int() reads them, a cursor never holds them
    "１２３-４",  # fullwidth digits
    "1-9223372036854775808",  # one more than the largest 64-bit id
    "1-99999999999999999999",
    "9999999999999999999-1",  # past the year 9999
    "+1-2",
    " 1-2",
    "1-2 ",
    "1_000-2",
    "1-2\n",
    "1-\x00",
    "x" * 41,
]


@pytest.mark.parametrize("text", HOSTILE_CURSORS)
def test_parse_accepts_ascii_digits_only(text):
    assert Cursor.parse(text) is None


def test_parse_still_reads_real_cursors():
    cursor = Cursor(datetime(2024, 1, 24, 10, 30, 5, 123456, tzinfo=UTC), 9223372036854775807)
    assert Cursor.parse(str(cursor)) == cursor


@pytest.fixture
def tagged_stories(db):
    stories = [make_article(headline=f"Paged story {n}") for n in range(3)]
    for story in stories:
        story.tags.add("Paged")
    return stories


@pytest.mark.parametrize("key", ["after", "before"])
@pytest.mark.parametrize("text", HOSTILE_CURSORS)
@pytest.mark.parametrize("path", ["/articles/", "/tags/paged/"])
def test_lists_answer_a_hostile_cursor_with_the_first_page(client, tagged_stories, path, key, text):
    response = client.get(path, {key: text})
    assert response.status_code == 200
    html = response.content.decode()
    assert all(story.headline in html for story in tagged_stories)
    # The canonical address of such a page is the list itself, without the cursor.
    assert f'<link rel="canonical" href="http://testserver{path}">' in html


def test_a_real_cursor_still_pages(client, tagged_stories):
    newest, middle, oldest = sorted(tagged_stories, key=lambda a: (a.published_at, a.pk))[::-1]
    cursor = Cursor.of(middle)
    html = client.get(reverse("newsroom:article-list"), {"after": str(cursor)}).content.decode()
    assert oldest.headline in html and newest.headline not in html
