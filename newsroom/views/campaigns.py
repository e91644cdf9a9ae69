"""A campaign's page: its house, bags, people, photographer, quotes and stories."""

from django.db.models import (
    F,
    Prefetch,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from catalog.images import rights_ended
from catalog.models import public_q

from .. import jsonld, surrogate
from ..models import (
    Campaign,
)
from ..seo import home_crumb, page_graph, page_meta
from .common import STORIES_LIMIT, public_quotes, published_wordings

# --- Campaign --------------------------------------------------------------------------------


def campaign_detail(request, slug):
    now = timezone.now()
    campaign = get_object_or_404(
        Campaign.objects.public(now=now)
        .filter(public_q("brand__", now=now))
        .select_related("brand", "series", "photographer"),
        slug=slug,
    )
    surrogate.add(request, surrogate.key_for(campaign))
    series_campaigns = []
    if campaign.series_id:
        series_campaigns = list(
            Campaign.objects.public(now=now)
            .filter(public_q("brand__", now=now), series_id=campaign.series_id)
            .exclude(pk=campaign.pk)
            .order_by(F("date").desc(nulls_last=True), "name")
        )
    photographer = campaign.photographer or (campaign.series and campaign.series.photographer)
    if photographer is not None and not photographer.is_public:
        photographer = None
    people = list(campaign.people.public(now=now))
    products = list(
        campaign.products.public(now=now)
        .filter(public_q("brand__", now=now))
        .select_related("brand")
        .prefetch_related("images")
    )
    quotes = list(
        public_quotes()
        .filter(campaign=campaign)
        .prefetch_related(Prefetch("wordings", queryset=published_wordings()))
    )
    articles = list(campaign.articles.published().for_listing()[:STORIES_LIMIT])
    path = campaign.get_absolute_url()
    crumbs = [
        home_crumb(),
        (campaign.brand.name, campaign.brand.get_absolute_url()),
        (campaign.name, path),
    ]
    node = jsonld.campaign(request, campaign)
    brand_node = jsonld.organization(request, campaign.brand)
    node["producer"] = jsonld.ref(brand_node)
    people_nodes = [jsonld.person(request, p) for p in people]
    product_nodes = [jsonld.product(request, p, brand=p.brand) for p in products]
    if people_nodes or product_nodes:
        node["about"] = [jsonld.ref(n) for n in [*people_nodes, *product_nodes]]
    extra = []
    if photographer is not None:
        photographer_node = jsonld.person(request, photographer)
        node["creator"] = jsonld.ref(photographer_node)
        extra.append(photographer_node)
    if campaign.date:
        node["dateCreated"] = campaign.date.isoformat()
    lead_image = next(
        (i for p in products for i in p.images.all() if not rights_ended(i.image)), None
    )
    context = {
        "campaign": campaign,
        "series_campaigns": series_campaigns,
        "photographer": photographer,
        "people": people,
        "products": products,
        "quotes": quotes,
        "articles": articles,
        "meta": page_meta(
            request,
            title=f"{campaign.name}, {campaign.brand.name}",
            description=campaign.description
            or f"The {campaign.name} campaign by {campaign.brand.name}: who appears in it, "
            "the handbags it features and the stories about it.",
            path=path,
            image=request.build_absolute_uri(lead_image.image.url) if lead_image else "",
            image_alt=lead_image.alt_text if lead_image else "",
        ),
        "breadcrumbs": crumbs,
        "jsonld": page_graph(
            request, crumbs, brand_node, *people_nodes, *product_nodes, *extra, about=node
        ),
    }
    return render(request, "newsroom/campaign_detail.html", context)
