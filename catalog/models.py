"""Brands and what they make: products, their colourways and images.

Nothing here knows about the site that publishes them: its models point at
these through foreign keys, and it decides where their pages live
(``ABSOLUTE_URL_OVERRIDES``). What is shared is the building blocks of
publishable rows: the embargo, "published by hand", the moment a story first
linked a row, and ``public_q``, the one test of "readers may see it".
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

YEAR_VALIDATORS = [MinValueValidator(1800), MaxValueValidator(2200)]


def split_aliases(text):
    """The non-empty lines (or comma-separated items) of an aliases field."""
    return [part.strip() for part in re.split(r"[\n,]", text or "") if part.strip()]


class PublicQuerySet(models.QuerySet):
    """Rows that readers may see: those with no embargo, or whose embargo has lifted.

    An embargo lifts by itself when its moment passes; nothing has to run.
    """

    def public(self, *, now=None):
        now = now or timezone.now()
        return self.filter(Q(embargoed_until__isnull=True) | Q(embargoed_until__lte=now))

    def embargoed(self, *, now=None):
        now = now or timezone.now()
        return self.filter(embargoed_until__gt=now)


class PublishableQuerySet(PublicQuerySet):
    """Rows of a kind that has a page: public once published and not under embargo."""

    def public(self, *, now=None):
        return self.filter(public_q(now=now))

    def unpublished(self, *, now=None):
        """Not under embargo, but nothing has published it yet."""
        return self.exclude(publication_q(now=now))


def publication_q(prefix="", *, now=None):
    """``Q`` for "the row at ``prefix`` has been published", embargo aside.

    Published means an editor published it by hand, or a story linking it is
    live (``linked_since``, the moment the first such story went or goes live,
    is kept up to date by whoever publishes the stories).
    """
    now = now or timezone.now()
    return Q(**{f"{prefix}published_by_hand": True}) | Q(**{f"{prefix}linked_since__lte": now})


def public_q(prefix="", *, now=None):
    """``Q`` for "readers may see the row at ``prefix``": ``public_q("brand__")``.

    For related rows in filters, where ``.public()`` cannot reach. The row must be
    of a kind with :class:`PublishableMixin`. Through a nullable relation, no row
    at all passes too (a quote by a brand has no speaking person to hide).
    """
    now = now or timezone.now()
    not_embargoed = Q(**{f"{prefix}embargoed_until__isnull": True}) | Q(
        **{f"{prefix}embargoed_until__lte": now}
    )
    visible = not_embargoed & publication_q(prefix, now=now)
    if prefix:
        return visible | Q(**{f"{prefix[:-2]}__isnull": True})
    return visible


class PublishableManager(models.Manager.from_queryset(PublishableQuerySet)):
    """The manager of a kind readers can reach: ``.public()`` and the other publication
    queries, and the slug as natural key."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class EmbargoMixin(models.Model):
    """A row that can be held back from readers until a given moment."""

    embargoed_until = models.DateTimeField(
        "embargoed until",
        null=True,
        blank=True,
        help_text=(
            "Hold this back from every public page, list, feed and search result until "
            "this moment, even once it is published. Only editors can lift or shorten "
            "an embargo."
        ),
    )

    class Meta:
        abstract = True

    @property
    def is_embargoed(self):
        return self.embargoed_until is not None and self.embargoed_until > timezone.now()

    @property
    def is_public(self):
        return not self.is_embargoed


class PublishableMixin(EmbargoMixin):
    """Something with a page of its own that readers reach through the stories.

    It is public when it is not under embargo and either a published story links
    it or an editor published it by hand. A bag added for a draft therefore stays
    unseen until its story is out, and appears by itself when the story goes live.
    """

    published_by_hand = models.BooleanField(
        "published without a story",
        default=False,
        help_text=(
            "Show it to readers even before a published story links to it. Otherwise "
            "it appears when the first story that links to it goes live. Only editors "
            "can change this."
        ),
    )
    linked_since = models.DateTimeField(
        "linked by a live story since",
        null=True,
        blank=True,
        editable=False,
        help_text="When the first published story that links to it went (or goes) live.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Save every field but ``linked_since`` of a stored row.

        ``linked_since`` is kept by queries when stories that link the row change;
        an instance loaded before such a change (an admin form opened earlier)
        would otherwise write its old value back.
        """
        stored = not self._state.adding and not kwargs.get("force_insert")
        if stored and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "linked_since"
            ]
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.published_by_hand or (
            self.linked_since is not None and self.linked_since <= timezone.now()
        )

    @property
    def is_public(self):
        return self.is_published and not self.is_embargoed


class NamedMixin(models.Model):
    """A named, sluggable thing that articles can mention under other spellings too."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the page address. Changing it keeps the old address working.",
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other spellings that refer to this, one per line (e.g. a full name).",
    )
    # Defaults rather than auto_now: a raw fixture load calls no save() hooks, and a
    # hand-written fixture should not have to carry timestamps.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)

    @property
    def alias_list(self):
        return split_aliases(self.aliases)

    @property
    def all_names(self):
        """The name first, then every alias: what a mention of this may look like."""
        return [self.name, *[a for a in self.alias_list if a != self.name]]


