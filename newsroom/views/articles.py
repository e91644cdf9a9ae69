"""The home page, the list of stories and a story's page.

Every page runs a fixed number of SQL queries, whatever the number of related
rows: each related list is one query (or one ``Prefetch``), and every list
starts from ``Article.objects.published()`` or ``.public()``, so that nothing
unpublished or embargoed reaches a reader.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Value,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_date
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from catalog.images import rights_ended
from catalog.models import Brand, Product, public_q

from .. import entities as registry
from .. import fragments, jsonld, paths, surrogate
from ..html import clean_html
from ..links import without_unreachable_links
from ..mentions import link_first_mentions
from ..models import (
    Ambassadorship,
    Article,
    Campaign,
    DatePrecision,
    Person,
    QuoteWording,
)
from ..prepared import PreparedQuery
from ..seo import home_crumb, page_graph, page_meta
from .common import (
    RELATED_STORIES,
    cursor_page,
    page_path,
)

# --- Home and lists --------------------------------------------------------------------------


def home(request):
    """Latest stories, a featured campaign and the current ambassadors."""
    surrogate.add(request, surrogate.HOME)
    published = Article.objects.published()
    latest = list(published.for_listing()[:7])
    featured = (
        Campaign.objects.public()
        .filter(public_q("brand__"), Exists(published.filter(campaigns=OuterRef("pk"))))
        .select_related("brand")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.public()),
            Prefetch("products", queryset=Product.objects.public().filter(public_q("brand__"))),
        )
        .order_by(F("date").desc(nulls_last=True), "name")
        .first()
    )
    ambassadors = list(
        Ambassadorship.objects.public()
        .filter(public_q("person__"), public_q("brand__"), until_year__isnull=True)
        .select_related("person", "brand")
        .order_by(F("since_year").desc(nulls_last=True), "person__name")[:8]
    )
    crumbs = [home_crumb()]
    meta = page_meta(
        request,
        title="",
        description="Fashion journalism: the people, houses, handbags and campaigns "
        "behind the stories, linked to each other.",
    )
    context = {
        "latest": latest,
        "lead": latest[0] if latest else None,
        "featured": featured,
        "ambassadors": ambassadors,
        "meta": meta,
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs, name=settings.SITE_NAME),
    }
    return render(request, "newsroom/home.html", context)


def article_list(request):
    surrogate.add(request, surrogate.ARTICLE_LIST)
    page = cursor_page(request, Article.objects.published().for_listing())
    if not page.items and request.GET:
        raise Http404("No stories on this page.")
    crumbs = [home_crumb(), ("Stories", reverse("newsroom:article-list"))]
    meta = page_meta(
        request,
        title="All stories",
        description="Every story, newest first.",
        path=page_path(request),
    )
    context = {
        "page": page,
        "meta": meta,
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs, kind="CollectionPage"),
    }
    return render(request, "newsroom/article_list.html", context)


# --- Article ---------------------------------------------------------------------------------

_ENTITY_COLUMNS = (
    "e_kind",
    "e_id",
    "e_name",
    "e_slug",
    "e_aliases",
    "e_brand_id",
    "e_brand_name",
    "e_brand_slug",
    "e_brand_public",
    "e_date",
    "e_precision",
)


class ArticleEntities:
    """The public entities an article links, grouped by kind: ``entities.people``, ...

    One list per registered kind, named after the Article field that links it.
    """

    def __init__(self, **groups):
        self.groups = {kind.article_field: [] for kind in registry.kinds()}
        self.groups.update(groups)

    def __getattr__(self, name):
        try:
            return self.__dict__["groups"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def sections(self):
        """``(kind, rows)`` of every kind with rows, in the registry's order: the story's aside."""
        return [
            (kind, self.groups[kind.article_field])
            for kind in registry.kinds()
            if self.groups.get(kind.article_field)
        ]

    @property
    def linkable(self):
        """Everything with a page of its own."""
        return [obj for kind in registry.with_pages() for obj in self.groups[kind.article_field]]


def _null(field):
    """A typed NULL column (``CAST(NULL AS ...)``): PostgreSQL must know the type in a UNION."""
    return Cast(Value(None), output_field=field)


def _entity_rows(kind, article_pk, now):
    has_brand = kind.has_field("brand")
    has_date = kind.has_field("date")
    # kind.public: a bag's page answers 404 while its house is hidden, so no link either.
    rows = kind.public(now=now).filter(articles=article_pk)
    return (
        rows.order_by()
        .annotate(
            e_kind=Value(kind.key, output_field=CharField()),
            e_id=F("pk"),
            e_name=F("name"),
            e_slug=F("slug"),
            e_aliases=F("aliases"),
            e_brand_id=F("brand_id") if has_brand else _null(BigIntegerField()),
            e_brand_name=F("brand__name") if has_brand else _null(CharField()),
            e_brand_slug=F("brand__slug") if has_brand else _null(CharField()),
            e_brand_public=(
                ExpressionWrapper(public_q("brand__", now=now), output_field=BooleanField())
                if has_brand
                else _null(BooleanField())
            ),
            e_date=F("date") if has_date else _null(DateField()),
            e_precision=F("date_precision") if has_date else _null(CharField()),
        )
        .values_list(*_ENTITY_COLUMNS, named=True)
    )


def _entities_union(article_pk, now):
    first, *rest = (_entity_rows(kind, article_pk, now) for kind in registry.kinds())
    return first.union(*rest, all=True).order_by("e_kind", "e_name")


_STAND_INS = (
    {"article_pk": -(2**62) + 1, "now": datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)},
    {"article_pk": -(2**62) + 2, "now": datetime(2002, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)},
)
_prepared_unions = {}


def _entity_query():
    """The UNION, compiled once per set of registered kinds (see ``newsroom.prepared``)."""
    kinds = tuple(registry.kinds())
    query = _prepared_unions.get(kinds)
    if query is None:
        query = _prepared_unions[kinds] = PreparedQuery(_entities_union, _STAND_INS)
    return query


def article_entities(article, *, now=None):
    """Load every public entity of ``article`` in ONE query (a UNION, one part per kind).

    The rows become light model instances (name, slug, aliases, brand) that
    know their page (``get_absolute_url``) and their names (``all_names``),
    which is all the article page, the body linking and the JSON-LD need.
    """
    now = now or timezone.now()
    rows = _entity_query().rows(article._state.db or "default", article_pk=article.pk, now=now)
    entities = ArticleEntities()
    for row in rows:
        kind = registry.get(row["e_kind"])
        obj = kind.model(
            pk=row["e_id"], name=row["e_name"], slug=row["e_slug"], aliases=row["e_aliases"]
        )
        if row["e_brand_slug"]:
            # A light instance: "published by hand" stands for whether readers may
            # see the brand now, worked out by the query, so ``is_public`` answers it.
            obj.brand = Brand(
                pk=row["e_brand_id"],
                name=row["e_brand_name"],
                slug=row["e_brand_slug"],
                published_by_hand=bool(row["e_brand_public"]),
            )
        if kind.dated:
            day = row["e_date"]
            obj.date = parse_date(day) if isinstance(day, str) else day
            obj.date_precision = row["e_precision"] or DatePrecision.DAY
        entities.groups[kind.article_field].append(obj)
    return entities


def _related(article_pk, now, limit):
    """The newest published stories (not this one) sharing a public entity or a tag with it."""
    conditions = Q()
    for kind in registry.kinds():
        if kind.relates_stories:
            field = Article._meta.get_field(kind.article_field)
            linked = kind.public(now=now).filter(articles=article_pk).values("pk")
            rows = field.remote_field.through.objects.filter(
                **{f"{field.m2m_reverse_name()}__in": linked}
            )
            conditions |= Q(pk__in=rows.values(field.m2m_column_name()))
    tagged = Article.tags.through.objects
    same_tags = tagged.filter(content_object_id=article_pk).values("tag_id")
    conditions |= Q(pk__in=tagged.filter(tag__in=same_tags).values("content_object_id"))
    return (
        Article.objects.published(now=now)
        .filter(conditions)
        .exclude(pk=article_pk)
        .for_listing()[:limit]
    )


_prepared_related = {}


def related_articles(article, entities, tags, *, limit=RELATED_STORIES):
    """The newest published stories sharing a person, product, campaign, brand or tag.

    One query, compiled once per set of kinds (``newsroom.prepared``); none when
    the story links nothing public and has no tags.
    """
    shares = any(kind.relates_stories and rows for kind, rows in entities.sections)
    if not (shares or tags):
        return []
    key = (tuple(registry.kinds()), limit)
    query = _prepared_related.get(key)
    if query is None:
        query = _prepared_related[key] = PreparedQuery(
            lambda article_pk, now: _related(article_pk, now, limit), _STAND_INS
        )
    return query.instances(
        Article, article._state.db or "default", article_pk=article.pk, now=timezone.now()
    )


# This story's own quotes (also in a preview), by speakers readers may see.
_story_wording_ids = PreparedQuery(
    lambda article_pk, now: QuoteWording.objects.filter(
        public_q("quote__speaker_person__", now=now),
        public_q("quote__speaker_brand__", now=now),
        article_id=article_pk,
    ).values("id"),
    _STAND_INS,
)


def story_wordings(article):
    """The wordings of the quotes ``article`` reports that readers may see, in order.

    Most stories report none: that is found by a query compiled once; only a
    story with quotes loads them, with their quotes and speakers, by key.
    """
    using = article._state.db or "default"
    ids = [
        row["id"]
        for row in _story_wording_ids.rows(using, article_pk=article.pk, now=timezone.now())
    ]
    if not ids:
        return []
    return list(
        QuoteWording.objects.using(using)
        .filter(pk__in=ids)
        .select_related("quote__speaker_person", "quote__speaker_brand")
        .order_by("pk")
    )


def render_body(body, entities):
    """The body as readers get it: sanitised, with each entity's first mention linked.

    The stored body was cleaned on save; it is cleaned again here (the database
    may have been written by other means), linked, and cleaned once more so
    that the result is exactly what the sanitiser allows.
    """
    # A hand-made link to a page readers cannot open (embargoed, unpublished) keeps its text only.
    reachable = without_unreachable_links(clean_html(body))
    linked = clean_html(link_first_mentions(reachable, entities))
    return mark_safe(linked)  # noqa: S308 - output of our sanitiser


class StoryParts:
    """The three parts of a story's page, each computed from the database.

    - ``story()``: the header, lead image, linked body and the aside of what the
      story links, with the page's head (``meta``) and JSON-LD;
    - ``quotes()``: the quotes the story reports;
    - ``related()``: the newest related stories.

    On a public page each part is a fragment (``newsroom.fragments``), kept under
    the keys of what it shows; the rows each needs are loaded once, when first needed.
    """

    def __init__(self, request, article, *, preview=False, entities=None, structured_data=True):
        self.request = request
        self.article = article
        self.preview = preview
        self.structured_data = structured_data
        if entities is not None:
            self.entities = entities
            self.entity_keys = set()

    @cached_property
    def entities(self):
        # What the linked rows (and their houses) record, for the parts that
        # depend on them without showing them all (the related stories).
        with surrogate.collect() as recorder:
            entities = article_entities(self.article)
        self.entity_keys = recorder.keys
        return entities

    @cached_property
    def tags(self):
        return list(self.article.tags.order_by("name"))

    def breadcrumbs(self):
        return [
            home_crumb(),
            ("Stories", paths.path("newsroom:article-list")),
            (self.article.headline, self.article.get_absolute_url()),
        ]

    def story(self):
        request, article, entities, tags = self.request, self.article, self.entities, self.tags
        surrogate.add_objects(article)
        body = render_body(article.body, entities.linkable)
        shown = article.lead_image and not rights_ended(article.lead_image)
        image_url = article.lead_image.url if shown else ""
        meta = page_meta(
            request,
            title=article.headline,
            description=article.dek or strip_tags(body),
            path=article.get_absolute_url(),
            og_type="article",
            image=request.build_absolute_uri(image_url) if image_url else "",
            image_alt=article.lead_image_alt,
            noindex=self.preview,
        )
        context = {"article": article, "body": body, "entities": entities, "tags": tags}
        return {
            "html": render_to_string("newsroom/includes/_story.html", context, request),
            "body": body,
            "meta": meta,
            "jsonld": self._graph(body, image_url) if self.structured_data else None,
        }

    def _graph(self, body, image_url):
        request, entities = self.request, self.entities
        people = [jsonld.person(request, p) for p in entities.people]
        brands = [jsonld.organization(request, b) for b in entities.brands]
        products = [
            jsonld.product(request, p, brand=p.brand if _public_brand(p) else None)
            for p in entities.products
        ]
        campaigns = [jsonld.campaign(request, c) for c in entities.campaigns]
        article_node = jsonld.news_article(
            request,
            self.article,
            body_html=body,
            about=[*people, *products],
            mentions=[*brands, *campaigns],
            image=image_url,
            tags=self.tags,
        )
        nodes = (*people, *brands, *products, *campaigns)
        return page_graph(
            request, self.breadcrumbs(), article_node, *nodes, name=self.article.headline
        )

    def quotes(self):
        surrogate.add_objects(self.article)
        wordings = story_wordings(self.article)
        if not wordings:
            return ""
        return render_to_string(
            "newsroom/includes/_story_quotes.html", {"wordings": wordings}, self.request
        )

    def related(self):
        if self.preview:
            return ""
        # The list depends on what the story links (and whether readers may see it:
        # a bag hidden with its house is shared no more) and on its tags, not only
        # on the stories it shows: a newly published story sharing one joins it.
        entities = self.entities
        surrogate.add_keys(self.entity_keys)
        surrogate.add_objects(self.article, *self.tags)
        related = related_articles(self.article, entities, self.tags)
        if not related:
            return ""
        return render_to_string(
            "newsroom/includes/_story_related.html", {"related": related}, self.request
        )


def article_detail_context(request, article, *, preview=False, entities=None, structured_data=True):
    """Everything ``newsroom/article_detail.html`` needs for ``article``.

    ``preview`` marks a page shown to staff or to an outside reviewer before
    publication: it carries a banner, is never indexed and is computed afresh
    every time (nothing of it is kept). The share-link view uses this too, with
    the ``entities`` of the revision it shares and no ``structured_data``, so
    previews and the public page are one template.
    """
    parts = StoryParts(
        request, article, preview=preview, entities=entities, structured_data=structured_data
    )
    if preview:
        story, quotes, related = parts.story(), parts.quotes(), ""
    else:
        scope = surrogate.key_for(article)
        with fragments.load(request, scope, ("story", "quotes", "related")) as found:
            story = found.get("story", parts.story)
            quotes = found.get("quotes", parts.quotes)
            related = found.get("related", parts.related)
    return {
        "article": article,
        "story": story["html"],
        "body": story["body"],
        "quotes": quotes,
        "related": related,
        "is_preview": preview,
        "meta": story["meta"],
        "breadcrumbs": parts.breadcrumbs(),
        "jsonld": story["jsonld"],
    }


def _public_brand(obj):
    brand = getattr(obj, "brand", None)
    return brand is not None and brand.is_public


_published_story = PreparedQuery(
    lambda slug, now: Article.objects.published(now=now).filter(slug=slug),
    (
        {"slug": "\x00stand-in-1", "now": _STAND_INS[0]["now"]},
        {"slug": "\x00stand-in-2", "now": _STAND_INS[1]["now"]},
    ),
)


def published_story(slug, using="default"):
    """The published story at ``slug`` (one query, compiled once), or 404."""
    found = _published_story.instances(Article, using, slug=slug, now=timezone.now())
    if not found:
        raise Http404("No published story at this address.")
    return found[0]


def article_detail(request, slug):
    """A published story; staff who may edit articles also see unpublished ones here.

    Readers get 404 for a draft, a story in review or one scheduled for later.
    A preview carries a banner, ``noindex`` and never-cache headers.
    """
    if request.user.has_perm("newsroom.change_article"):
        article = get_object_or_404(Article, slug=slug)
    else:
        article = published_story(slug)
    preview = not article.is_published
    # Everything else it shows (links, tags, quotes, related stories) records itself.
    surrogate.add(request, surrogate.key_for(article))
    response = render(
        request,
        "newsroom/article_detail.html",
        article_detail_context(request, article, preview=preview),
    )
    if preview:
        add_never_cache_headers(response)
    return response
