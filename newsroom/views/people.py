"""A person's page: their houses, campaigns, quotes, stories and timeline."""

from django.db.models import (
    F,
    Prefetch,
    Q,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from catalog.models import Product, public_q

from .. import jsonld, surrogate
from ..models import (
    Campaign,
    Person,
)
from ..seo import home_crumb, page_graph, page_meta
from ..timeline import shared_entries, sort_timeline, timeline_entry
from .common import STORIES_LIMIT, first_report_url, public_quotes, published_wordings

# --- Person ----------------------------------------------------------------------------------


def person_detail(request, slug):
    now = timezone.now()
    person = get_object_or_404(Person.objects.public(now=now).prefetch_related("roles"), slug=slug)
    surrogate.add(request, surrogate.key_for(person))
    ambassadorships = list(
        person.ambassadorships.public(now=now)
        .filter(public_q("brand__", now=now))
        .select_related("brand")
        .order_by(F("since_year").asc(nulls_last=True), "brand__name")
    )
    affiliations = list(
        person.affiliations.filter(public_q("brand__", now=now))
        .select_related("brand")
        .order_by(F("since_year").asc(nulls_last=True), "brand__name")
    )
    campaigns = list(
        Campaign.objects.public(now=now)
        .filter(Q(people=person) | Q(photographer=person) | Q(series__photographer=person))
        .filter(public_q("brand__", now=now))
        .distinct()
        .select_related("brand", "photographer")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.public(now=now).only("pk")),
            Prefetch(
                "products",
                queryset=Product.objects.public(now=now)
                .filter(public_q("brand__", now=now))
                .select_related("brand"),
            ),
        )
    )
    appeared_in = [c for c in campaigns if any(p.pk == person.pk for p in c.people.all())]
    photographed = [c for c in campaigns if c not in appeared_in]
    carried = {}
    for campaign in appeared_in:
        for product in campaign.products.all():
            carried.setdefault(product.pk, (product, []))[1].append(campaign)
    quotes = list(
        public_quotes()
        .filter(speaker_person=person)
        .prefetch_related(Prefetch("wordings", queryset=published_wordings()))
    )
    events = list(person.events.public(now=now).select_related("brand"))
    articles = list(person.articles.published().for_listing()[:STORIES_LIMIT])

    timeline = sort_timeline(
        [
            *(
                timeline_entry(
                    "Ambassador",
                    f"Becomes an ambassador of {a.brand.name}",
                    year=a.since_year,
                    url=a.brand.get_absolute_url(),
                )
                for a in ambassadorships
            ),
            *(
                timeline_entry(
                    a.get_role_display(),
                    f"{a.get_role_display()} at {a.brand.name}",
                    year=a.since_year,
                    url=a.brand.get_absolute_url(),
                )
                for a in affiliations
            ),
            *(
                timeline_entry(
                    "Quote",
                    Truncator(q.text).words(12),
                    on=q.said_on,
                    precision=q.said_on_precision,
                    url=first_report_url(q),
                )
                for q in quotes
            ),
            *shared_entries(campaigns=campaigns, events=events, articles=articles),
        ]
    )
    path = person.get_absolute_url()
    crumbs = [home_crumb(), (person.name, path)]
    feed_url = request.build_absolute_uri(
        reverse("newsroom:person-feed", kwargs={"slug": person.slug})
    )
    roles = list(person.roles.all())
    role_names = ", ".join(r.name for r in roles)
    node = jsonld.person(request, person, description=person.bio)
    if roles:
        node["jobTitle"] = [r.name for r in roles]
    brands = {a.brand.pk: a.brand for a in [*ambassadorships, *affiliations]}
    brand_nodes = [jsonld.organization(request, b) for b in brands.values()]
    if brand_nodes:
        node["affiliation"] = [jsonld.ref(n) for n in brand_nodes]
    context = {
        "person": person,
        "roles": roles,
        "ambassadorships": ambassadorships,
        "affiliations": affiliations,
        "appeared_in": appeared_in,
        "photographed": photographed,
        "carried": list(carried.values()),
        "quotes": quotes,
        "events": events,
        "articles": articles,
        "timeline": timeline,
        "meta": page_meta(
            request,
            title=person.name,
            description=person.bio
            or f"{person.name}{', ' + role_names if role_names else ''}: campaigns, "
            "ambassadorships, quotes and stories.",
            path=path,
            og_type="profile",
            feeds=[(f"Stories about {person.name}", feed_url)],
        ),
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs, *brand_nodes, kind="ProfilePage", about=node),
    }
    return render(request, "newsroom/person_detail.html", context)
