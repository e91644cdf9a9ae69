"""Reader pages answer GET and HEAD only (POST where a form posts); framing has one policy."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.models import Article
from tests.factories import make_article


def _reader_urls(world):
    return [
        "/",
        reverse("newsroom:article-list"),
        world.article.get_absolute_url(),
        world.brand.get_absolute_url(),
        world.bag.get_absolute_url(),
        world.kim.get_absolute_url(),
        world.campaign.get_absolute_url(),
        reverse("newsroom:search") + "?q=kim",
        reverse("newsroom:article-feed"),
        "/sitemap.xml",
        "/robots.txt",
    ]


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "PUT", "PATCH", "DELETE", "POST"])
def test_reader_pages_refuse_other_methods(client, world, method):
    for url in _reader_urls(world):
        response = client.generic(method, url)
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == "GET, HEAD", url


def test_reader_pages_answer_get_and_head(client, world):
    for url in _reader_urls(world):
        assert client.get(url).status_code == 200, url
        assert client.head(url).status_code == 200, url


@pytest.fixture
def share_link(editor):
    article = make_article(status=Article.Status.REVIEW, headline="Under review")
    link = services.review_link_create(
        article=article, user=editor, expires_at=timezone.now() + timedelta(days=2)
    )
    return reverse("review:review-link", args=[services.review_link_token(link)])


def test_the_share_link_page_also_takes_its_approval_form(client, share_link):
    assert client.get(share_link).status_code == 200
    response = client.post(share_link, {"name": "Press office"})
    assert response.status_code == 302
    for method in ("TRACE", "OPTIONS", "PUT", "DELETE"):
        response = client.generic(method, share_link)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, POST"


def test_the_admin_login_still_posts(client, editor):
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": "correct horse battery"}
    )
    assert response.status_code == 302


# -- framing -------------------------------------------------------------------------

AGREEING = {"DENY": "'none'", "SAMEORIGIN": "'self'"}


def _frame_policy(response):
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return response["X-Frame-Options"], csp["frame-ancestors"]


def test_reader_and_admin_pages_send_one_framing_policy(client, world, editor):
    reader = _frame_policy(client.get(world.article.get_absolute_url()))
    client.force_login(editor)
    admin_pages = [
        reverse("admin:index"),
        reverse("admin:newsroom_article_changelist"),
        reverse("admin:newsroom_article_change", args=[world.article.pk]),
    ]
    for url in admin_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        x_frame_options, frame_ancestors = _frame_policy(response)
        assert AGREEING[x_frame_options] == frame_ancestors, url
        assert (x_frame_options, frame_ancestors) == reader == ("DENY", "'none'")
