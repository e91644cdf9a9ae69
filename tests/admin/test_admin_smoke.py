"""Every registered model's changelist, add and change pages open, for a superuser and a writer."""

import pytest
from django.contrib import admin
from django.urls import reverse

from newsroom.models import Article, EditorialEvent
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_campaign,
    make_colorway,
    make_quote,
    yesterday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    article = make_article()
    article.tags.add("Handbags")
    make_quote(articles=[article])
    make_colorway()
    make_ambassadorship()
    make_campaign()
    return article


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield model, model_admin, info


def test_every_admin_page_opens_for_a_superuser(admin_client, content):
    EditorialEvent.objects.create(article=content, action="published")
    for model, _model_admin, info in _admin_urls():
        response = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, info
        response = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "a"})
        assert response.status_code == 200, info
        add = admin_client.get(reverse("admin:{}_{}_add".format(*info)))
        assert add.status_code in (200, 403), info
        obj = model._default_manager.first()
        if obj is not None:
            change = admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert change.status_code == 200, info


def test_writer_opens_the_pages_of_their_work(writer_client, content):
    for name in ("article", "person", "campaign", "quote"):
        url = reverse(f"admin:newsroom_{name}_changelist")
        assert writer_client.get(url).status_code == 200
        assert writer_client.get(reverse(f"admin:newsroom_{name}_add")).status_code == 200
    for name in ("brand", "product", "colorway", "productimage"):
        assert writer_client.get(reverse(f"admin:catalog_{name}_add")).status_code == 200
    change = writer_client.get(reverse("admin:newsroom_article_change", args=[content.pk]))
    assert change.status_code == 200
    assert b'value="published"' not in change.content


def _article_form(**overrides):
    data = {
        "headline": "A new story",
        "slug": "a-new-story",
        "dek": "",
        "body": "<p>Text</p>",
        "status": "draft",
        "tags": "",
        "lead_image_alt": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "source_outlet": "",
        "original_published_on": "",
        "published_at_0": "",
        "published_at_1": "",
        "quote_wordings-TOTAL_FORMS": "0",
        "quote_wordings-INITIAL_FORMS": "0",
        "events_log-TOTAL_FORMS": "0",
        "events_log-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_writer_cannot_publish_through_the_form(writer_client):
    response = writer_client.post(
        reverse("admin:newsroom_article_add"), _article_form(status="published")
    )
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_writer_can_submit_for_review(writer_client, writer):
    response = writer_client.post(
        reverse("admin:newsroom_article_add"), _article_form(status="review")
    )
    assert response.status_code == 302, response.content[:2000]
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert article.created_by == writer
    assert article.events_log.get().action == EditorialEvent.Action.SUBMITTED


def test_writer_cannot_publish_through_an_action(writer_client):
    article = make_article(status=Article.Status.REVIEW)
    writer_client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_editor_publishes_through_an_action(editor_client, editor):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    editor_client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.is_published
    assert article.events_log.get().actor == editor


def test_editor_publishes_through_the_form_without_a_date(editor_client):
    response = editor_client.post(
        reverse("admin:newsroom_article_add"), _article_form(status="published")
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.is_published
    assert article.published_at <= yesterday().replace(year=3000)
