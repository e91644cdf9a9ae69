"""Brand and product pages: catalog's rows, shown by the publication.

Campaigns, ambassadorships, events and stories are reached through the reverse
relations the newsroom's keys create (``brand.campaigns``, ``product.articles``).
Stories come from ``.published()``, people and campaigns from ``.public()``.
Each page runs a fixed number of queries.
"""

from django.db.models import Exists, F, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from catalog.images import rights_ended
from catalog.models import Brand, Product, public_q

from .. import jsonld, surrogate
from ..models import Article, Person, QuoteWording
from ..seo import home_crumb, page_graph, page_meta
from ..templatetags.reader_tags import http_url
from ..timeline import shared_entries, sort_timeline, timeline_entry

STORIES_LIMIT = 30


def _public_quotes(quotes, *, now):
    """The quotes of ``quotes`` (a reverse manager) readers may see, with their reports.

    A quote is public when a published story reports it and its speaker is not
    under embargo; each keeps the wordings of the published stories that report it.
    """
    published = Article.objects.published(now=now).filter(pk=OuterRef("article_id"))
    wordings = QuoteWording.objects.filter(Exists(published)).select_related("article")
    return list(
        quotes.filter(
            public_q("speaker_person__", now=now),
            public_q("speaker_brand__", now=now),
            Exists(wordings.filter(quote=OuterRef("pk"))),
        )
        .select_related("speaker_person", "speaker_brand")
        .prefetch_related(Prefetch("wordings", queryset=wordings))
    )


def brand_detail(request, slug):
    now = timezone.now()
    brand = get_object_or_404(Brand.objects.public(now=now), slug=slug)
    products = list(
        brand.products.public(now=now)
        .select_related("brand")
        .prefetch_related("images")
        .order_by("name")
    )
    campaigns = list(
        brand.campaigns.public(now=now).order_by(F("date").desc(nulls_last=True), "name")
    )
    ambassadorships = list(
        brand.ambassadorships.public(now=now)
        .filter(public_q("person__", now=now))
        .select_related("person")
        .order_by(F("since_year").asc(nulls_last=True), "person__name")
    )
    affiliations = list(
        brand.affiliations.filter(public_q("person__", now=now))
        .select_related("person")
        .order_by(F("since_year").asc(nulls_last=True), "person__name")
    )
    events = list(brand.events.public(now=now).order_by(F("date").desc(nulls_last=True)))
    quotes = _public_quotes(brand.quotes, now=now)  # what the house said
    articles = list(brand.articles.published().for_listing()[:STORIES_LIMIT])

    timeline = sort_timeline(
        [
            timeline_entry("Founded", f"{brand.name} is founded", year=brand.founded_year),
            *(
                timeline_entry(
                    "Ambassador",
                    f"{a.person.name} becomes an ambassador",
                    year=a.since_year,
                    url=a.person.get_absolute_url(),
                )
                for a in ambassadorships
            ),
            *(
                timeline_entry(
                    a.get_role_display(),
                    f"{a.person.name}, {a.get_role_display().lower()}",
                    year=a.since_year,
                    url=a.person.get_absolute_url(),
                )
                for a in affiliations
            ),
            *(
                timeline_entry(
                    "Product",
                    f"The {p.name} is introduced",
                    year=p.year_introduced,
                    url=p.get_absolute_url(),
                )
                for p in products
            ),
            *shared_entries(campaigns=campaigns, events=events, articles=articles),
        ]
    )

    path = brand.get_absolute_url()
    crumbs = [home_crumb(), (brand.name, path)]
    node = jsonld.organization(request, brand, description=brand.description)
    if brand.founded_year:
        node["foundingDate"] = str(brand.founded_year)
    if http_url(brand.website):
        node["sameAs"] = [http_url(brand.website)]
    people_nodes = {}
    for a in [*ambassadorships, *affiliations]:
        people_nodes.setdefault(a.person.pk, jsonld.person(request, a.person))
    product_nodes = [jsonld.product(request, p, brand=brand) for p in products]
    context = {
        "brand": brand,
        "products": products,
        "campaigns": campaigns,
        "ambassadorships": ambassadorships,
        "affiliations": affiliations,
        "events": events,
        "quotes": quotes,
        "articles": articles,
        "timeline": timeline,
        "meta": page_meta(
            request,
            title=brand.name,
            description=brand.description
            or f"{brand.name}: its handbags, campaigns, ambassadors, creative direction "
            "and the stories about it.",
            path=path,
            image=request.build_absolute_uri(brand.logo.url) if brand.logo else "",
            image_alt=brand.logo_alt,
        ),
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs, *people_nodes.values(), *product_nodes, about=node),
    }
    surrogate.add(request, surrogate.key_for(brand))
    return render(request, "newsroom/brand_detail.html", context)