class Brand(NamedMixin, PublishableMixin):
    founded_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=YEAR_VALIDATORS
    )
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    logo = models.ImageField(upload_to="brands/", blank=True)
    logo_alt = models.CharField("logo alt text", max_length=250, blank=True)

    objects = PublishableManager()

    class Meta:
        ordering = ["name"]

    def clean(self):
        if self.logo and not self.logo_alt.strip():
            raise ValidationError({"logo_alt": "Describe the logo for readers who cannot see it."})


class Product(NamedMixin, PublishableMixin):
    class Category(models.TextChoices):
        HANDBAG = "handbag", "Handbag"
        TOTE = "tote", "Tote"
        HOBO = "hobo", "Hobo"
        CLOTHING = "clothing", "Clothing"
        SHOES = "shoes", "Shoes"
        ACCESSORY = "accessory", "Accessory"

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    variant_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
        help_text="The product this is an iteration of (e.g. the Hobo version of a bag).",
    )
    year_introduced = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=YEAR_VALIDATORS
    )
    description = models.TextField(blank=True)
    materials = models.TextField(blank=True, help_text="One material per line.")
    hallmark_features = models.TextField(blank=True, help_text="One feature per line.")
    sizes = models.CharField(
        max_length=200, blank=True, help_text="Sizes it comes in, as the source describes them."
    )

    objects = PublishableManager()

    class Meta:
        ordering = ["brand__name", "name"]
        indexes = [models.Index(fields=["brand", "name"])]

    def clean(self):
        if self.variant_of_id and self.variant_of_id == self.pk:
            raise ValidationError({"variant_of": "A product cannot be a variant of itself."})
        if self.variant_of_id and self.brand_id and self.variant_of.brand_id != self.brand_id:
            raise ValidationError(
                {"variant_of": "A variant must belong to the same brand as the original."}
            )

    @property
    def material_list(self):
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    @property
    def feature_list(self):
        return [line.strip() for line in self.hallmark_features.splitlines() if line.strip()]


class ColorwayManager(models.Manager):
    def get_by_natural_key(self, product_slug, name):
        return self.get(product__slug=product_slug, name=name)


class Colorway(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="colorways")
    name = models.CharField(max_length=100)
    hex = models.CharField(
        "swatch colour",
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1a1a1a.")],
        help_text="An approximate colour for the swatch, as #rrggbb.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = ColorwayManager()

    class Meta:
        ordering = ["product", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="unique_colorway_per_product")
        ]

    def __str__(self):
        return f"{self.product.name} in {self.name}"

    def natural_key(self):
        return (*self.product.natural_key(), self.name)

    natural_key.dependencies = ["catalog.product"]


class ProductImageManager(models.Manager):
    def get_by_natural_key(self, product_slug, image):
        return self.get(product__slug=product_slug, image=image)


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    alt_text = models.CharField(
        max_length=250, help_text="What the image shows, for readers who cannot see it."
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    image_rights_until = models.DateTimeField(
        "rights until",
        null=True,
        blank=True,
        db_index=True,
        help_text="Leave empty when the licence has no end. From this moment the image leaves public pages (a neutral placeholder keeps the layout) until the date is extended.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = ProductImageManager()

    class Meta:
        ordering = ["product", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "image"], name="unique_image_per_product")
        ]

    def __str__(self):
        return self.alt_text or self.image.name

    def natural_key(self):
        return (*self.product.natural_key(), self.image.name)

    natural_key.dependencies = ["catalog.product"]
