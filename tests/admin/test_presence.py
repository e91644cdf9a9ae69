"""Presence: the article form says who else has the story open, and locks nobody out."""

import pytest
from django.test import Client
from django.urls import reverse

from newsroom import presence
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_form_shows_who_else_has_the_story_open(writer, editor):
    editor.first_name = "Edgar"
    editor.save()
    article = make_article(status="draft", created_by=writer)
    url = reverse("admin:newsroom_article_change", args=[article.pk])
    as_user(editor).get(url)
    page = as_user(writer).get(url).content.decode()
    assert "Also open by Edgar." in page
    # The editor's heartbeat now names the writer.
    beat = as_user(editor).post(reverse("admin:newsroom_article_presence", args=[article.pk]))
    assert [o["name"] for o in beat.json()["others"]] == ["writer"]
    # Both may still edit: nobody is locked out.
    assert 'name="headline"' in page


def test_someone_not_heard_from_has_left(writer, editor):
    article = make_article(status="draft")
    presence.presence_beat(article.pk, editor, now=1000.0)
    assert presence.presence_beat(article.pk, writer, now=1030.0) == [
        {"name": "editor", "minutes": 0}
    ]
    assert presence.presence_beat(article.pk, writer, now=1000.0 + presence.STALE_SECONDS + 1) == []


def test_leaving_removes_the_entry(writer, editor):
    article = make_article(status="draft")
    presence.presence_beat(article.pk, editor)
    as_user(editor).post(
        reverse("admin:newsroom_article_presence", args=[article.pk]), {"leave": "1"}
    )
    assert presence.presence_beat(article.pk, writer) == []


def test_heartbeat_needs_a_login(writer):
    article = make_article(status="draft")
    response = Client().post(reverse("admin:newsroom_article_presence", args=[article.pk]))
    assert response.status_code == 302
