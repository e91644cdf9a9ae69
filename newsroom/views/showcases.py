"""Series and event pages: a run of campaigns, and a show, gala or presentation.

A series is public while at least one of its instalments is (a public campaign
of a public house); its page lists those instalments in order and everyone it
photographed, including people known to have appeared in it when the instalment
is not known (:class:`~newsroom.models.SeriesAppearance`). An event page opens
when the event is public; its house is named only while the house is public.
Each page runs a fixed number of queries.
"""

from django.db.models import Exists, F, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from catalog.models import Product, public_q

from .. import dates, entities, jsonld, surrogate
from ..models import Article, Campaign, CampaignSeries, Person
from ..seo import home_crumb, page_graph, page_meta
from .common import public_quotes, published_wordings

STORIES_LIMIT = 30


def public_instalments(*, now=None):
    """Campaigns readers may see, in series order (the known order, then date, then name)."""
    return (
        entities.get("campaign")
        .public(now=now)
        .order_by(F("series_position").asc(nulls_last=True), F("date").asc(nulls_last=True), "name")
    )


def public_series(*, now=None):
    """Series with at least one instalment readers may see."""
    instalments = public_instalments(now=now).filter(series=OuterRef("pk"))
    return CampaignSeries.objects.filter(Exists(instalments), public_q("brand__", now=now))


@require_safe
def series_detail(request, slug):
    now = timezone.now()
    series = get_object_or_404(
        public_series(now=now).select_related("brand", "photographer"), slug=slug
    )
    # Every row shown records its key; a new instalment names its series on save.
    surrogate.add(request, surrogate.key_for(series))
    instalments = list(
        public_instalments(now=now)
        .filter(series=series)
        .select_related("photographer")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.public(now=now).order_by("name")),
            Prefetch(
                "products",
                queryset=Product.objects.public(now=now)
                .filter(public_q("brand__", now=now))
                .order_by("name"),
            ),
        )
    )
    appearances = list(
        series.appearances.filter(public_q("person__", now=now))
        .select_related("person")
        .order_by("person__name")
    )
    # Everyone it photographed: in a known instalment, or in one the sources do not name.
    cast = {}
    for campaign in instalments:
        for person in campaign.people.all():
            cast.setdefault(person.pk, {"person": person, "campaigns": [], "notes": []})
            cast[person.pk]["campaigns"].append(campaign)
    for appearance in appearances:
        entry = cast.setdefault(
            appearance.person.pk, {"person": appearance.person, "campaigns": [], "notes": []}
        )
        entry["notes"].append(appearance.note or "Instalment not known.")
    cast = sorted(cast.values(), key=lambda e: e["person"].name.casefold())
    photographer = (
        series.photographer if series.photographer and series.photographer.is_public else None
    )
    # The (few) stories linking an instalment, by key: an EXISTS per article walked
    # the whole archive newest first when only old stories matched.
    linking = Campaign.articles.through.objects.filter(campaign__in=[c.pk for c in instalments])
    articles = (
        list(
            Article.objects.published(now=now)
            .filter(pk__in=linking.values("article_id"))
            .for_listing()[:STORIES_LIMIT]
        )
        if instalments
        else []
    )

    path = series.get_absolute_url()
    crumbs = [
        home_crumb(),
        (entities.get("campaign").title, entities.get("campaign").list_url),
        (series.name, path),
    ]
    url = request.build_absolute_uri(path)
    brand_node = jsonld.organization(request, series.brand)
    people_nodes = [jsonld.person(request, e["person"]) for e in cast]
    node = {
        "@type": "CreativeWorkSeries",
        "@id": f"{url}#series",
        "name": series.name,
        "url": url,
        "producer": jsonld.ref(brand_node),
        "hasPart": [jsonld.ref(jsonld.campaign(request, c)) for c in instalments],
    }
    if series.description:
        node["description"] = series.description
    if people_nodes:
        node["about"] = [jsonld.ref(n) for n in people_nodes]
    extra = []
    if photographer is not None:
        photographer_node = jsonld.person(request, photographer)
        node["creator"] = jsonld.ref(photographer_node)
        extra.append(photographer_node)
    context = {
        "series": series,
        "instalments": instalments,
        "cast": cast,
        "photographer": photographer,
        "articles": articles,
        "meta": page_meta(
            request,
            title=f"{series.name}, a {series.brand.name} campaign series",
            description=series.description
            or f"{series.name} by {series.brand.name}: its campaigns in order and everyone "
            "it photographed.",
            path=path,
        ),
        "breadcrumbs": crumbs,
        "jsonld": page_graph(
            request,
            crumbs,
            brand_node,
            *people_nodes,
            *(jsonld.campaign(request, c) for c in instalments),
            *extra,
            about=node,
        ),
    }
    return render(request, "newsroom/series_detail.html", context)


@require_safe
def event_detail(request, slug):
    now = timezone.now()
    event = get_object_or_404(
        entities.get("event").public(now=now).select_related("brand"), slug=slug
    )
    surrogate.add(request, surrogate.key_for(event))
    brand = event.brand if event.brand is not None and event.brand.is_public else None
    products = list(
        event.products.public(now=now)
        .filter(public_q("brand__", now=now))
        .select_related("brand")
        .prefetch_related("images")
        .order_by("name")
    )
    people = list(event.people.public(now=now).order_by("name"))
    quotes = list(
        public_quotes()
        .filter(about_events=event)
        .prefetch_related(Prefetch("wordings", queryset=published_wordings()))
    )
    # Where the bags shown here went next: their campaigns, and so their series.
    campaigns = (
        list(
            public_instalments(now=now)
            .filter(
                Exists(
                    Campaign.products.through.objects.filter(
                        campaign=OuterRef("pk"), product__in=[p.pk for p in products]
                    )
                )
            )
            .select_related("series")
        )
        if products
        else []
    )
    articles = list(event.articles.published(now=now).for_listing()[:STORIES_LIMIT])

    path = event.get_absolute_url()
    crumbs = [
        home_crumb(),
        (entities.get("event").title, entities.get("event").list_url),
        (event.name, path),
    ]
    url = request.build_absolute_uri(path)
    node = {
        "@type": "Event",
        "@id": f"{url}#event",
        "name": event.name,
        "url": url,
    }
    if event.description:
        node["description"] = event.description
    if event.date:
        node["startDate"] = dates.iso(event.date, event.date_precision)
    if event.location:
        node["location"] = {"@type": "Place", "name": event.location}
    nodes = []
    if brand is not None:
        brand_node = jsonld.organization(request, brand)
        node["organizer"] = jsonld.ref(brand_node)
        nodes.append(brand_node)
    people_nodes = [jsonld.person(request, p) for p in people]
    product_nodes = [jsonld.product(request, p, brand=p.brand) for p in products]
    if people_nodes:
        node["attendee"] = [jsonld.ref(n) for n in people_nodes]
    if product_nodes:
        node["workFeatured"] = [jsonld.ref(n) for n in product_nodes]
    context = {
        "event": event,
        "brand": brand,
        "products": products,
        "people": people,
        "quotes": quotes,
        "campaigns": campaigns,
        "articles": articles,
        "meta": page_meta(
            request,
            title=event.name,
            description=event.description
            or f"{event.name}: what was shown, who appeared and the stories about it.",
            path=path,
        ),
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs, *nodes, *people_nodes, *product_nodes, about=node),
    }
    return render(request, "newsroom/event_detail.html", context)
