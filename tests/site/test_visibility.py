"""A row that becomes visible with no write of its own shows on every page that would list it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom import surrogate
from newsroom.models import Article
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_brand,
    make_campaign,
    make_event,
    make_person,
    make_product,
    make_quote,
    tomorrow,
)
from tests.pagecache import get, warm

pytestmark = pytest.mark.django_db


def publish(article):
    article.status = Article.Status.PUBLISHED
    article.published_at = timezone.now() - timedelta(minutes=1)
    article.save()


@pytest.fixture
def newcomer():
    """A person readers cannot see yet, already in a public campaign, a house's
    ambassadors and a live story's quotes, and a draft that will introduce them."""
    person = make_person(name="Adut Okafor", published_by_hand=False)
    campaign = make_campaign(name="Closet campaign")
    campaign.people.add(person)
    house = make_brand(name="Maison Vega")
    make_ambassadorship(person=person, brand=house, since_year=2024)
    live = make_article(headline="The house speaks")
    make_quote(speaker_person=person, text="It felt lived in.", articles=[live])
    draft = make_article(headline="Introducing Adut Okafor", status=Article.Status.DRAFT)
    draft.people.add(person)
    return person, campaign, house, live, draft


def test_a_story_going_live_shows_the_person_it_introduces_everywhere(client, newcomer):
    person, campaign, house, live, draft = newcomer
    urls = [campaign.get_absolute_url(), house.get_absolute_url(), live.get_absolute_url()]
    warm(client, *urls)
    for url in urls:
        assert "Adut Okafor" not in get(client, url).content.decode()
    publish(draft)
    assert "Adut Okafor" in get(client, campaign.get_absolute_url()).content.decode()
    assert "Adut Okafor" in get(client, house.get_absolute_url()).content.decode()
    assert "It felt lived in." in get(client, live.get_absolute_url()).content.decode()


def test_publishing_by_hand_shows_the_person_everywhere(client, newcomer):
    person, campaign, house, live, _ = newcomer
    urls = [campaign.get_absolute_url(), house.get_absolute_url(), live.get_absolute_url()]
    warm(client, *urls)
    person.published_by_hand = True
    person.save()
    assert "Adut Okafor" in get(client, campaign.get_absolute_url()).content.decode()
    assert "Adut Okafor" in get(client, house.get_absolute_url()).content.decode()
    assert "It felt lived in." in get(client, live.get_absolute_url()).content.decode()


def test_a_story_coming_down_hides_the_person_it_alone_published(client, newcomer):
    person, campaign, _, _, draft = newcomer
    publish(draft)
    warm(client, campaign.get_absolute_url())
    assert "Adut Okafor" in get(client, campaign.get_absolute_url()).content.decode()
    draft.status = Article.Status.DRAFT
    draft.save()
    assert "Adut Okafor" not in get(client, campaign.get_absolute_url()).content.decode()


def test_unrelated_pages_stay_cached(client, newcomer):
    _, _, _, _, draft = newcomer
    other_person = make_person(name="Ines Moreau")
    other_campaign = make_campaign(name="Another campaign")
    other_campaign.people.add(other_person)
    urls = [other_person.get_absolute_url(), other_campaign.get_absolute_url()]
    warm(client, *urls)
    publish(draft)
    for url in urls:
        assert get(client, url)["X-Page-Cache"] == "hit", url


def test_a_scheduled_story_publishes_the_person_at_its_moment(client, newcomer, monkeypatch):
    person, campaign, _, _, draft = newcomer
    draft.status = Article.Status.PUBLISHED
    draft.published_at = tomorrow()
    draft.save()
    warm(client, campaign.get_absolute_url())
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=2))
    assert "Adut Okafor" in get(client, campaign.get_absolute_url()).content.decode()


def test_the_walk_reaches_the_pages_of_related_rows_and_stops_there(newcomer):
    person, campaign, house, live, draft = newcomer
    keys = surrogate.neighbour_keys(type(person), [person.pk])
    assert {
        f"campaign-{campaign.pk}",
        f"brand-{house.pk}",
        f"article-{live.pk}",  # through the quote and its wording
        f"article-{draft.pk}",
    } <= keys
    assert f"person-{person.pk}" not in keys  # never back into the person's own kind


@pytest.fixture
def reported():
    """Quotes reported only by a draft: by a public person, by a house, about a bag and
    an event of the house, in a public campaign."""
    person = make_person(name="Ada Okoye")
    make_article(headline="Ada at the show").people.add(person)
    house = make_brand(name="Maison Vega")
    bag = make_product(brand=house, name="Vega Tote")
    event = make_event(brand=house, name="Vega Gala")
    campaign = make_campaign(brand=house, name="Vega Winter")
    draft = make_article(headline="A quiet interview", status=Article.Status.DRAFT)
    make_quote(speaker_person=person, text="Wear it loud.", articles=[draft], campaign=campaign)
    said = make_quote(speaker_brand=house, text="The tote travels.", articles=[draft])
    said.about_products.add(bag)
    said.about_events.add(event)
    pages = {
        "Wear it loud.": [person.get_absolute_url(), campaign.get_absolute_url()],
        "The tote travels.": [
            house.get_absolute_url(),
            bag.get_absolute_url(),
            event.get_absolute_url(),
        ],
    }
    return draft, pages


def shown(client, pages):
    return {
        (text, url)
        for text, urls in pages.items()
        for url in urls
        if text in get(client, url).content.decode()
    }


def test_a_story_going_live_shows_its_quotes_on_the_pages_they_concern(client, reported):
    draft, pages = reported
    warm(client, *(url for urls in pages.values() for url in urls))
    assert shown(client, pages) == set()
    publish(draft)
    assert shown(client, pages) == {(t, u) for t, urls in pages.items() for u in urls}


def test_a_story_coming_down_takes_its_quotes_with_it(client, reported):
    draft, pages = reported
    publish(draft)
    warm(client, *(url for urls in pages.values() for url in urls))
    assert len(shown(client, pages)) == 5
    draft.status = Article.Status.DRAFT
    draft.save()
    assert shown(client, pages) == set()
