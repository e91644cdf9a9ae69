"""A share link's token is stable: its expiry lives on the row, not in the token."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.utils import timezone

from newsroom import services
from newsroom.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(editor):
    article = make_article(status=Article.Status.REVIEW)
    return services.review_link_create(
        article=article, user=editor, expires_at=timezone.now() + timedelta(days=2)
    )


def test_the_token_does_not_change_with_the_clock(link):
    token = services.review_link_token(link)
    later = signing.time.time() + 3600
    with mock.patch.object(signing.time, "time", return_value=later):
        assert services.review_link_token(link) == token
    assert services.review_link_from_token(token) == link


def test_links_sent_before_keep_working(link):
    older = signing.dumps({"link": link.pk}, salt=services.REVIEW_LINK_SALT)
    assert services.review_link_from_token(older) == link


@pytest.mark.parametrize("mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
                                    lambda t: "x" + t, lambda t: t + ":extra", lambda t: ""])
def test_altered_tokens_name_no_link(link, mangle):
    assert services.review_link_from_token(mangle(services.review_link_token(link))) is None


def test_a_token_names_only_its_own_link(link, editor):
    other = services.review_link_create(
        article=make_article(status=Article.Status.REVIEW),
        user=editor,
        expires_at=timezone.now() + timedelta(days=2),
    )
    assert services.review_link_token(link) != services.review_link_token(other)
    assert services.review_link_from_token(services.review_link_token(other)) == other
