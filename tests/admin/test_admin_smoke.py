"""Every registered model's changelist, add and change pages open, for a superuser and a writer."""

import pytest
from django.contrib import admin
from django.urls import reverse

from newsroom.models import EditorialEvent
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_campaign,
    make_colorway,
    make_quote,
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
    assert b'value="publish"' not in change.content
    assert b'value="submit"' not in change.content  # it is published already
