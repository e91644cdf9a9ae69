"""The admin's front page for the signed-in user: what waits for them, and what comes next.

Unfold calls :func:`dashboard_callback` (``UNFOLD["DASHBOARD_CALLBACK"]``) before
rendering ``admin/index.html``. Every list is a short, ordered slice and every
count a filtered ``COUNT`` that an index on ``status`` (with ``published_at``),
``created_by`` or ``updated_at`` answers, so the page costs the same with a
hundred articles or a hundred thousand. The image-rights box reads every image a
live story shows (lead images, linked people's portraits, linked bags' images) in
two UNION queries whatever the number of kinds, stories or images, narrowed by the
indexed rights moments.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timesince import timesince

from catalog.images import RIGHTS_SUFFIX, image_rights_sources

from . import entities, services
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
    show: str  # which moment each row shows: "updated", "scheduled", "published" or "rights"
    # The rights box only: images of live stories whose rights have ended (hidden
    # from readers), how many live stories have one, and the list of those stories.
    ended: list = field(default_factory=list)
    ended_count: int = 0
    ended_url: str = ""


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
    # Images live stories show that may be shown only a little longer, or no more.
    lists.append(_rights_box(now))
    for box in lists:
        if box.show != "rights":  # the rights rows are labelled as they are made
            for article in box.articles:
                _label(article, box.show, now)
    return lists


# --- Image rights on live stories ----------------------------------------------------
#
# A story shows its lead image and the images of what it links: a linked person's
# portrait, a linked bag's product images, any image with a rights end (found by
# ``catalog.images.image_rights_sources``) on a kind of the registry or on a row
# that belongs to one by a foreign key. Each image a live story shows is one
# "source" below; all of them are read in one UNION query, so the desk costs the
# same whatever the number of kinds, stories or images.


@dataclass(frozen=True)
class _RightsSource:
    model: type
    rights_field: str
    article_path: str  # from ``model`` to Article: "" (a lead image), "articles", ...
    owner_path: str  # from ``model`` to the linked row: "" (itself), "product", ...
    kind: object  # the registry's kind of the linked row; None for a lead image

    @property
    def image_field(self):
        return self.model._meta.get_field(self.rights_field.removesuffix(RIGHTS_SUFFIX))

    def prefix(self, path):
        return f"{path}__" if path else ""


def _rights_sources():
    """Every image a live story may show with a rights end, in a fixed order."""
    found = []
    for model, rights_field in image_rights_sources():
        if issubclass(model, Article):
            found.append(_RightsSource(model, rights_field, "", "", None))
            continue
        for kind in entities.kinds():
            back = Article._meta.get_field(kind.article_field).related_query_name()
            if issubclass(model, kind.model):
                found.append(_RightsSource(model, rights_field, back, "", kind))
                continue
            for fk in model._meta.concrete_fields:
                if fk.many_to_one and issubclass(fk.related_model, kind.model):
                    found.append(
                        _RightsSource(model, rights_field, f"{fk.name}__{back}", fk.name, kind)
                    )
    return found


def _rights_queryset(source, index, *, until_lte, now, details):
    """One source's (image, live story) pairs whose rights end by ``until_lte``."""
    p = source.prefix(source.article_path)
    image = source.image_field.name
    condition = Q(**{f"{p}status": Article.Status.PUBLISHED, f"{p}published_at__lte": now})
    condition &= Q(**{f"{source.rights_field}__lte": until_lte})
    if source.kind is not None:
        condition &= source.kind.public_q(source.prefix(source.owner_path), now=now)
    rows = (
        source.model._default_manager.filter(condition)
        .exclude(**{image: ""})
        .exclude(**{f"{image}__isnull": True})
        .order_by()
    )
    columns = {"story": F(f"{p}pk"), "until": F(source.rights_field)}
    if details:
        columns |= {
            "source": Value(index),
            "row": F("pk"),
            "headline": F(f"{p}headline"),
            "owner_name": F(f"{source.prefix(source.owner_path)}name")
            if source.kind is not None
            else Value(""),
            "number": _image_number(source) if source.owner_path else Value(0),
        }
    return rows.annotate(**{f"desk_{k}": v for k, v in columns.items()}).values_list(
        *(f"desk_{k}" for k in columns)
    )


