"""Series and event pages carry their own keys, not the site-wide ``content``: every
write that changes what they show still shows at the next request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.models import Article, CampaignSeries, SeriesAppearance
from tests.factories import (
    make_article,
    make_brand,
    make_campaign,
    make_event,
    make_person,
    make_product,
    make_quote,
)
from tests.pagecache import get, still_cached, warm

pytestmark = pytest.mark.django_db


@pytest.fixture
def showcase():
    house = make_brand(name="Maison Vega")
    series = CampaignSeries.objects.create(name="Characters", slug="characters", brand=house)
    first = make_campaign(name="Characters One", brand=house, series=series, series_position=1)
    bag = make_product(name="Vega Tote", brand=house)
    event = make_event(name="Vega Gala", brand=house)
    event.products.add(bag)
    elsewhere = make_event(name="Another Show")
    return house, series, first, bag, event, elsewhere


def shows(client, obj, text):
    return text in get(client, obj.get_absolute_url()).content.decode()


def test_a_new_instalment_shows_on_its_series(client, showcase):
    house, series, *_ = showcase
    warm(client, series.get_absolute_url())
    make_campaign(name="Characters Two", brand=house, series=series, series_position=2)
    assert shows(client, series, "Characters Two")


def test_an_instalment_moved_to_another_series_leaves_the_first(client, showcase):
    house, series, first, *_ = showcase
    second = make_campaign(name="Characters Two", brand=house, series=series)
    other = CampaignSeries.objects.create(name="Closet", slug="closet", brand=house)
    make_campaign(name="Closet One", brand=house, series=other)
    warm(client, series.get_absolute_url(), other.get_absolute_url())
    second.series = other
    second.save()
    assert not shows(client, series, "Characters Two")
    assert shows(client, other, "Characters Two")


def test_an_appearance_and_a_renamed_series_show(client, showcase):
    _, series, *_ = showcase
    warm(client, series.get_absolute_url())
    SeriesAppearance.objects.create(series=series, person=make_person(name="Ada Okoye"))
    assert shows(client, series, "Ada Okoye")
    series.name = "Characters, Season Two"
    series.save()
    assert shows(client, series, "Characters, Season Two")


def test_a_story_going_live_shows_on_the_series_and_the_event(client, showcase):
    _, series, first, _, event, _ = showcase
    draft = make_article(headline="Behind the Characters", status=Article.Status.DRAFT)
    draft.campaigns.add(first)
    draft.events.add(event)
    warm(client, series.get_absolute_url(), event.get_absolute_url())
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(minutes=1)
    draft.save()
    assert shows(client, series, "Behind the Characters")
    assert shows(client, event, "Behind the Characters")


def test_what_an_event_showed_and_who_came_show_on_its_page(client, showcase):
    house, _, _, _, event, _ = showcase
    warm(client, event.get_absolute_url())
    event.products.add(make_product(name="Vega Clutch", brand=house))
    assert shows(client, event, "Vega Clutch")
    event.people.add(make_person(name="Ada Okoye"))
    assert shows(client, event, "Ada Okoye")


def test_a_campaign_taking_a_bag_from_the_show_appears_on_the_event(client, showcase):
    house, _, _, bag, event, _ = showcase
    later = make_campaign(name="Vega Spring", brand=house)
    warm(client, event.get_absolute_url())
    later.products.add(bag)
    assert shows(client, event, "Vega Spring")


def test_a_quote_about_the_event_in_a_live_story_shows(client, showcase):
    house, _, _, _, event, _ = showcase
    live = make_article(headline="The gala")
    warm(client, event.get_absolute_url())
    quote = make_quote(speaker_brand=house, text="A gala to remember.", articles=[live])
    quote.about_events.add(event)
    assert shows(client, event, "A gala to remember.")


def test_writes_elsewhere_keep_the_series_and_event_pages(client, showcase):
    _, series, _, _, event, elsewhere = showcase
    warm(client, series.get_absolute_url(), event.get_absolute_url())
    elsewhere.name = "Another Show, renamed"
    elsewhere.save()
    make_article(headline="An unrelated story").people.add(make_person(name="Someone Else"))
    still_cached(client, series.get_absolute_url(), event.get_absolute_url())
