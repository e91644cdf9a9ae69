"""The kinds of entity a story links, registered once: people, brands, bags, campaigns, events.

Every place that needs "each kind" reads this registry: mention suggestions and
the link guard, the article page's linked entities, hand-made link checks,
slug redirects, the page cache's schedule, the sitemap, the directories and the
API. A rule about a kind is stated here, once.

Adding a kind (say, a photographers' agency) means its model (with
``catalog.models.PublishableMixin`` and ``NamedMixin``), an Article
many-to-many field that links it, its admin, its page template and view, and one
``register(EntityKind(...))`` call at the bottom of this module.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch

from catalog.models import Brand, Product, public_q

from . import paths
from .models import Campaign, Event, Person


@dataclass(frozen=True)
class EntityKind:
    key: str
    """Singular, lower case: cache and surrogate keys (``person-3``), API and URL names."""

    model: type
    """The model; it has ``PublishableMixin`` (what makes a row public) and a slug."""

    article_field: str
    """The Article many-to-many field that links it: ``people``."""

    plural: str
    """The collection: ``/people/``, ``/api/v1/people/``, the sitemap section."""

    url_name: str | None = None
    """The reader page (``newsroom:person-detail``), or None while it has none."""

    owner: str | None = None
    """The foreign key to the row that owns this one (a bag's, campaign's or show's
    ``brand``): a story that links this row publishes its owner too, and this row's
    page opens only while its owner is public."""

    redirects: bool = True
    """A changed slug leaves a 301 from the old address."""

    sitemap_priority: float = 0.6

    story_heading: str = ""
    """The heading of this kind's list beside a story ("Handbags and pieces"); the
    directory's title when empty."""

    relates_stories: bool = True
    """Two stories linking the same row are related ("More like this"); not for a show,
    which many unrelated stories mention."""

    list_url_name: str | None = None
    """The reader directory of the kind (``newsroom:person-list``), or None."""

    directory_title: str = ""
    """What the directory is called in the header and its heading: "Handbags"."""

    @property
    def label(self):
        return self.model._meta.verbose_name

    @property
    def label_plural(self):
        return self.model._meta.verbose_name_plural

    def has_field(self, name):
        return _has_field(self.model, name)

    @property
    def has_page(self):
        return self.url_name is not None

    def public(self, *, now=None):
        """What readers may see of this kind: the one place the rule is applied per kind."""
        rows = self.model._default_manager.public(now=now)
        if self.owner:
            rows = rows.filter(public_q(f"{self.owner}__", now=now))
        return rows

    def public_q(self, prefix="", *, now=None):
        """``Q`` for "the row of this kind at ``prefix`` is public", owner included."""
        condition = public_q(prefix, now=now)
        if self.owner:
            condition &= public_q(f"{prefix}{self.owner}__", now=now)
        return condition

    @property
    def list_url(self):
        return paths.path(self.list_url_name) if self.list_url_name else None

    @property
    def title(self):
        return self.directory_title or str(self.label_plural).capitalize()

    @property
    def heading_in_story(self):
        return self.story_heading or self.title

    @property
    def dated(self):
        """Rows of this kind carry a (partial) date, shown beside their name."""
        return self.has_field("date")

    def url(self, slug):
        if not self.has_page:
            return None
        try:
            return paths.slug_path(self.url_name, slug)
        except NoReverseMatch:
            return None

    def cache_key(self, pk):
        """The surrogate key of one row's page and of everything that shows it."""
        return f"{self.key}-{pk}"

    @property
    def list_cache_key(self):
        """The surrogate key of the collection (directory, sitemap section, API list)."""
        return f"{self.plural}-list"


@lru_cache(maxsize=256)
def _has_field(model, name):
    return any(f.name == name for f in model._meta.get_fields())


_registry: dict[str, EntityKind] = {}


def register(kind):
    if kind.key in _registry and _registry[kind.key] != kind:
        raise ValueError(f"An entity kind {kind.key!r} is already registered.")
    _registry[kind.key] = kind
    return kind


def reader_url(obj):
    """The reader page of ``obj``, a row of a registered kind; None when its kind has none.

    Catalog's brands and bags get their ``get_absolute_url`` from this (through
    ``ABSOLUTE_URL_OVERRIDES`` in the settings): catalog names no URL of the site.
    """
    kind = for_model(type(obj))
    return kind.url(obj.slug) if kind else None


def article_fields():
    """Article's many-to-many field names, one per kind: ``["people", "brands", ...]``."""
    return [kind.article_field for kind in kinds()]


def unregister(key):
    _registry.pop(key, None)


def kinds():
    """Every registered kind, in registration order."""
    return list(_registry.values())


def with_pages():
    return [kind for kind in _registry.values() if kind.has_page]


def get(key):
    """The kind registered as ``key`` (``"person"``); KeyError if none."""
    return _registry[key]


def by_plural(plural):
    for kind in _registry.values():
        if kind.plural == plural:
            return kind
    raise KeyError(plural)


def for_model(model):
    """The kind of ``model`` (a class or an instance), or None."""
    model = model if isinstance(model, type) else type(model)
    for kind in _registry.values():
        if issubclass(model, kind.model):
            return kind
    return None


def by_article_field(name):
    for kind in _registry.values():
        if kind.article_field == name:
            return kind
    raise KeyError(name)


register(
    EntityKind(
        key="person",
        model=Person,
        article_field="people",
        plural="people",
        url_name="newsroom:person-detail",
        list_url_name="newsroom:person-list",
        directory_title="People",
    )
)
register(
    EntityKind(
        key="brand",
        model=Brand,
        article_field="brands",
        plural="brands",
        url_name="newsroom:brand-detail",
        list_url_name="newsroom:brand-list",
        directory_title="Houses",
    )
)
register(
    EntityKind(
        key="product",
        model=Product,
        article_field="products",
        plural="products",
        url_name="newsroom:product-detail",
        list_url_name="newsroom:product-list",
        directory_title="Handbags",
        story_heading="Handbags and pieces",
        owner="brand",
    )
)
register(
    EntityKind(
        key="campaign",
        model=Campaign,
        article_field="campaigns",
        plural="campaigns",
        url_name="newsroom:campaign-detail",
        list_url_name="newsroom:campaign-list",
        directory_title="Campaigns",
        owner="brand",
    )
)
register(
    EntityKind(
        key="event",
        model=Event,
        article_field="events",
        plural="events",
        url_name="newsroom:event-detail",
        list_url_name="newsroom:event-list",
        directory_title="Events",
        owner="brand",
        relates_stories=False,
    )
)
