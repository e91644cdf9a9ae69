"""Plain factory functions: ``make_article(headline="...")`` with sensible defaults."""

import itertools
from datetime import timedelta

from django.utils import timezone

from catalog.models import Brand, Colorway, Product
from newsroom.models import (
    Ambassadorship,
    Article,
    Campaign,
    Event,
    Person,
    Quote,
    QuoteWording,
)

_counter = itertools.count(1)


def _n():
    return next(_counter)


def yesterday():
    return timezone.now() - timedelta(days=1)


def tomorrow():
    return timezone.now() + timedelta(days=1)


# Brands, products, people and campaigns are published by hand unless told otherwise,
# so that a test can open their pages; tests of the publication rule pass
# ``published_by_hand=False`` and link them from stories.


def make_brand(**kwargs):
    n = _n()
    kwargs.setdefault("published_by_hand", True)
    kwargs.setdefault("name", f"Maison {n}")
    return Brand.objects.create(**kwargs)


def make_product(**kwargs):
    n = _n()
    kwargs.setdefault("name", f"Bag {n}")
    kwargs.setdefault("published_by_hand", True)
    if "brand" not in kwargs:
        kwargs["brand"] = make_brand()
    kwargs.setdefault("category", Product.Category.HANDBAG)
    return Product.objects.create(**kwargs)


def make_colorway(**kwargs):
    kwargs.setdefault("name", f"Colour {_n()}")
    if "product" not in kwargs:
        kwargs["product"] = make_product()
    return Colorway.objects.create(**kwargs)


def make_person(**kwargs):
    kwargs.setdefault("name", f"Person {_n()}")
    kwargs.setdefault("published_by_hand", True)
    return Person.objects.create(**kwargs)


def make_campaign(**kwargs):
    kwargs.setdefault("name", f"Campaign {_n()}")
    kwargs.setdefault("published_by_hand", True)
    if "brand" not in kwargs:
        kwargs["brand"] = make_brand()
    return Campaign.objects.create(**kwargs)


def make_event(**kwargs):
    n = _n()
    kwargs.setdefault("name", f"Show {n}")
    kwargs.setdefault("slug", f"show-{n}")
    kwargs.setdefault("published_by_hand", True)
    return Event.objects.create(**kwargs)


def make_ambassadorship(**kwargs):
    if "person" not in kwargs:
        kwargs["person"] = make_person()
    if "brand" not in kwargs:
        kwargs["brand"] = make_brand()
    return Ambassadorship.objects.create(**kwargs)


def make_article(**kwargs):
    """A published article from yesterday unless told otherwise."""
    n = _n()
    kwargs.setdefault("headline", f"Story number {n}")
    kwargs.setdefault("dek", f"What happened in story {n}.")
    kwargs.setdefault("body", f"<p>The body of story {n}.</p>")
    kwargs.setdefault("status", Article.Status.PUBLISHED)
    if kwargs["status"] == Article.Status.PUBLISHED:
        kwargs.setdefault("published_at", yesterday())
    return Article.objects.create(**kwargs)


def make_quote(**kwargs):
    kwargs.setdefault("slug", f"quote-{_n()}")
    kwargs.setdefault("text", "Something memorable.")
    if "speaker_person" not in kwargs and "speaker_brand" not in kwargs:
        kwargs["speaker_person"] = make_person()
    articles = kwargs.pop("articles", [])
    quote = Quote.objects.create(**kwargs)
    for article in articles:
        QuoteWording.objects.create(quote=quote, article=article)
    return quote
