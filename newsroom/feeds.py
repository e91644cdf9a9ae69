"""RSS feeds of published stories: all of them, per tag and per person.

Every feed starts from ``Article.objects.published()``. Titles and
descriptions are plain text that feed readers would read as HTML, so they are
escaped once more than the XML writer does (Django's default for titles).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape
from taggit.models import Tag

from .models import Article, Person

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    title = f"{settings.SITE_NAME}: latest stories"
    description = "The newest stories about the people, houses, handbags and campaigns of fashion."

    def link(self):
        return reverse("newsroom:article-list")

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
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
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: stories tagged {obj.name}"

    def description(self, obj):
        return f"The newest stories tagged {obj.name}."

    def link(self, obj):
        return reverse("newsroom:tag-detail", kwargs={"slug": obj.slug})

    def articles(self, obj):
        return Article.objects.published().filter(tags=obj)


class PersonArticlesFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Person.objects.public(), slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: stories about {obj.name}"

    def description(self, obj):
        return f"The newest stories about {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return obj.articles.published()
