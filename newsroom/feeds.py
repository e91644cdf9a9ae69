"""RSS feeds of published stories: all of them, per tag and per person.

Every feed starts from ``Article.objects.published()``; a tag's feed exists
only while a published story carries the tag, and a person's only while the
person is public, exactly like their pages. Titles and descriptions, of the
channel as of each item, are plain text that feed readers would read as HTML,
so they are escaped once more than the XML writer does (Django's default for
item titles): a name written ``<b>x</b>`` reaches the reader as that text.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape

from . import surrogate
from .models import Article, Person
from .tags import public_tags

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    def title(self, obj=None):
        return escape(f"{settings.SITE_NAME}: latest stories")

    def description(self, obj=None):
        return escape(
            "The newest stories about the people, houses, handbags and campaigns of fashion."
        )

    def link(self):
        return reverse("newsroom:article-list")

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        surrogate.add(None, surrogate.FEEDS)
        return (
            self.articles(obj)
            .only("headline", "slug", "dek", "published_at", "updated_at")
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return escape(item.headline)

    def item_description(self, item):
        return escape(item.dek)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class TagArticlesFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        # Like the tag page: a tag only drafts or scheduled stories carry is not public.
        return get_object_or_404(public_tags(), slug=slug)

    def title(self, obj):
        return escape(f"{settings.SITE_NAME}: stories tagged {obj.name}")

    def description(self, obj):
        return escape(f"The newest stories tagged {obj.name}.")

    def link(self, obj):
        return reverse("newsroom:tag-detail", kwargs={"slug": obj.slug})

    def articles(self, obj):
        return Article.objects.published().filter(tags=obj)


class PersonArticlesFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Person.objects.public(), slug=slug)

    def title(self, obj):
        return escape(f"{settings.SITE_NAME}: stories about {obj.name}")

    def description(self, obj):
        return escape(f"The newest stories about {obj.name}.")

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return obj.articles.published()
