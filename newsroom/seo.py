"""What the head of every public page says: title, description, canonical URL,
sharing tags, feeds, breadcrumbs and the JSON-LD graph.

Used by the views of both apps; it only knows URL names, not models.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.text import Truncator

from . import jsonld, paths

DESCRIPTION_LENGTH = 160


def describe(text, fallback=""):
    """A meta description: plain text on one line, at most 160 characters."""
    text = " ".join((text or fallback or "").split())
    return Truncator(text).chars(DESCRIPTION_LENGTH)


@dataclass
class PageMeta:
    title: str
    description: str
    canonical: str
    og_type: str = "website"
    image: str = ""
    image_alt: str = ""
    noindex: bool = False
    feeds: list = field(default_factory=list)
    site_name: str = field(default_factory=lambda: settings.SITE_NAME)


def page_meta(request, *, title, description, path=None, feeds=(), **kwargs):
    """The :class:`PageMeta` of a page; ``title`` is the page's own part of the title."""
    path = path if path is not None else request.path
    site_feed = request.build_absolute_uri(paths.path("newsroom:article-feed"))
    return PageMeta(
        title=f"{title} · {settings.SITE_NAME}" if title else settings.SITE_NAME,
        description=describe(description),
        canonical=request.build_absolute_uri(path),
        feeds=[("All stories", site_feed), *feeds],
        **kwargs,
    )


def home_crumb():
    return ("Home", paths.path("newsroom:home"))


def page_graph(request, crumbs, *nodes, kind="WebPage", about=None, name=None):
    """The page's JSON-LD: the site, the page, its breadcrumbs, its subject and ``nodes``.

    ``crumbs`` are (name, path) pairs from the home page to this page.
    """
    breadcrumb = jsonld.breadcrumbs(request, crumbs)
    page = jsonld.web_page(
        request,
        crumbs[-1][1],
        name=name or crumbs[-1][0],
        kind=kind,
        about=about,
        breadcrumb=breadcrumb,
    )
    return jsonld.graph(
        jsonld.website(request), jsonld.publisher(request), page, breadcrumb, about, *nodes
    )
