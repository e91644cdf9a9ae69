"""A query compiled once gives what the ORM gives, and falls back when it cannot be."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from catalog.models import public_q
from newsroom.models import Article, Event, QuoteWording
from newsroom.prepared import PreparedQuery
from newsroom.views import articles as views
from tests.factories import make_article, make_brand, make_person, make_product, make_quote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_prepared_queries():
    """Each test compiles (or refuses to compile) its own queries, and leaves none behind."""
    views._prepared_unions.clear()
    views._prepared_related.clear()
    yield
    views._prepared_unions.clear()
    views._prepared_related.clear()


STAND_INS = (
    {"now": datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)},
    {"now": datetime(2002, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)},
)


def _story():
    house = make_brand(name="Maison Lune")
    story = make_article(headline="A story")
    story.people.add(
        make_person(name="Ines Moreau"),
        make_person(name="Held Back", embargoed_until=timezone.now() + timedelta(days=1)),
    )
    story.products.add(make_product(name="Crescent", brand=house))
    story.brands.add(house)
    story.events.add(
        Event.objects.create(name="The show", slug="the-show", brand=house, date="2024-03-01")
    )
    return story


def _as_tuples(entities):
    return [
        (kind.key, row.pk, row.name, row.slug, getattr(row, "date", None))
        for kind, rows in entities.sections
        for row in rows
    ]


def test_the_compiled_union_gives_what_the_orm_gives(monkeypatch):
    story = _story()
    now = timezone.now()
    compiled = _as_tuples(views.article_entities(story, now=now))
    assert views._entity_query()._compiled["default"], "the union compiles on this database"

    monkeypatch.setattr(PreparedQuery, "_compile", lambda self, using: None)
    views._prepared_unions.clear()
    assert _as_tuples(views.article_entities(story, now=now)) == compiled
    assert {key for key, *_ in compiled} == {"person", "product", "brand", "event"}
    assert "Held Back" not in [name for _, _, name, *_ in compiled]


def test_a_query_that_transforms_a_value_runs_through_the_orm_every_time():
    make_article(headline="Yesterday", published_at=timezone.now() - timedelta(days=1))
    # "now - 2 days" is no stand-in: the compiled parameters would not match.
    query = PreparedQuery(
        lambda now: Article.objects.filter(published_at__gte=now - timedelta(days=2)).values(
            "headline"
        ),
        STAND_INS,
    )
    assert query.rows(now=timezone.now()) == [{"headline": "Yesterday"}]
    assert query._compiled["default"] is False
    assert query.rows(now=timezone.now() + timedelta(days=5)) == []


def test_a_plain_query_runs_compiled_with_the_real_values():
    make_article(headline="Yesterday", published_at=timezone.now() - timedelta(days=1))
    query = PreparedQuery(
        lambda now: Article.objects.filter(published_at__lte=now).values("headline"), STAND_INS
    )
    assert query.rows(now=timezone.now()) == [{"headline": "Yesterday"}]
    assert query._compiled["default"]
    assert query.rows(now=timezone.now() - timedelta(days=3)) == []


def test_related_stories_compiled_once_are_those_the_orm_finds(monkeypatch):
    story = _story()
    sibling = make_article(headline="Same person")
    sibling.people.add(*story.people.all())
    tagged = make_article(headline="Same tag")
    story.tags.add("Handbags")
    tagged.tags.add("Handbags")
    make_article(headline="Nothing in common")
    entities = views.article_entities(story)
    tags = list(story.tags.all())

    compiled = [a.headline for a in views.related_articles(story, entities, tags)]
    assert sorted(compiled) == ["Same person", "Same tag"]

    monkeypatch.setattr(PreparedQuery, "_compile", lambda self, using: None)
    views._prepared_related.clear()
    assert [a.headline for a in views.related_articles(story, entities, tags)] == compiled


def test_a_storys_quotes_found_by_the_compiled_query_are_those_the_orm_finds():
    story = _story()
    held_back = story.people.get(name="Held Back")
    said = make_quote(speaker_person=story.people.get(name="Ines Moreau"), articles=[story])
    by_house = make_quote(speaker_brand=make_brand(name="Maison Soleil"), articles=[story])
    make_quote(speaker_person=held_back, articles=[story])  # embargoed speaker: not shown
    make_quote(articles=[make_article(headline="Another story")])

    found = views.story_wordings(story)
    assert views._story_wording_ids._compiled["default"], "the query compiles on this database"
    orm = QuoteWording.objects.filter(
        public_q("quote__speaker_person__"), public_q("quote__speaker_brand__"), article=story
    ).order_by("pk")
    assert [w.pk for w in found] == [w.pk for w in orm]
    assert [w.quote for w in found] == [said, by_house]
    assert views.story_wordings(make_article(headline="No quotes")) == []
