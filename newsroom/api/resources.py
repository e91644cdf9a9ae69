"""The API's resources: what each collection lists, how it filters, what a detail loads.

One :class:`Resource` per registered kind (``entities.kinds()``), plus stories
and tags. Public rows come only from the public querysets:
``Article.objects.published()``, ``kind.public()`` (which applies the owner
rule) and ``public_tags()``; relations go through ``kind.public()`` or
``kind.public_q(prefix)`` both ways. Each detail runs a fixed number of
queries, one per relation, however many rows a relation has.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q

from catalog.models import Colorway
from newsroom import entities
from newsroom.models import (
    Affiliation,
    Ambassadorship,
    Article,
    Event,
    QuoteWording,
)
from newsroom.tags import public_tags
from newsroom.views.articles import article_entities, render_body
from newsroom.views.common import public_quotes, published_wordings
from newsroom.views.showcases import public_instalments, public_series

from . import serializers as s
from .params import parse_choice, parse_slug, parse_text, parse_year

STORIES_LIMIT = 30


@dataclass(frozen=True)
class Filter:
    """A query parameter of a collection: how to parse it and the condition it adds."""

    name: str
    description: str
    parse: object  # (name, text) -> value
    condition: object  # (value, now) -> Q
    choices: tuple = ()
    schema_type: str = "string"


def slug_filter(name, description, condition):
    return Filter(name, description, parse_slug, condition)


def year_filter(name, description, condition):
    return Filter(name, description, parse_year, condition, schema_type="integer")


def choice_filter(name, description, choices, condition):
    def parse(param, text):
        return parse_choice(param, text, choices)

    return Filter(name, description, parse, condition, choices=tuple(choices))


@dataclass
class Resource:
    key: str
    plural: str
    title: str
    item_serializer: type
    detail_serializer: type
    by_date: bool = False  # stories: newest first; everything else: by slug
    filters: list = field(default_factory=list)
    kind: entities.EntityKind | None = None

    def public(self, now):
        if self.key == "article":
            return Article.objects.published(now=now)
        if self.key == "tag":
            return public_tags(now=now)
        if self.key == "series":
            return public_series(now=now)
        return self.kind.public(now=now)

    def for_list(self, queryset, now):
        return LIST_SHAPES.get(self.key, lambda qs, now: qs)(queryset, now)

    def load_detail(self, obj, now):
        DETAIL_LOADERS.get(self.key, _load_generic)(self, obj, now)
        return obj

    def list_cache_key(self):
        return self.kind.list_cache_key if self.kind else f"{self.plural}-list"

    def cache_key(self, pk):
        return self.kind.cache_key(pk) if self.kind else f"{self.key}-{pk}"


# -- shared helpers ------------------------------------------------------------------


def _kind(key):
    return entities.get(key)


def _public(key, now):
    return _kind(key).public(now=now)


def _stories(obj_filter, now):
    return list(
        Article.objects.published(now=now).filter(**obj_filter).for_listing()[:STORIES_LIMIT]
    )


def _by_date(queryset):
    return queryset.order_by(F("date").desc(nulls_last=True), "name")


def _quotes(now, **filters):
    return list(
        public_quotes()
        .filter(**filters)
        .prefetch_related(Prefetch("wordings", queryset=published_wordings()))
    )


# -- list shapes: the joins a collection's items need ---------------------------------


def _products_list(qs, now):
    return qs.select_related("brand")


def _campaigns_list(qs, now):
    return qs.select_related("brand")


def _series_list(qs, now):
    return qs.select_related("brand")


def _events_list(qs, now):
    return qs.prefetch_related(
        Prefetch("brand", queryset=_public("brand", now), to_attr="api_brand")
    )


def _people_list(qs, now):
    return qs.prefetch_related("roles")


def _articles_list(qs, now):
    return qs.for_listing()


LIST_SHAPES = {
    "product": _products_list,
    "campaign": _campaigns_list,
    "series": _series_list,
    "event": _events_list,
    "person": _people_list,
    "article": _articles_list,
}


# -- detail loaders ------------------------------------------------------------------


def _load_person(resource, person, now):
    brand_public = _kind("brand").public_q("brand__", now=now)
    person.api_ambassadorships = list(
        Ambassadorship.objects.public(now=now)
        .filter(brand_public, person=person)
        .select_related("brand")
        .order_by(F("since_year").asc(nulls_last=True), "brand__name")
    )
    person.api_affiliations = list(
        Affiliation.objects.filter(brand_public, person=person)
        .select_related("brand")
        .order_by(F("since_year").asc(nulls_last=True), "brand__name")
    )
    campaigns = list(
        _by_date(
            _public("campaign", now)
            .filter(Q(people=person) | Q(photographer=person) | Q(series__photographer=person))
            .distinct()
            .select_related("brand")
            .annotate(
                appeared=Exists(
                    _kind("campaign").model.people.through.objects.filter(
                        campaign_id=OuterRef("pk"), person_id=person.pk
                    )
                )
            )
        )
    )
    person.api_campaigns = [c for c in campaigns if c.appeared]
    person.api_photographed = [c for c in campaigns if not c.appeared]
    person.api_events = list(_by_date(_public("event", now).filter(people=person)))
    person.api_quotes = _quotes(now, speaker_person=person)
    person.api_stories = _stories({"people": person}, now)


def _load_brand(resource, brand, now):
    person_public = _kind("person").public_q("person__", now=now)
    brand.api_products = list(_public("product", now).filter(brand=brand).order_by("name"))
    brand.api_campaigns = list(
        _by_date(_public("campaign", now).filter(brand=brand).select_related("brand"))
    )
    brand.api_ambassadorships = list(
        Ambassadorship.objects.public(now=now)
        .filter(person_public, brand=brand)
        .select_related("person")
        .order_by(F("since_year").asc(nulls_last=True), "person__name")
    )
    brand.api_affiliations = list(
        Affiliation.objects.filter(person_public, brand=brand)
        .select_related("person")
        .order_by(F("since_year").asc(nulls_last=True), "person__name")
    )
    brand.api_events = list(_by_date(_public("event", now).filter(brand=brand)))
    brand.api_stories = _stories({"brands": brand}, now)


def _load_product(resource, product, now):
    related = list(
        _public("product", now)
        .filter(Q(pk=product.variant_of_id) | Q(variant_of=product))
        .exclude(pk=product.pk)
        .order_by("name")
    )
    product.api_original = next((p for p in related if p.pk == product.variant_of_id), None)
    product.api_variants = [p for p in related if p.pk != product.variant_of_id]
    product.api_colorways = list(product.colorways.all())
    product.api_images = list(product.images.all())
    campaigns = list(
        _by_date(
            _public("campaign", now)
            .filter(products=product)
            .select_related("brand")
            .prefetch_related(Prefetch("people", queryset=_public("person", now)))
        )
    )
    carried = {}
    for campaign in campaigns:
        for person in campaign.people.all():
            carried.setdefault(person.pk, {"person": person, "campaigns": []})["campaigns"].append(
                campaign
            )
    product.api_campaigns = campaigns
    product.api_carried_by = list(carried.values())
    product.api_events = list(_by_date(_public("event", now).filter(products=product)))
    product.api_stories = _stories({"products": product}, now)


def _load_campaign(resource, campaign, now):
    photographer_id = campaign.photographer_id or (
        campaign.series.photographer_id if campaign.series else None
    )
    # One query whether or not there is a photographer: a fixed count per campaign.
    campaign.api_photographer = _public("person", now).filter(pk=photographer_id).first()
    campaign.api_people = list(_public("person", now).filter(campaigns=campaign).order_by("name"))
    campaign.api_products = list(
        _public("product", now).filter(campaigns=campaign).select_related("brand").order_by("name")
    )
    campaign.api_quotes = _quotes(now, campaign=campaign)
    campaign.api_stories = _stories({"campaigns": campaign}, now)


def _load_event(resource, event, now):
    event.api_brand = (
        _public("brand", now).filter(pk=event.brand_id).first() if event.brand_id else None
    )
    event.api_people = list(_public("person", now).filter(events=event).order_by("name"))
    event.api_products = list(
        _public("product", now).filter(events=event).select_related("brand").order_by("name")
    )
    event.api_stories = _stories({"events": event}, now)


def _load_series(resource, series, now):
    series.api_photographer = _public("person", now).filter(pk=series.photographer_id).first()
    instalments = list(
        public_instalments(now=now)
        .filter(series=series)
        .select_related("brand")
        .prefetch_related(Prefetch("people", queryset=_public("person", now).order_by("name")))
    )
    cast = {}
    for campaign in instalments:
        for person in campaign.people.all():
            entry = cast.setdefault(person.pk, {"person": person, "campaigns": [], "notes": []})
            entry["campaigns"].append(campaign)
    appearances = series.appearances.filter(
        _kind("person").public_q("person__", now=now)
    ).select_related("person")
    for appearance in appearances:
        entry = cast.setdefault(
            appearance.person.pk, {"person": appearance.person, "campaigns": [], "notes": []}
        )
        entry["notes"].append(appearance.note or "Instalment not known.")
    series.api_instalments = instalments
    series.api_cast = sorted(cast.values(), key=lambda e: e["person"].name.casefold())
    series.api_stories = _stories({"campaigns__in": [c.pk for c in instalments]}, now)


def _load_generic(resource, obj, now):
    obj.api_stories = _stories({resource.kind.article_field: obj}, now)


def _load_tag(resource, tag, now):
    tag.api_stories = _stories({"tags": tag}, now)


def _load_article(resource, article, now):
    found = article_entities(article, now=now)
    article.api_entities = found
    article.api_body = str(render_body(article.body, found.linkable))
    article.api_tags = list(article.tags.order_by("name"))
    article.api_wordings = list(
        QuoteWording.objects.filter(
            _kind("person").public_q("quote__speaker_person__", now=now),
            _kind("brand").public_q("quote__speaker_brand__", now=now),
            article=article,
        )
        .select_related("quote__speaker_person", "quote__speaker_brand")
        .order_by("pk")
    )


DETAIL_LOADERS = {
    "person": _load_person,
    "brand": _load_brand,
    "product": _load_product,
    "campaign": _load_campaign,
    "event": _load_event,
    "tag": _load_tag,
    "article": _load_article,
    "series": _load_series,
}


# -- filters ------------------------------------------------------------------------


def _linked_entity_filter(kind):
    """``?person=<slug>`` on stories: those linking that public person."""

    def condition(slug, now):
        prefix = f"{kind.article_field}__"
        return Q(**{f"{prefix}slug": slug}) & kind.public_q(prefix, now=now)

    return slug_filter(kind.key, f"Stories linking the {kind.label} with this slug.", condition)


def _article_filters():
    return [
        *(_linked_entity_filter(kind) for kind in entities.kinds()),
        slug_filter(
            "tag", "Stories carrying the tag with this slug.", lambda v, now: Q(tags__slug=v)
        ),
        slug_filter(
            "series",
            "Stories linking a campaign of the series with this slug.",
            lambda v, now: (
                Q(campaigns__series__slug=v) & _kind("campaign").public_q("campaigns__", now=now)
            ),
        ),
        year_filter(
            "year", "Stories published in this year.", lambda v, now: Q(published_at__year=v)
        ),
    ]


def _brand_filter(description, prefix="brand__"):
    # ``house``, as in the directories.
    return slug_filter(
        "house",
        description,
        lambda v, now: Q(**{f"{prefix}slug": v}) & _kind("brand").public_q(prefix, now=now),
    )


def _person_filters():
    brand_public = _kind("brand").public_q
    return [
        slug_filter(
            "role", "People known in this role (its slug).", lambda v, now: Q(roles__slug=v)
        ),
        slug_filter(
            "house",
            "People who are or were ambassadors of, or worked at, this house.",
            lambda v, now: (
                Q(
                    Exists(
                        Ambassadorship.objects.public(now=now).filter(
                            brand_public("brand__", now=now), person=OuterRef("pk"), brand__slug=v
                        )
                    )
                )
                | Q(
                    Exists(
                        Affiliation.objects.filter(
                            brand_public("brand__", now=now), person=OuterRef("pk"), brand__slug=v
                        )
                    )
                )
            ),
        ),
    ]


def _product_filters():
    model = _kind("product").model
    return [
        _brand_filter("Bags and pieces by this house."),
        choice_filter(
            "category",
            "Products of this category.",
            model.Category.values,
            lambda v, now: Q(category=v),
        ),
        year_filter(
            "year", "Products introduced in this year.", lambda v, now: Q(year_introduced=v)
        ),
        Filter(
            "colour",
            "Products made in the colourway of this name.",
            parse_text,
            lambda v, now: Q(Exists(Colorway.objects.filter(product=OuterRef("pk"), name=v))),
        ),
    ]


def _campaign_filters():
    return [
        _brand_filter("Campaigns by this house."),
        year_filter("year", "Campaigns of this year.", lambda v, now: Q(date__year=v)),
        slug_filter(
            "series", "Campaigns of the series with this slug.", lambda v, now: Q(series__slug=v)
        ),
    ]


def _event_filters():
    return [
        _brand_filter("Events of this house."),
        year_filter("year", "Events of this year.", lambda v, now: Q(date__year=v)),
        choice_filter("kind", "Events of this kind.", Event.Kind.values, lambda v, now: Q(kind=v)),
    ]


def _brand_filters():
    return [
        year_filter("founded", "Houses founded in this year.", lambda v, now: Q(founded_year=v)),
    ]


KIND_SHAPES = {
    "person": (s.PersonItem, s.PersonDetail, _person_filters),
    "brand": (s.BrandItem, s.BrandDetail, _brand_filters),
    "product": (s.ProductItem, s.ProductDetail, _product_filters),
    "campaign": (s.CampaignItem, s.CampaignDetail, _campaign_filters),
    "event": (s.EventItem, s.EventDetail, _event_filters),
}


def kind_resource(kind):
    if kind.key in KIND_SHAPES:
        item, detail, filters = KIND_SHAPES[kind.key]
        filters = filters()
    else:
        item, detail = s.generic_serializers(kind)
        filters = []
    return Resource(
        key=kind.key,
        plural=kind.plural,
        title=str(kind.label_plural).capitalize(),
        item_serializer=item,
        detail_serializer=detail,
        filters=filters,
        kind=kind,
    )


_resources = {}


def article_resource():
    return Resource(
        key="article",
        plural="articles",
        title="Stories",
        item_serializer=s.ArticleItem,
        detail_serializer=s.ArticleDetail,
        by_date=True,
        filters=_article_filters(),
    )


def tag_resource():
    return Resource(
        key="tag",
        plural="tags",
        title="Tags",
        item_serializer=s.TagItem,
        detail_serializer=s.TagDetail,
    )


def series_resource():
    return Resource(
        key="series",
        plural="series",
        title="Campaign series",
        item_serializer=s.SeriesItem,
        detail_serializer=s.SeriesDetail,
        filters=[_brand_filter("Series of this house.")],
    )


def resources():
    """Every resource, in the root's order: stories, each registered kind, series, tags."""
    kinds = entities.kinds()
    signature = tuple(k.key for k in kinds)
    if _resources.get("signature") != signature:
        _resources["signature"] = signature
        _resources["list"] = [
            article_resource(),
            *(kind_resource(k) for k in kinds),
            series_resource(),
            tag_resource(),
        ]
    return _resources["list"]


def by_plural(plural):
    for resource in resources():
        if resource.plural == plural:
            return resource
    raise KeyError(plural)
