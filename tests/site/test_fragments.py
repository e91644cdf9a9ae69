"""A story's page is built from kept fragments: each is reused until what it shows changes.

The whole-page cache is off in these tests (except where its header is checked),
so the fragments alone must keep the page exact.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache as django_cache
from django.test import RequestFactory
from django.utils import timezone

from newsroom import fragments
from newsroom.cache import PageCacheMiddleware
from newsroom.models import Article
from newsroom.views.articles import StoryParts
from tests.factories import (
    make_article,
    make_brand,
    make_person,
    make_product,
    make_quote,
    tomorrow,
)

pytestmark = pytest.mark.django_db

PARTS = ("story", "quotes", "related")


PAGE_CACHE = "newsroom.cache.PageCacheMiddleware"


@pytest.fixture(autouse=True)
def with_page_cache(settings):
    """Takes the page cache out; returns the middleware list with it."""
    original = list(settings.MIDDLEWARE)
    settings.MIDDLEWARE = [m for m in original if m != PAGE_CACHE]
    return original


@pytest.fixture
def computed(monkeypatch):
    """The parts computed afresh (not taken from the cache), in order."""
    calls = []

    def spy(name):
        original = getattr(StoryParts, name)

        def computing(self):
            calls.append(name)
            return original(self)

        return computing

    for name in PARTS:
        monkeypatch.setattr(StoryParts, name, spy(name))
    return calls


@pytest.fixture
def world():
    person = make_person(name="Ines Moreau")
    story = make_article(
        headline="Ines Moreau fronts the campaign", body="<p>Ines Moreau carries it.</p>"
    )
    story.people.add(person)
    story.tags.add("campaigns")
    other = make_article(headline="Ines Moreau at the show")
    other.people.add(person)
    make_quote(speaker_person=person, text="It felt like home.", articles=[story])
    return story, person, other


def render(client, story, computed):
    computed.clear()
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_render_reuses_every_part(client, world, computed):
    story, _, _ = world
    first = render(client, story, computed)
    assert computed == list(PARTS)
    assert render(client, story, computed) == first
    assert computed == []


def test_renaming_a_related_story_computes_only_the_related_list(client, world, computed):
    story, _, other = world
    render(client, story, computed)
    other.headline = "Ines Moreau closes the show"
    other.save()
    html = render(client, story, computed)
    assert computed == ["related"]
    assert "Ines Moreau closes the show" in html


def test_a_new_quote_shows_at_once(client, world, computed):
    story, person, _ = world
    render(client, story, computed)
    make_quote(speaker_person=person, text="We wanted it lived in.", articles=[story])
    assert "We wanted it lived in." in render(client, story, computed)


def test_renaming_a_linked_person_shows_in_the_story_and_its_structured_data(
    client, world, computed
):
    story, person, _ = world
    render(client, story, computed)
    person.name = "Inès Moreau-Laurent"
    person.aliases = "Ines Moreau"
    person.save()
    html = render(client, story, computed)
    assert "story" in computed
    assert f'<a href="{person.get_absolute_url()}">Inès Moreau-Laurent</a>' in html  # the aside
    assert '"name":"Inès Moreau-Laurent"' in html  # JSON-LD


def test_publishing_a_story_sharing_a_tag_joins_the_related_list(client, world, computed):
    story, _, _ = world
    render(client, story, computed)
    newcomer = make_article(headline="Campaign season opens", status=Article.Status.DRAFT)
    newcomer.tags.add("campaigns")
    assert "Campaign season opens" not in render(client, story, computed)
    newcomer.status = Article.Status.PUBLISHED
    newcomer.published_at = timezone.now() - timedelta(minutes=1)
    newcomer.save()
    assert "Campaign season opens" in render(client, story, computed)
    assert "quotes" not in computed


def test_hiding_a_bags_house_drops_the_stories_related_through_the_bag(client, computed):
    house = make_brand(name="Maison Vega")
    bag = make_product(name="Vega tote", brand=house)
    story = make_article(headline="The Vega tote returns")
    other = make_article(headline="Who carried the Vega tote")
    for article in (story, other):
        article.products.add(bag)
    assert "Who carried the Vega tote" in render(client, story, computed)
    house.embargoed_until = tomorrow()
    house.save()  # the bag is hidden with its house: the stories share nothing now
    html = render(client, story, computed)
    assert "Who carried the Vega tote" not in html
    assert bag.get_absolute_url() not in html


def test_a_draft_save_reuses_every_part(client, world, computed):
    story, person, _ = world
    draft = make_article(headline="Not yet", status=Article.Status.DRAFT)
    draft.people.add(person)
    render(client, story, computed)
    draft.body = "<p>Ines Moreau, again.</p>"
    draft.save()
    render(client, story, computed)
    assert computed == []


def test_editing_the_story_itself_computes_every_part(client, world, computed):
    story, _, _ = world
    render(client, story, computed)
    story.dek = "A new standfirst."
    story.save()
    html = render(client, story, computed)
    assert computed == list(PARTS)
    assert "A new standfirst." in html


def test_an_embargo_takes_the_person_out_of_the_story(client, world, computed):
    story, person, _ = world
    render(client, story, computed)
    person.embargoed_until = tomorrow()
    person.save()
    html = render(client, story, computed)
    assert person.get_absolute_url() not in html
    assert "It felt like home." not in html  # a hidden speaker's quote goes too


def test_a_scheduled_story_joins_the_related_list_when_its_moment_comes(
    client, world, computed, monkeypatch
):
    story, person, _ = world
    soon = make_article(headline="Ines Moreau, next season", published_at=tomorrow())
    soon.people.add(person)
    assert "next season" not in render(client, story, computed)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=2))
    assert "Ines Moreau, next season" in render(client, story, computed)


def test_parts_computed_while_a_write_lands_are_not_kept(client, world, computed, monkeypatch):
    story, _, other = world
    original = StoryParts.related

    writes = [other]

    def related_then_a_write(self):
        html = original(self)
        if writes:
            Article.objects.get(pk=writes.pop().pk).save()  # a live edit lands meanwhile
        return html

    monkeypatch.setattr(StoryParts, "related", related_then_a_write)
    render(client, story, computed)
    # Kept together after the page's parts were computed: none of them, since a
    # write landed meanwhile (which of them it changed is not known).
    assert kept_parts(story) == {}
    render(client, story, computed)
    assert computed == list(PARTS)
    assert sorted(kept_parts(story)) == sorted(PARTS)


def test_previews_never_use_or_keep_parts(client, editor, computed):
    draft = make_article(headline="Draft headline", status=Article.Status.DRAFT)
    client.force_login(editor)
    assert "Draft headline" in render(client, draft, computed)
    assert computed == ["story", "quotes"]
    draft.headline = "Better draft headline"
    draft.save()  # a draft save invalidates nothing: a kept preview would be stale
    assert "Better draft headline" in render(client, draft, computed)
    assert computed == ["story", "quotes"]


def test_each_host_gets_its_own_structured_data(client, settings, world, computed):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    story, _, _ = world
    url = story.get_absolute_url()
    assert "http://one.example/" in client.get(url, HTTP_HOST="one.example").content.decode()
    html = client.get(url, HTTP_HOST="two.example").content.decode()
    assert "http://two.example/" in html
    assert "one.example" not in html


def test_nothing_is_kept_when_fragments_are_off(client, settings, world, computed):
    settings.FRAGMENT_CACHE_SECONDS = 0
    story, _, _ = world
    render(client, story, computed)
    render(client, story, computed)
    assert computed == list(PARTS)


def test_a_page_built_from_kept_parts_carries_their_keys(
    client, settings, world, computed, with_page_cache
):
    settings.MIDDLEWARE = with_page_cache
    story, person, other = world
    first = client.get(story.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    keys = set(first["Surrogate-Key"].split())
    assert {f"article-{story.pk}", f"person-{person.pk}", f"article-{other.pk}"} <= keys
    # The page leaves the cache (evicted, say) while its parts stay.
    django_cache.delete(PageCacheMiddleware.key(page_request(story)))
    computed.clear()
    again = client.get(story.get_absolute_url())
    assert again["X-Page-Cache"] == "miss"
    assert computed == []
    assert set(again["Surrogate-Key"].split()) == keys
    # ...so a purge by any of them still reaches it.
    person.name = "Inès Moreau-Laurent"
    person.save()
    assert "Inès Moreau-Laurent" in client.get(story.get_absolute_url()).content.decode()


def page_request(story):
    return RequestFactory().get(story.get_absolute_url())


def kept_parts(story):
    """The parts of ``story``'s page a reader's next request would take from the cache."""
    return fragments.load(page_request(story), f"article-{story.pk}", PARTS).stored
