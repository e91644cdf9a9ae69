"""Feeds: channel titles and descriptions are escaped like item titles, checked with an XML parser."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from tests.factories import make_article, make_person

pytestmark = pytest.mark.django_db

MARKUP = "<b>x</b> & co"
AS_TEXT = "&lt;b&gt;x&lt;/b&gt; &amp; co"  # what an HTML-reading feed reader must get


def _channel(response):
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return root.find("channel")


@pytest.fixture
def story():
    article = make_article(headline=f"Story about {MARKUP}", dek=f"Dek with {MARKUP}")
    person = make_person(name=MARKUP, slug="markup-person")
    article.people.add(person)
    article.tags.add(MARKUP)
    return article


def _tag_slug(article):
    return article.tags.get().slug


def test_item_titles_reach_the_reader_as_text(client, story):
    channel = _channel(client.get(reverse("newsroom:article-feed")))
    (item,) = channel.findall("item")
    assert item.findtext("title") == f"Story about {AS_TEXT}"
    assert item.findtext("description") == f"Dek with {AS_TEXT}"


def test_person_feed_channel_is_escaped_like_its_items(client, story):
    channel = _channel(client.get(reverse("newsroom:person-feed", args=["markup-person"])))
    assert channel.findtext("title").endswith(f"stories about {AS_TEXT}")
    assert channel.findtext("description") == f"The newest stories about {AS_TEXT}."
    assert channel.find("item").findtext("title") == f"Story about {AS_TEXT}"


def test_tag_feed_channel_is_escaped_like_its_items(client, story):
    channel = _channel(client.get(reverse("newsroom:tag-feed", args=[_tag_slug(story)])))
    assert channel.findtext("title").endswith(f"stories tagged {AS_TEXT}")
    assert channel.findtext("description") == f"The newest stories tagged {AS_TEXT}."
    assert channel.find("item").findtext("title") == f"Story about {AS_TEXT}"


def test_latest_feed_channel_is_escaped_like_its_items(client, settings, story):
    settings.SITE_NAME = "Atelier & <Newsroom>"
    channel = _channel(client.get(reverse("newsroom:article-feed")))
    assert channel.findtext("title") == "Atelier &amp; &lt;Newsroom&gt;: latest stories"