def _image_number(source):
    """Where the image comes among its owner's images (1, 2, ...), in the model's order."""
    model, owner = source.model, source.owner_path
    order = [f for f in model._meta.ordering if f.lstrip("-") not in (owner, f"{owner}_id")]
    if not any(f.lstrip("-") == "pk" for f in order):
        order.append("pk")
    before = Q()
    same = Q()
    for name in order:
        field = name.lstrip("-")
        lookup = "gt" if name.startswith("-") else "lt"
        before |= same & Q(**{f"{field}__{lookup}": OuterRef(field)})
        same &= Q(**{field: OuterRef(field)})
    earlier = (
        model._default_manager.filter(before, **{owner: OuterRef(owner)})
        .order_by()
        .values(owner)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(earlier), Value(0)) + Value(1)


def _union(querysets):
    first, *rest = querysets
    return first.union(*rest, all=True) if rest else first


@dataclass
class RightsRow:
    """One image a live story shows, and when its rights end (or ended)."""

    story: int
    headline: str
    story_url: str
    image: str  # "Lead image", "Portrait of Kim Kardashian", "Le City — image 2"
    change_url: str  # where the date can be extended
    until: object
    ended: bool
    desk_moment: object = None
    desk_when: str = ""


def _admin_change_url(model, pk):
    try:
        return reverse(admin_urlname(model._meta, "change"), args=[pk])
    except NoReverseMatch:
        return ""


def _rights_row(sources, values, now):
    story, until, index, row, headline, owner_name, number = values
    source = sources[index]
    what = capfirst(source.image_field.verbose_name)
    if source.kind is None:
        image = what
    elif source.owner_path:
        image = f"{owner_name} — {source.image_field.verbose_name} {number}"
    else:
        image = f"{what} of {owner_name}"
    story_url = reverse("admin:newsroom_article_change", args=[story])
    change_url = _admin_change_url(source.model, row) or story_url
    ended = until <= now
    local = date_format(timezone.localtime(until), "j M Y, H:i")
    return RightsRow(
        story=story,
        headline=headline,
        story_url=story_url,
        image=image,
        change_url=change_url,
        until=until,
        ended=ended,
        desk_moment=until,
        desk_when=f"rights ended {local}" if ended else f"image rights end {local}",
    )


def _rights_box(now):
    """Live stories' images whose rights end within ``RIGHTS_SOON_DAYS`` or have ended.

    Two queries: every (story, moment) pair, two small columns, for the counts;
    then the rows shown, one ordered slice around ``now`` of the same UNION (the
    ``LIMIT`` most recently ended and the ``LIMIT`` ending soonest).
    """
    sources = _rights_sources()
    soon = now + timedelta(days=RIGHTS_SOON_DAYS)
    pairs = _union(
        [
            _rights_queryset(s, i, until_lte=soon, now=now, details=False)
            for i, s in enumerate(sources)
        ]
    )
    ending_stories, ended_stories, ended_images = set(), set(), 0
    for story, until in pairs:
        if until <= now:
            ended_stories.add(story)
            ended_images += 1
        else:
            ending_stories.add(story)
    rows = _union(
        [
            _rights_queryset(s, i, until_lte=soon, now=now, details=True)
            for i, s in enumerate(sources)
        ]
    ).order_by("desk_until", "desk_source", "desk_row", "desk_story")
    start = max(0, ended_images - LIMIT)
    shown = [_rights_row(sources, values, now) for values in rows[start : ended_images + LIMIT]]
    ended = [row for row in shown if row.ended]
    ended.reverse()  # the most recently ended first
    return DeskList(
        key="rights",
        title="Image rights ending",
        articles=[row for row in shown if not row.ended],
        count=len(ending_stories),
        count_label=_plural(
            len(ending_stories),
            f"live story with images ending within {RIGHTS_SOON_DAYS} days",
            f"live stories with images ending within {RIGHTS_SOON_DAYS} days",
        ),
        more_url=_stories(ending_stories),
        empty=f"No image of a live story loses its rights in the next {RIGHTS_SOON_DAYS} days.",
        show="rights",
        ended=ended,
        ended_count=len(ended_stories),
        ended_url=_stories(ended_stories),
    )


def _stories(pks):
    """The article list showing exactly the live stories ``pks``."""
    return _changelist(visibility="live", id__in=",".join(map(str, sorted(pks))) or "0")


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
