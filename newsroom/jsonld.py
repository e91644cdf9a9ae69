"""Structured data (schema.org JSON-LD) for the public pages.

Every page describes itself as one ``@graph``. Each node's ``@id`` is the
absolute URL of our own page for that thing plus a fragment naming the kind
of node (``/people/kim-kardashian/#person``), so that the same person, brand
or product is one node across the whole site, and search engines can join an
article's ``about``/``mentions`` to the pages that describe them.

The dictionaries built here are rendered by the ``jsonld`` template tag,
which escapes ``<``, ``>`` and ``&`` so that editor text cannot close the
script element.
"""

from django.conf import settings
from django.utils.html import strip_tags

from . import paths


def absolute(request, path):
    return request.build_absolute_uri(path)


def node_id(request, obj, kind):
    return f"{absolute(request, obj.get_absolute_url())}#{kind}"


def ref(node):
    """A reference to ``node`` by its ``@id``."""
    return {"@id": node["@id"]}


def website(request):
    home = absolute(request, paths.path("newsroom:home"))
    search = absolute(request, paths.path("newsroom:search"))
    return {
        "@type": "WebSite",
        "@id": f"{home}#website",
        "url": home,
        "name": settings.SITE_NAME,
        "publisher": {"@id": f"{home}#publisher"},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }


def publisher(request):
    home = absolute(request, paths.path("newsroom:home"))
    return {
        "@type": "NewsMediaOrganization",
        "@id": f"{home}#publisher",
        "name": settings.SITE_NAME,
        "url": home,
    }


def _with_aliases(node, obj):
    aliases = [name for name in obj.all_names[1:] if name]
    if aliases:
        node["alternateName"] = aliases
    return node


def person(request, obj, *, description=""):
    node = {
        "@type": "Person",
        "@id": node_id(request, obj, "person"),
        "name": obj.name,
        "url": absolute(request, obj.get_absolute_url()),
    }
    if description:
        node["description"] = description
    return _with_aliases(node, obj)


def organization(request, obj, *, description=""):
    node = {
        "@type": "Organization",
        "@id": node_id(request, obj, "organization"),
        "name": obj.name,
        "url": absolute(request, obj.get_absolute_url()),
    }
    if description:
        node["description"] = description
    return _with_aliases(node, obj)


def product(request, obj, *, brand=None, description="", image=None):
    node = {
        "@type": "Product",
        "@id": node_id(request, obj, "product"),
        "name": obj.name,
        "url": absolute(request, obj.get_absolute_url()),
    }
    if brand is not None:
        node["brand"] = {"@id": node_id(request, brand, "organization")}
    if description:
        node["description"] = description
    if image:
        node["image"] = absolute(request, image)
    return _with_aliases(node, obj)


def product_group(
    request, obj, *, brand=None, colorways=(), variants=(), description="", image=None
):
    """A bag with colourways or iterations: a ProductGroup whose variants are Products.

    Colourways have no page of their own; their nodes live under the bag's page
    (``#colorway-black``). Iterations (the Hobo of a bag) have their own pages.
    """
    node = product(request, obj, brand=brand, description=description, image=image)
    node["@type"] = "ProductGroup"
    node["productGroupID"] = obj.slug
    url = absolute(request, obj.get_absolute_url())
    has_variant = []
    extra_nodes = []
    for colorway in colorways:
        variant_node = {
            "@type": "Product",
            "@id": f"{url}#colorway-{colorway.pk}",
            "name": f"{obj.name}, {colorway.name}",
            "color": colorway.name,
            "isVariantOf": ref(node),
        }
        if brand is not None:
            variant_node["brand"] = {"@id": node_id(request, brand, "organization")}
        has_variant.append(ref(variant_node))
        extra_nodes.append(variant_node)
    for variant in variants:
        has_variant.append({"@id": node_id(request, variant, "product")})
    if colorways:
        node["variesBy"] = ["https://schema.org/color"]
    if has_variant:
        node["hasVariant"] = has_variant
    return node, extra_nodes


def campaign(request, obj):
    return {
        "@type": "CreativeWork",
        "@id": node_id(request, obj, "campaign"),
        "name": obj.name,
        "url": absolute(request, obj.get_absolute_url()),
    }


def breadcrumbs(request, crumbs):
    """A BreadcrumbList from ``crumbs``: (name, path) pairs, the page itself last."""
    current = absolute(request, crumbs[-1][1])
    return {
        "@type": "BreadcrumbList",
        "@id": f"{current}#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute(request, path)}
            for i, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def web_page(request, path, *, name, kind="WebPage", about=None, breadcrumb=None):
    url = absolute(request, path)
    node = {
        "@type": kind,
        "@id": f"{url}#webpage",
        "url": url,
        "name": name,
        "isPartOf": {"@id": f"{absolute(request, paths.path('newsroom:home'))}#website"},
    }
    if about is not None:
        node["mainEntity"] = ref(about)
    if breadcrumb is not None:
        node["breadcrumb"] = ref(breadcrumb)
    return node


def news_article(request, article, *, body_html="", about=(), mentions=(), image=None, tags=()):
    """The NewsArticle node; ``body_html`` is the sanitised body as rendered."""
    url = absolute(request, article.get_absolute_url())
    node = {
        "@type": "NewsArticle",
        "@id": f"{url}#article",
        "url": url,
        "mainEntityOfPage": {"@id": f"{url}#webpage"},
        "headline": article.headline[:110],
        "description": article.dek,
        "articleBody": " ".join(strip_tags(body_html).split()),
        "publisher": {"@id": f"{absolute(request, paths.path('newsroom:home'))}#publisher"},
        "isAccessibleForFree": True,
    }
    if article.published_at:
        node["datePublished"] = article.published_at.isoformat()
    if article.updated_at:
        node["dateModified"] = article.updated_at.isoformat()
    if image:
        node["image"] = absolute(request, image)
    if about:
        node["about"] = [ref(n) for n in about]
    if mentions:
        node["mentions"] = [ref(n) for n in mentions]
    if tags:
        node["keywords"] = [tag.name for tag in tags]
    return node


def graph(*nodes):
    """One ``@graph`` of ``nodes`` (None skipped, later duplicates of an ``@id`` dropped)."""
    seen = set()
    unique = []
    for node in nodes:
        if not node or node["@id"] in seen:
            continue
        seen.add(node["@id"])
        unique.append(node)
    return {"@context": "https://schema.org", "@graph": unique}
