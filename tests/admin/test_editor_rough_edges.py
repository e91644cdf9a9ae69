"""The article form's rough edges, smoothed: history names each step, read-only bodies
read as text, visible "+ New" buttons, tag suggestions, colour swatches, and absolute
links that follow the request's host in development and the Site in production.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from catalog.models import Colorway
from newsroom.models import Article
from tests.admin.postdata import article_data
from tests.factories import make_article, make_brand, make_product

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:newsroom_article_change", args=[article.pk])


def history(client, article):
    return client.get(reverse("admin:newsroom_article_history", args=[article.pk])).content.decode()


# --- History names each step ----------------------------------------------------------


def test_history_names_publishing_and_the_fields_changed_with_it(editor_client, editor):
    editor.first_name, editor.last_name = "Erin", "Vale"
    editor.save()
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    editor_client.post(
        change_url(article), article_data(article, dek="A new standfirst", _transition="publish")
    )
    page = history(editor_client, article)
    assert "Published by Erin Vale. Changed Dek." in page
    assert "No fields changed" not in page


def test_history_names_a_schedule_and_a_plain_publish(editor_client):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    at = (timezone.localtime() + timedelta(days=3)).replace(second=0, microsecond=0)
    editor_client.post(
        change_url(article),
        article_data(
            article,
            published_at_0=at.strftime("%Y-%m-%d"),
            published_at_1=at.strftime("%H:%M:%S"),
            _transition="schedule",
        ),
    )
    page = history(editor_client, article)
    assert f"Scheduled for {at:%-d %B %Y, %H:%M} by editor." in page
    article.refresh_from_db()
    editor_client.post(change_url(article), article_data(article, _transition="publish_now"))
    page = history(editor_client, article)
    assert "Published by editor." in page
    assert "No fields changed" not in page


def test_history_names_a_submission(writer_client):
    article = make_article(status=Article.Status.DRAFT)
    writer_client.post(change_url(article), article_data(article, _transition="submit"))
    assert "Submitted for review by writer." in history(writer_client, article)


# --- Read-only body -------------------------------------------------------------------


def test_a_writer_reads_a_live_body_as_formatted_sanitised_text(writer_client):
    article = make_article(body="<p>The <strong>Bel Air</strong> is back.</p><ul><li>black</li></ul>")
    Article.objects.filter(pk=article.pk).update(
        body=article.body + '<p onclick="x()">Hi<script>alert(1)</script></p>'
    )
    page = writer_client.get(change_url(article)).content.decode()
    readonly = re.search(r'<div class="article-body-readonly">(.*?)</div>', page, re.S).group(1)
    assert "<strong>Bel Air</strong>" in readonly and "<li>black</li>" in readonly
    assert "&lt;p&gt;" not in readonly
    assert "<script" not in readonly and "onclick" not in readonly


def test_an_editor_still_edits_the_body(editor_client):
    page = editor_client.get(change_url(make_article())).content.decode()
    assert "article-body-readonly" not in page
    assert 'name="body"' in page


# --- The form's aids ------------------------------------------------------------------


def test_mention_fields_have_visible_new_buttons(editor_client):
    page = editor_client.get(reverse("admin:newsroom_article_add")).content.decode()
    for field, label in [
        ("people", "person"),
        ("brands", "brand"),
        ("products", "product"),
        ("campaigns", "campaign"),
        ("events", "event"),
    ]:
        button = re.search(rf'<a class="[^"]*mention-new"[^>]*id="add_id_{field}"[^>]*>(.*?)</a>', page, re.S)
        assert button, field
        assert f"New {label}" in button.group(1)
    assert "newsroom/admin/article.css" in page  # the editor's height and these buttons


def test_tag_suggestions_answer_what_starts_with_the_term_first(editor_client):
    for name in ("Handbags", "Red carpet", "Bags of the year", "Shoes"):
        Tag.objects.create(name=name)
    url = reverse("admin:newsroom_article_tag_suggestions")
    assert editor_client.get(url, {"q": "ba"}).json() == {"tags": ["Bags of the year", "Handbags"]}
    assert editor_client.get(url, {"q": " "}).json() == {"tags": []}
    page = editor_client.get(reverse("admin:newsroom_article_add")).content.decode()
    assert f'data-tag-suggest="{url}"' in page and "newsroom/admin/tags.js" in page


def test_tag_suggestions_are_for_staff_only(client):
    url = reverse("admin:newsroom_article_tag_suggestions")
    assert client.get(url, {"q": "ba"}).status_code == 302  # to the login page


def test_colour_swatch_has_a_picker_and_keeps_the_hex(admin_client):
    product = make_product(brand=make_brand())
    page = admin_client.get(reverse("admin:catalog_colorway_add")).content.decode()
    assert 'type="color"' in page and "catalog/admin/swatch.js" in page
    response = admin_client.post(
        reverse("admin:catalog_colorway_add"),
        {"product": product.pk, "name": "Noir", "hex": "#1A1a2B", "position": 0},
    )
    assert response.status_code == 302
    colorway = Colorway.objects.get(name="Noir")
    assert colorway.hex == "#1A1a2B"
    page = admin_client.get(reverse("admin:catalog_colorway_change", args=[colorway.pk])).content
    assert b'value="#1A1a2B"' in page and b'value="#1a1a2b"' in page


# --- Absolute links: request host in development, the Site in production --------------


@pytest.fixture
def live_story(db):
    Site.objects.update_or_create(pk=1, defaults={"domain": "news.example.org", "name": "News"})
    Site.objects.clear_cache()
    yield make_article(headline="Port story", slug="port-story")
    Site.objects.clear_cache()


def test_in_development_feeds_and_sitemap_use_the_request_host(client, settings, live_story):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    feed = client.get("/feeds/articles/", HTTP_HOST="127.0.0.1:8123").content.decode()
    assert "http://127.0.0.1:8123/articles/port-story/" in feed
    assert "news.example.org" not in feed
    index = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1:8123").content.decode()
    assert "http://127.0.0.1:8123/" in index and "news.example.org" not in index


def test_in_development_view_on_site_uses_the_request_host(admin_client, settings, live_story):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    page = admin_client.get(change_url(live_story), HTTP_HOST="127.0.0.1:8123").content.decode()
    view_on_site = re.search(r'href="(/admin/r/[^"]+)"', page).group(1)
    response = admin_client.get(view_on_site, HTTP_HOST="127.0.0.1:8123")
    assert response["Location"] == "http://127.0.0.1:8123/articles/port-story/"


def test_in_production_absolute_links_use_the_configured_site(client, settings, live_story):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    feed = client.get("/feeds/articles/", HTTP_HOST="127.0.0.1:8123").content.decode()
    assert "news.example.org/articles/port-story/" in feed
    assert "127.0.0.1:8123" not in feed
