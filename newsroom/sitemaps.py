"""The sitemap: an index of paginated sections, public pages only.

Articles come from ``Article.objects.published()``; people, brands, products
and campaigns from ``.public()`` (embargoes); tags only when a published
article carries them. Each section is split into pages of ``limit`` URLs, and
``/sitemap.xml`` is the index of those pages.
"""

from collections.abc import Mapping
from functools import cache

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from . import entities, surrogate
from .entities import kinds, with_pages
from .models import Article
from .tags import public_tags
from .views.showcases import public_series

PAGE_LIMIT = 5000


def _to_the_second(moment):
    # Sitemaps say when a page changed, not the microsecond a row was saved.
    return moment.replace(microsecond=0) if moment else None


class _ChangedAtSitemap(Sitemap):
    """Pages whose rows carry ``updated_at``: each URL and the section say when they changed."""

    def lastmod(self, item):
        return _to_the_second(item.updated_at)

    def get_latest_lastmod(self):
        # Django's default loads every item to take the max: 2 s at 100,000 articles.
        return _to_the_second(self.items().aggregate(latest=Max("updated_at"))["latest"])


class ArticleSitemap(_ChangedAtSitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = PAGE_LIMIT

    def items(self):
        surrogate.add(None, surrogate.SITEMAP, surrogate.ARTICLE_LIST)
        return Article.objects.published().only("slug", "updated_at").order_by("-pk")


class _PublicSitemap(_ChangedAtSitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = PAGE_LIMIT
    model = None

    def queryset(self):
        return self.model.objects.public()

    def items(self):
        surrogate.add(None, surrogate.SITEMAP, entities.for_model(self.model).list_cache_key)
        return self.queryset().only("slug", "updated_at").order_by("pk")


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4
    limit = PAGE_LIMIT

    def items(self):
        surrogate.add(None, surrogate.SITEMAP, surrogate.TAGS_LIST)
        return public_tags().only("slug").order_by("pk")

    def location(self, item):
        return reverse("newsroom:tag-detail", kwargs={"slug": item.slug})


class DirectorySitemap(Sitemap):
    """The directories: one per kind in the registry that has one, and the tags."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        names = [kind.list_url_name for kind in kinds() if kind.list_url_name]
        return [*names, "newsroom:tag-list"]

    def location(self, item):
        return reverse(item)


class SeriesSitemap(Sitemap):
    """Campaign series with at least one public instalment."""

    changefreq = "weekly"
    priority = 0.5
    limit = PAGE_LIMIT

    def items(self):
        return public_series().only("slug").order_by("pk")


@cache  # one class per kind: the URLconf compares this mapping with itself when reversing
def _kind_sitemap(kind):
    """The section of a kind readers can reach: its public rows (``kind.public()``)."""
    return type(
        f"{kind.model.__name__}Sitemap",
        (_PublicSitemap,),
        {
            "model": kind.model,
            "priority": kind.sitemap_priority,
            "queryset": lambda self: kind.public(),
        },
    )


class _Sections(Mapping):
    """``{section: Sitemap class}``: the stories, one section per kind of the registry
    that has pages (read when the sitemap is asked for), the tags, series and directories."""

    def _sections(self):
        return {
            "articles": ArticleSitemap,
            **{kind.plural: _kind_sitemap(kind) for kind in with_pages()},
            "tags": TagSitemap,
            "series": SeriesSitemap,
            "directories": DirectorySitemap,
        }

    def __getitem__(self, section):
        return self._sections()[section]

    def __iter__(self):
        return iter(self._sections())

    def __len__(self):
        return len(self._sections())


sitemaps = _Sections()
