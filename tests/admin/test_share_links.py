"""Previews: staff see unpublished articles; outside reviewers get signed share links."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.models import Article, EditorialEvent, ReviewLink
from tests.factories import make_article, tomorrow

pytestmark = pytest.mark.django_db


# --- Staff preview at the public address -----------------------------------------------


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW, "scheduled"])
def test_staff_preview_and_reader_404(client, writer, status):
    if status == "scheduled":
        article = make_article(headline="Secret scoop", published_at=tomorrow())
    else:
        article = make_article(headline="Secret scoop", status=status)
    assert client.get(article.get_absolute_url()).status_code == 404
    client.force_login(writer)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Secret scoop" in page
    assert "Preview" in page
    assert '<meta name="robots" content="noindex' in page
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


# --- Share links ------------------------------------------------------------------------


@pytest.fixture
def link(editor):
    article = make_article(
        headline="Bel Air, first look",
        body="<p>The words the press office will read.</p>",
        status=Article.Status.REVIEW,
    )
    return services.review_link_create(
        article=article, user=editor, expires_at=timezone.now() + timedelta(days=3), label="PR"
    )


def link_url(link):
    return reverse("review:review-link", args=[services.review_link_token(link)])


def test_share_link_shows_the_shared_revision_without_login(client, link):
    response = client.get(link_url(link))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bel Air, first look" in page
    assert "The words the press office will read." in page
    assert '<meta name="robots" content="noindex' in page
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "Approve this version" in page


def test_share_link_keeps_showing_the_revision_it_was_made_for(client, link):
    article = link.article
    article.headline = "Bel Air, rewritten later"
    article.body = "<p>Unreviewed words.</p>"
    article.save()
    page = client.get(link_url(link)).content.decode()
    assert "Bel Air, first look" in page
    assert "Unreviewed words" not in page


def test_expired_link_shows_nothing(client, link):
    link.expires_at = timezone.now() - timedelta(minutes=1)
    link.save()
    response = client.get(link_url(link))
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert "Bel Air" not in response.content.decode()


def test_revoked_link_shows_nothing(client, link, editor):
    assert client.get(link_url(link)).status_code == 200  # seen once: nothing may keep it
    services.review_link_revoke(link=link, user=editor)
    response = client.get(link_url(link))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert "Bel Air" not in response.content.decode()
    assert link.article.events_log.filter(action=EditorialEvent.Action.REVOKED).exists()


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: signing.dumps({"link": 999}, salt="something-else"),
        lambda token: signing.dumps({"link": 1}, key="not-our-secret", salt=services.REVIEW_LINK_SALT),
        lambda token: "not-a-token",
    ],
    ids=["altered", "other-salt", "other-key", "garbage"],
)
def test_tampered_token_is_404(client, link, forge):
    token = forge(services.review_link_token(link))
    response = client.get(reverse("review:review-link", args=[token]))
    assert response.status_code == 404
    assert "Bel Air" not in response.content.decode()


def test_token_of_one_link_does_not_open_another(client, link, editor):
    other = services.review_link_create(
        article=make_article(headline="Other story", status=Article.Status.DRAFT),
        user=editor,
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert "Other story" in client.get(link_url(other)).content.decode()
    assert "Other story" not in client.get(link_url(link)).content.decode()


def test_reviewer_approval_lands_in_the_audit_trail(link):
    client = Client(enforce_csrf_checks=True)
    page = client.get(link_url(link))
    token = page.cookies["csrftoken"].value
    response = client.post(
        link_url(link),
        {"name": "  Anna   from PR ", "note": "Fine by us", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.approved_by_name == "Anna from PR"
    event = link.article.events_log.get(action=EditorialEvent.Action.APPROVED)
    assert event.actor is None and event.actor_name == "Anna from PR"
    assert "Fine by us" in event.note
    assert "Approved by Anna from PR" in client.get(link_url(link)).content.decode()


def test_approval_without_csrf_token_is_refused(link):
    client = Client(enforce_csrf_checks=True)
    response = client.post(link_url(link), {"name": "Mallory"})
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.approved_at is None
    assert not EditorialEvent.objects.filter(action=EditorialEvent.Action.APPROVED).exists()


def test_approval_needs_a_name(client, link):
    response = client.post(link_url(link), {"name": "   "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode() or "Please give your name" in response.content.decode()
    link.refresh_from_db()
    assert link.approved_at is None


def test_approval_on_an_expired_link_is_refused(client, link):
    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save()
    response = client.post(link_url(link), {"name": "Late"})
    assert response.status_code == 410
    link.refresh_from_db()
    assert link.approved_at is None


# --- Making links in the admin ------------------------------------------------------------


def test_editor_shares_an_article_from_its_page(editor_client, editor):
    article = make_article(status=Article.Status.DRAFT, headline="To be shared")
    url = reverse("admin:newsroom_article_share_for_review", args=[article.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"label": "Balenciaga press office", "days": 5}, follow=True)
    assert response.status_code == 200
    link = ReviewLink.objects.get()
    assert link.created_by == editor and link.label == "Balenciaga press office"
    assert link.version is not None
    assert timedelta(days=4, hours=23) < link.expires_at - timezone.now() <= timedelta(days=5)
    assert services.review_link_token(link) in response.content.decode()
    assert article.events_log.filter(action=EditorialEvent.Action.SHARED).exists()


def test_writer_cannot_make_share_links(writer_client):
    article = make_article(status=Article.Status.DRAFT)
    url = reverse("admin:newsroom_article_share_for_review", args=[article.pk])
    assert writer_client.post(url, {"label": "x", "days": 5}).status_code == 403
    assert not ReviewLink.objects.exists()


def test_share_link_lifetime_is_bounded(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    url = reverse("admin:newsroom_article_share_for_review", args=[article.pk])
    response = editor_client.post(url, {"label": "", "days": 365})
    assert response.status_code == 200
    assert "less than or equal to 30" in response.content.decode()
    assert not ReviewLink.objects.exists()


def test_revoke_action_in_the_admin(editor_client, link):
    editor_client.post(
        reverse("admin:newsroom_reviewlink_changelist"),
        {"action": "revoke", "_selected_action": [link.pk]},
    )
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_share_link_shows_the_mentions_of_its_revision(client, editor):
    from tests.factories import make_person

    before, after = make_person(name="Demna"), make_person(name="Someone Added Later")
    article = make_article(headline="Cast", status=Article.Status.REVIEW, body="<p>Demna.</p>")
    article.people.add(before)
    link = services.review_link_create(
        article=article, user=editor, expires_at=timezone.now() + timedelta(days=1)
    )
    article.people.set([after])
    page = client.get(link_url(link)).content.decode()
    assert f'href="{before.get_absolute_url()}"' in page
    assert "Someone Added Later" not in page
