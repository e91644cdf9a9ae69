"""Writes that change an article's editorial state.

The admin's forms, actions and buttons all call these, so the rules (who may
publish, what publishing without a date means, what lands in the audit trail)
hold on the server whatever the interface shows.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Article, EditorialEvent

PUBLISH_PERMISSION = "newsroom.publish_article"


def user_can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


def _require_publisher(user):
    if not user_can_publish(user):
        raise PermissionDenied("Only editors can publish, schedule or unpublish articles.")


def _log(article, action, user, note=""):
    return EditorialEvent.objects.create(article=article, action=action, actor=user, note=note)


@transaction.atomic
def article_submit(*, article, user):
    """A writer hands a draft to the editors."""
    article.status = Article.Status.REVIEW
    article.save(update_fields=["status", "updated_at"])
    _log(article, EditorialEvent.Action.SUBMITTED, user)
    return article


@transaction.atomic
def article_publish(*, article, user, at=None):
    """Publish now, or at ``at`` if that moment is in the future (a schedule).

    Publishing without a date uses the current moment; an article already
    carrying a past publication date keeps it.
    """
    _require_publisher(user)
    now = timezone.now()
    if at is None:
        at = article.published_at if article.published_at and article.published_at <= now else now
    article.status = Article.Status.PUBLISHED
    article.published_at = at
    article.save(update_fields=["status", "published_at", "updated_at"])
    scheduled = at > now
    _log(
        article,
        EditorialEvent.Action.SCHEDULED if scheduled else EditorialEvent.Action.PUBLISHED,
        user,
        note=f"for {at:%Y-%m-%d %H:%M %Z}" if scheduled else "",
    )
    return article


@transaction.atomic
def article_unpublish(*, article, user):
    """Take an article off the public site; it goes back to draft."""
    _require_publisher(user)
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    _log(article, EditorialEvent.Action.UNPUBLISHED, user)
    return article


@transaction.atomic
def article_return_to_draft(*, article, user, note=""):
    """An editor sends an article in review back to its writer."""
    _require_publisher(user)
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    _log(article, EditorialEvent.Action.RETURNED, user, note=note)
    return article
