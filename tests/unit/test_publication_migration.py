"""The migration that introduced the publication rule keeps an existing site as it was."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from newsroom.models import Article, Person
from tests.factories import make_article, make_person, tomorrow

pytestmark = pytest.mark.django_db

migration = importlib.import_module("newsroom.migrations.0005_publication_rule")


def test_rows_readers_saw_stay_visible_and_linked_ones_follow_their_stories():
    make_person(name="Seen Before", published_by_hand=False)
    linked = make_person(name="In A Story", published_by_hand=False)
    scheduled_only = make_person(name="Next Week", published_by_hand=False)
    make_article(headline="Live").people.add(linked)
    make_article(headline="Soon", published_at=tomorrow()).people.add(scheduled_only)
    Person.objects.update(linked_since=None)  # as the columns arrive: empty

    migration.apply_publication_rule(apps, SimpleNamespace(connection=connection))

    rows = {p.slug: p for p in Person.objects.all()}
    assert rows["seen-before"].published_by_hand and rows["seen-before"].is_public
    assert not rows["in-a-story"].published_by_hand and rows["in-a-story"].is_public
    assert rows["next-week"].published_by_hand, "readers could see it before the rule"
    assert rows["in-a-story"].linked_since == Article.objects.get(slug="live").published_at
