"""Three-way merge at field level: saves from an older version merge when the two
people changed different fields (mentions and tags included), and are refused when
both changed the same field."""

import pytest
import reversion
from django.test import Client
from django.urls import reverse

from newsroom.models import Article
from tests.admin.postdata import article_data
from tests.factories import make_article, make_person

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:newsroom_article_change", args=[article.pk])


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story(editor):
    with reversion.create_revision():
        reversion.set_user(editor)
        article = make_article(
            headline="Le City comes back",
            dek="The dek.",
            body="<p>First words.</p>",
            status=Article.Status.REVIEW,
        )
        article.tags.add("Handbags")
    return article


def test_different_fields_merge(writer, editor, story):
    opened_by_writer = article_data(story)
    as_user(editor).post(change_url(story), article_data(story, dek="A sharper dek."))
    opened_by_writer["body"] = "<p>The writer's rewrite.</p>"
    response = as_user(writer).post(change_url(story), opened_by_writer, follow=True)
    assert "your changes were merged with theirs (kept from their save: Dek)" in (
        response.content.decode()
    )
    story.refresh_from_db()
    assert story.dek == "A sharper dek."
    assert story.body == "<p>The writer's rewrite.</p>"
    assert story.version == 3


def test_mentions_and_tags_merge_too(writer, editor, story):
    yeoh, kim = make_person(name="Michelle Yeoh"), make_person(name="Kim Kardashian")
    opened_by_writer = article_data(story)
    as_user(editor).post(
        change_url(story), article_data(story, people=[str(yeoh.pk)], tags="Handbags, Opera")
    )
    opened_by_writer["headline"] = "Le City is back"
    as_user(writer).post(change_url(story), opened_by_writer)
    story.refresh_from_db()
    assert story.headline == "Le City is back"
    assert list(story.people.all()) == [yeoh]
    assert set(story.tags.names()) == {"Handbags", "Opera"}

    # Both add different people: both changed "people" differently, so it is refused.
    opened = article_data(story, people=[str(yeoh.pk), str(kim.pk)])
    story.refresh_from_db()
    as_user(editor).post(change_url(story), article_data(story, people=[]))
    response = as_user(writer).post(change_url(story), opened)
    assert response.status_code == 200
    assert "People (you changed it too)" in response.content.decode()


def test_the_same_field_changed_by_both_is_refused(writer, editor, story):
    opened_by_writer = article_data(story)
    as_user(editor).post(change_url(story), article_data(story, dek="The editor's dek."))
    opened_by_writer["dek"] = "The writer's dek."
    response = as_user(writer).post(change_url(story), opened_by_writer)
    assert response.status_code == 200
    page = response.content.decode()
    assert "have NOT been saved" in page and "Dek (you changed it too)" in page
    story.refresh_from_db()
    assert story.dek == "The editor's dek."


def test_the_same_change_by_both_is_no_conflict(writer, editor, story):
    opened_by_writer = article_data(story, dek="Agreed dek.")
    as_user(editor).post(change_url(story), article_data(story, dek="Agreed dek."))
    response = as_user(writer).post(change_url(story), opened_by_writer)
    assert response.status_code == 302


def test_a_formatting_edit_is_kept_when_the_other_side_changed_another_field(writer, editor, story):
    opened_by_writer = article_data(story)
    as_user(editor).post(
        change_url(story), article_data(story, body="<p>First <strong>words</strong>.</p>")
    )
    opened_by_writer["dek"] = "The writer's dek."
    response = as_user(writer).post(change_url(story), opened_by_writer, follow=True)
    assert "kept from their save: Body" in response.content.decode()
    story.refresh_from_db()
    assert story.body == "<p>First <strong>words</strong>.</p>"
    assert story.dek == "The writer's dek."


def test_formatting_and_text_changed_by_both_sides_is_refused(writer, editor, story):
    opened_by_writer = article_data(story)
    as_user(editor).post(
        change_url(story), article_data(story, body="<p>First <em>words</em>.</p>")
    )
    opened_by_writer["body"] = "<p>First words, rewritten.</p>"
    as_user(writer).post(change_url(story), opened_by_writer, follow=True)
    story.refresh_from_db()
    assert story.body == "<p>First <em>words</em>.</p>"
