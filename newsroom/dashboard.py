"""The admin's front page for the signed-in user: what waits for them, and what comes next.

Unfold calls :func:`dashboard_callback` (``UNFOLD["DASHBOARD_CALLBACK"]``) before
rendering ``admin/index.html``. Every list is a short, ordered slice and every
count a filtered ``COUNT`` that an index on ``status`` (with ``published_at``),
``created_by`` or ``updated_at`` answers, so the page costs the same with a
hundred articles or a hundred thousand.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince

from . import services
from .models import Article, EditorialEvent

LIMIT = 6
RIGHTS_SOON_DAYS = 14


@dataclass
class DeskList:
    """One box of the dashboard: a title, the first few articles, how many in all."""

    key: str
    title: str
    articles: list
    count: int
    count_label: str
    more_url: str
    empty: str
    show: str  # which moment each row shows: "updated", "scheduled" or "published"


def _plural(count, singular, plural):
    return singular if count == 1 else plural


def _sent_back(queryset):
    """Annotate each row with the note it was sent back with, while it is still open.

    Correlated subqueries on the open-request index, inside the list's own query.
    """
    open_request = EditorialEvent.objects.filter(
        article=OuterRef("pk"), action__in=EditorialEvent.CHANGE_REQUESTS, closed_at=None
    ).order_by("-at", "-pk")
    author = Coalesce(
        NullIf("actor__first_name", Value("")), NullIf("actor__username", Value("")), "actor_name"
    )
    return queryset.annotate(
        sent_back_note=Subquery(open_request.values("note")[:1]),
        sent_back_by=Subquery(open_request.annotate(author=author).values("author")[:1]),
    )


def _changelist(**params):
    url = reverse("admin:newsroom_article_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _rows(queryset):
    return list(
        queryset.select_related("created_by").only(
            "pk",
            "headline",
            "status",
            "published_at",
            "updated_at",
            "lead_image_rights_until",
            "created_by__username",
            "created_by__first_name",
            "created_by__last_name",
        )[:LIMIT]
    )


def _label(article, show, now):
    """Each row's moment: how long ago it was touched, or when it goes or went live."""
    if show == "updated":
        article.desk_moment = article.updated_at
        if now - article.updated_at < timedelta(minutes=1):
            article.desk_when = "just now"
        else:
            article.desk_when = f"{timesince(article.updated_at, now, depth=1)} ago"
    elif show == "rights":
        article.desk_moment = article.lead_image_rights_until
        local = timezone.localtime(article.lead_image_rights_until)
        article.desk_when = f"image rights end {date_format(local, 'j M Y, H:i')}"
    else:
        article.desk_moment = article.published_at
        local = timezone.localtime(article.published_at)
        article.desk_when = date_format(local, "j M Y, H:i")


def desk_lists(user, *, now=None):
    """The dashboard's lists for ``user``, in the order they are shown."""
    now = now or timezone.now()
    articles = Article.objects.all()
    lists = []

    if services.user_can_publish(user):
        review = articles.filter(status=Article.Status.REVIEW)
        lists.append(
            DeskList(
                key="review",
                title="Waiting for your review",
                articles=_rows(review.order_by("updated_at", "pk")),
                count=review.count(),
                count_label="waiting",
                more_url=_changelist(status__exact=Article.Status.REVIEW),
                empty="Nothing waits for review.",
                show="updated",
            )
        )
    else:
        submitted = articles.filter(status=Article.Status.REVIEW, created_by=user)
        lists.append(
            DeskList(
                key="review",
                title="Your stories in review",
                articles=_rows(submitted.order_by("updated_at", "pk")),
                count=submitted.count(),
                count_label="with the editors",
                more_url=_changelist(
                    status__exact=Article.Status.REVIEW, created_by__id__exact=user.pk
                ),
                empty="None of your stories is with the editors.",
                show="updated",
            )
        )

    drafts = articles.filter(status=Article.Status.DRAFT, created_by=user)
    drafts_count = drafts.count()
    lists.append(
        DeskList(
            key="drafts",
            title="Your drafts",
            articles=_rows(_sent_back(drafts).order_by("-updated_at", "-pk")),
            count=drafts_count,
            count_label=_plural(drafts_count, "draft", "drafts"),
            more_url=_changelist(status__exact=Article.Status.DRAFT, created_by__id__exact=user.pk),
            empty="No drafts: start a story with “Add article”.",
            show="updated",
        )
    )

    scheduled = articles.scheduled(now=now)
    lists.append(
        DeskList(
            key="scheduled",
            title="Scheduled next",
            articles=_rows(scheduled.order_by("published_at", "pk")),
            count=scheduled.count(),
            count_label="scheduled",
            more_url=_changelist(visibility="scheduled"),
            empty="Nothing is scheduled.",
            show="scheduled",
        )
    )

    published = articles.published(now=now)
    live = published.count()
    lists.append(
        DeskList(
            key="published",
            title="Recently published",
            articles=_rows(published.order_by("-published_at", "-pk")),
            # All live stories, which is what the link opens: a count of "the last
            # seven days" read as 0 above a list of older stories.
            count=live,
            count_label=_plural(live, "live story in all", "live stories in all"),
            more_url=_changelist(visibility="live"),
            empty="Nothing published yet.",
            show="published",
        )
    )
    # Live stories whose lead image may be shown only a little longer.
    ending = published.filter(
        lead_image_rights_until__gt=now,
        lead_image_rights_until__lte=now + timedelta(days=RIGHTS_SOON_DAYS),
    )
    ending_count = ending.count()
    lists.append(
        DeskList(
            key="rights",
            title="Image rights ending",
            articles=_rows(ending.order_by("lead_image_rights_until", "pk")),
            count=ending_count,
            count_label=f"ending within {RIGHTS_SOON_DAYS} days",
            more_url=_changelist(visibility="live", lead_image_rights="soon"),
            empty=f"No live story's lead image loses its rights in the next {RIGHTS_SOON_DAYS} days.",
            show="rights",
        )
    )
    for box in lists:
        for article in box.articles:
            _label(article, box.show, now)
    return lists


def dashboard_callback(request, context):
    """Add the signed-in user's desk to the admin index."""
    if request.user.is_authenticated and request.user.has_perm("newsroom.view_article"):
        context["desk"] = desk_lists(request.user)
        context["desk_add_url"] = (
            reverse("admin:newsroom_article_add")
            if request.user.has_perm("newsroom.add_article")
            else ""
        )
    return context
