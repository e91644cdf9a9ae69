"""Nothing unpublished through a side entrance: feeds of private tags, redirects of drafts."""

import pytest
from django.contrib.redirects.models import Redirect
from django.urls import reverse

from newsroom.models import Article
from tests.factories import (
    make_article,
    make_brand,
    make_campaign,
    make_person,
    make_product,
    tomorrow,
    yesterday,
)

pytestmark = pytest.mark.django_db


def _draft():
    return make_article(status=Article.Status.DRAFT)


def _in_review():
    return make_article(status=Article.Status.REVIEW)


def _scheduled():
    return make_article(published_at=tomorrow())


def _withdrawn():
    article = make_article()
    article.status = Article.Status.DRAFT
    article.save()
    return article


PRIVATE_STORIES = {
    "draft": _draft,
    "review": _in_review,
    "scheduled": _scheduled,
    "withdrawn": _withdrawn,
}


# --- Feeds answer exactly as the pages they belong to -------------------------------


@pytest.mark.parametrize("kind", PRIVATE_STORIES)
def test_tag_feed_of_a_tag_only_private_stories_carry_is_404(client, kind):
    PRIVATE_STORIES[kind]().tags.add("Private tag")
    assert client.get(reverse("newsroom:tag-detail", args=["private-tag"])).status_code == 404
    assert client.get(reverse("newsroom:tag-feed", args=["private-tag"])).status_code == 404


def test_tag_feed_of_a_public_tag_lists_only_published_stories(client):
    make_article(headline="Out now").tags.add("Shared tag")
    make_article(headline="Still secret", status=Article.Status.DRAFT).tags.add("Shared tag")
    response = client.get(reverse("newsroom:tag-feed", args=["shared-tag"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Out now" in body and "Still secret" not in body


@pytest.mark.parametrize("kind", ["embargoed", *PRIVATE_STORIES])
def test_person_feed_answers_like_the_person_page(client, kind):
    if kind == "embargoed":
        person = make_person(slug="feed-person", embargoed_until=tomorrow())
        make_article().people.add(person)
    else:
        person = make_person(slug="feed-person")
        PRIVATE_STORIES[kind]().people.add(person)
    page = client.get(person.get_absolute_url())
    feed = client.get(reverse("newsroom:person-feed", args=["feed-person"]))
    assert feed.status_code == page.status_code
    if kind == "embargoed":
        assert feed.status_code == 404
    assert b"secret" not in feed.content


# --- Redirects only for addresses readers could open ---------------------------------


def _rename(obj, slug):
    old = obj.get_absolute_url()
    obj.slug = slug
    obj.save()
    return old, obj.get_absolute_url()


@pytest.mark.parametrize("kind", PRIVATE_STORIES)
def test_renaming_an_unpublished_story_leaves_no_redirect(client, kind):
    article = PRIVATE_STORIES[kind]()
    old, new = _rename(article, "the-secret-new-slug")
    assert not Redirect.objects.exists()
    response = client.get(old)
    assert response.status_code == 404
    assert b"the-secret-new-slug" not in response.content
    assert "the-secret-new-slug" not in response.get("Location", "")


def test_renaming_a_live_story_still_leaves_a_redirect(client):
    old, new = _rename(make_article(), "the-new-slug")
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_publishing_and_renaming_in_one_save_leaves_no_redirect(client):
    article = _draft()
    old = article.get_absolute_url()
    article.slug = "published-under-a-new-slug"
    article.status = Article.Status.PUBLISHED
    article.published_at = yesterday()
    article.save()
    assert not Redirect.objects.exists()
    assert client.get(old).status_code == 404


def test_unpublishing_and_renaming_in_one_save_leaves_no_redirect(client):
    article = make_article()
    old = article.get_absolute_url()
    article.slug = "withdrawn-under-a-new-slug"
    article.status = Article.Status.DRAFT
    article.save()
    assert not Redirect.objects.exists()
    response = client.get(old)
    assert response.status_code == 404
    assert "withdrawn-under-a-new-slug" not in response.get("Location", "")


def _embargoed_entities():
    brand = make_brand()
    return {
        "person": make_person(embargoed_until=tomorrow()),
        "brand": make_brand(embargoed_until=tomorrow()),
        "product": make_product(brand=brand, embargoed_until=tomorrow()),
        "campaign": make_campaign(brand=brand, embargoed_until=tomorrow()),
        "product of an embargoed brand": make_product(brand=make_brand(embargoed_until=tomorrow())),
    }


@pytest.mark.parametrize(
    "kind", ["person", "brand", "product", "campaign", "product of an embargoed brand"]
)
def test_renaming_an_entity_readers_cannot_see_leaves_no_redirect(client, kind):
    obj = _embargoed_entities()[kind]
    old, _new = _rename(obj, "secret-new-slug")
    assert not Redirect.objects.exists()
    response = client.get(old)
    assert response.status_code == 404
    assert "secret-new-slug" not in response.get("Location", "")
