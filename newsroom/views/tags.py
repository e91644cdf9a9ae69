"""A tag's page: the published stories that carry it."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from taggit.models import Tag

from .. import surrogate
from ..models import (
    Article,
)
from ..seo import home_crumb, page_graph, page_meta
from .common import cursor_page, page_path


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    surrogate.add(request, surrogate.key_for(tag))
    page = cursor_page(request, Article.objects.published().filter(tags=tag).for_listing())
    if not page.items:
        # A tag only drafts carry is not public yet; a page past the end does not exist.
        raise Http404("No published stories carry this tag.")
    crumbs = [
        home_crumb(),
        ("Stories", reverse("newsroom:article-list")),
        (tag.name, reverse("newsroom:tag-detail", kwargs={"slug": tag.slug})),
    ]
    feed_url = request.build_absolute_uri(reverse("newsroom:tag-feed", kwargs={"slug": tag.slug}))
    meta = page_meta(
        request,
        title=f"Stories tagged {tag.name}",
        description=f"Stories about {tag.name}, newest first.",
        path=page_path(request),
        feeds=[(f"Stories tagged {tag.name}", feed_url)],
    )
    context = {
        "tag": tag,
        "page": page,
        "meta": meta,
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs, kind="CollectionPage"),
    }
    return render(request, "newsroom/tag_detail.html", context)
