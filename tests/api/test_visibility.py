"""Only public content, by the same rule as the pages: a crawl from the root finds nothing else.

A draft, a story in review, a scheduled story, an embargoed person or house,
and a bag, campaign and photographer that only a draft links: none of them
answers anything but 404, and none appears in any list or relation.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from newsroom.models import Article, CampaignSeries, Event, SeriesAppearance
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_brand,
    make_campaign,
    make_person,
    make_product,
    make_quote,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"
SECRET = "Zq"  # every hidden thing's name starts with it; nothing public does


@pytest.fixture
def site():
    later = timezone.now() + timedelta(days=2)
    house = make_brand(name="Balenciaga")
    bag = make_product(name="Le City", brand=house)
    person = make_person(name="Kim Kardashian")
    live = make_article(headline="Le City is back", body="<p>Kim Kardashian carries Le City.</p>")
    live.brands.add(house)
    live.products.add(bag)
    live.people.add(person)
    live.tags.add("Handbags")
    campaign = make_campaign(name="Characters", brand=house)
    campaign.products.add(bag)
    campaign.people.add(person)
    live.campaigns.add(campaign)
    characters = CampaignSeries.objects.create(brand=house, name="Characters Series")
    campaign.series = characters
    campaign.save()
    show = Event.objects.create(name="Fall show", brand=house, published_by_hand=True)
    show.products.add(bag)
    show.people.add(person)
    live.events.add(show)

    # Hidden: stories not out, and what only they link.
    draft = make_article(headline="Zq draft", status=Article.Status.DRAFT)
    review = make_article(headline="Zq in review", status=Article.Status.REVIEW)
    scheduled = make_article(headline="Zq scheduled", published_at=later)
    new_bag = make_product(name="Zq Neo", brand=house, published_by_hand=False)
    new_face = make_person(name="Zq Face", published_by_hand=False)
    new_campaign = make_campaign(name="Zq Campaign", brand=house, published_by_hand=False)
    new_campaign.products.add(bag, new_bag)
    new_campaign.people.add(person, new_face)
    new_series = CampaignSeries.objects.create(brand=house, name="Zq Series")
    new_campaign.series = new_series
    new_campaign.save()
    SeriesAppearance.objects.create(series=characters, person=new_face)
    new_show = Event.objects.create(name="Zq Show", brand=house)
    new_show.people.add(person)
    for story in (draft, review, scheduled):
        story.products.add(new_bag, bag)
        story.people.add(new_face, person)
        story.campaigns.add(new_campaign)
        story.events.add(new_show)
        story.brands.add(house)
        story.tags.add("Zqtag")
        make_quote(speaker_person=person, text="Zq words only a draft reports", articles=[story])

    # Hidden: under embargo, though published by hand, and everything they own.
    embargoed = make_person(name="Zq Embargoed", embargoed_until=later)
    make_ambassadorship(person=embargoed, brand=house, since_year=2024)
    live.people.add(embargoed)
    secret_house = make_brand(name="Zq House", embargoed_until=later)
    make_ambassadorship(person=person, brand=secret_house, since_year=2020)
    secret_house_bag = make_product(name="Zq House Bag", brand=secret_house)
    secret_house_bag.campaigns.add(campaign)
    live.products.add(secret_house_bag)
    live.brands.add(secret_house)
    make_quote(speaker_person=embargoed, text="Zq words of an embargoed speaker", articles=[live])
    # An embargoed ambassadorship of public people.
    make_ambassadorship(person=person, brand=make_brand(name="Public House"), embargoed_until=later)
    hidden = [
        ("articles", draft.slug),
        ("articles", review.slug),
        ("articles", scheduled.slug),
        ("products", new_bag.slug),
        ("people", new_face.slug),
        ("campaigns", new_campaign.slug),
        ("events", new_show.slug),
        ("people", embargoed.slug),
        ("brands", secret_house.slug),
        ("products", secret_house_bag.slug),
        ("tags", "zqtag"),
        ("series", new_series.slug),
    ]
    return hidden


def crawl(client):
    """Every API URL reachable from the root, following every link (and every page)."""
    seen, queue, bodies = set(), [API], {}
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
        bodies[path] = response.content.decode()
        for url in links(response.json()):
            parts = urlsplit(url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith(API) and not parts.path.startswith(
                (f"{API}schema", f"{API}docs")
            ):
                queue.append(target)
    return bodies


def links(data):
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("url", "next", "previous", "stories_url") and isinstance(value, str):
                yield value
            elif key == "resources":
                yield from (r["url"] for r in value)
            else:
                yield from links(value)
    elif isinstance(data, list):
        for value in data:
            yield from links(value)


def test_a_crawl_from_the_root_finds_only_public_content(site):
    bodies = crawl(Client())
    # It did reach everything public: each kind's detail, relations both ways, pages of lists.
    for expected in (
        "/api/v1/articles/le-city-is-back/",
        "/api/v1/products/le-city/",
        "/api/v1/people/kim-kardashian/",
        "/api/v1/brands/balenciaga/",
        "/api/v1/campaigns/characters/",
        "/api/v1/events/fall-show/",
        "/api/v1/tags/handbags/",
        "/api/v1/series/characters-series/",
        "/api/v1/articles/?product=le-city",
    ):
        assert expected in bodies, expected
    for path, body in bodies.items():
        assert SECRET not in body, f"a hidden item leaked at {path}"
        for plural, slug in site:
            assert f"/{plural}/{slug}/" not in body, (path, slug)


def test_hidden_items_answer_404(site):
    client = Client()
    for plural, slug in site:
        response = client.get(f"{API}{plural}/{slug}/")
        assert response.status_code == 404, (plural, slug)
        assert SECRET not in response.content.decode()


def test_filters_by_hidden_items_find_nothing(site):
    client = Client()
    for query in ("product=zq-neo", "person=zq-embargoed", "brand=zq-house", "tag=zqtag"):
        response = client.get(f"{API}articles/?{query}")
        assert response.status_code == 200
        assert response.json()["results"] == [], query
    assert client.get(f"{API}products/?house=zq-house").json()["results"] == []


def test_staff_sessions_see_what_everyone_sees(site, admin_client):
    for plural, slug in site:
        assert admin_client.get(f"{API}{plural}/{slug}/").status_code == 404


def test_a_scheduled_story_appears_once_its_moment_passes(monkeypatch):
    story = make_article(headline="Later", published_at=timezone.now() + timedelta(hours=1))
    client = Client()
    assert client.get(f"{API}articles/{story.slug}/").status_code == 404
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=2))
    assert client.get(f"{API}articles/{story.slug}/").status_code == 200
    assert [a["slug"] for a in client.get(f"{API}articles/").json()["results"]] == [story.slug]