def product_detail(request, slug):
    now = timezone.now()
    product = get_object_or_404(
        Product.objects.public(now=now)
        .filter(public_q("brand__", now=now))
        .select_related("brand", "variant_of"),
        slug=slug,
    )
    original = product.variant_of if product.variant_of and product.variant_of.is_public else None
    colorways = list(product.colorways.all())
    images = list(product.images.all())
    variants = list(product.variants.public(now=now).order_by("name"))
    campaigns = list(
        product.campaigns.public(now=now)
        .filter(public_q("brand__", now=now))
        .select_related("brand")
        .prefetch_related(Prefetch("people", queryset=Person.objects.public(now=now)))
        .order_by(F("date").desc(nulls_last=True), "name")
    )
    carried_by = {}
    for campaign in campaigns:
        for person in campaign.people.all():
            carried_by.setdefault(person.pk, (person, []))[1].append(campaign)
    events = list(product.events.public(now=now).order_by(F("date").desc(nulls_last=True)))
    quotes = _public_quotes(product.quotes_about, now=now)  # what was said about the bag
    articles = list(product.articles.published().for_listing()[:STORIES_LIMIT])

    path = product.get_absolute_url()
    crumbs = [home_crumb(), (product.brand.name, product.brand.get_absolute_url())]
    if original is not None:
        crumbs.append((original.name, original.get_absolute_url()))
    crumbs.append((product.name, path))
    brand_node = jsonld.organization(request, product.brand)
    shown = [image for image in images if not rights_ended(image.image)]
    image_url = shown[0].image.url if shown else ""
    if colorways or variants:
        node, variant_nodes = jsonld.product_group(
            request,
            product,
            brand=product.brand,
            colorways=colorways,
            variants=variants,
            description=product.description,
            image=image_url,
        )
    else:
        node = jsonld.product(
            request, product, brand=product.brand, description=product.description, image=image_url
        )
        variant_nodes = []
    if original is not None:
        node["isVariantOf"] = {"@id": jsonld.node_id(request, original, "product")}
    if product.material_list:
        node["material"] = product.material_list
    for variant in variant_nodes:
        if product.material_list:
            variant["material"] = product.material_list
    people = [person for person, _ in carried_by.values()]
    context = {
        "product": product,
        "original": original,
        "colorways": colorways,
        "images": images,
        "variants": variants,
        "campaigns": campaigns,
        "carried_by": list(carried_by.values()),
        "events": events,
        "quotes": quotes,
        "articles": articles,
        "meta": page_meta(
            request,
            title=f"{product.name} by {product.brand.name}",
            description=product.description
            or f"The {product.name} by {product.brand.name}: colourways, materials, "
            "the campaigns it starred in and who carried it.",
            path=path,
            image=request.build_absolute_uri(image_url) if image_url else "",
            image_alt=images[0].alt_text if images else "",
        ),
        "breadcrumbs": crumbs,
        "jsonld": page_graph(
            request,
            crumbs,
            brand_node,
            *variant_nodes,
            *(jsonld.person(request, p) for p in people),
            about=node,
        ),
    }
    surrogate.add(request, surrogate.key_for(product))
    return render(request, "newsroom/product_detail.html", context)
