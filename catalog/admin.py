"""Admins of brands, bags, colourways and images.

Colourways and images are registered here. ``BrandAdmin`` and ``ProductAdmin``
are defined here and registered by the app that publishes them, which adds
what only it knows: the guard against hiding what published stories
link to, and revision history.
"""

from datetime import timedelta

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import ModelAdmin, TabularInline
from unfold.widgets import UnfoldAdminTextInputWidget

from .images import SafeImageField
from .models import Colorway, ProductImage
from .storage import UploadStorageErrorsMixin


class SafeImageUploadsMixin(UploadStorageErrorsMixin):
    """Every image field of this admin (or inline) accepts only clean, verified images.

    See ``catalog.images.SafeImageField``: wrong formats, broken files, markup and
    oversized images get a clear error on the field; accepted ones are stored
    upright and without EXIF. A storage that cannot take the file gives a form
    error and saves nothing (``catalog.storage.UploadStorageErrorsMixin``).
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.ImageField):
            kwargs["form_class"] = SafeImageField
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def thumbnail(image, alt=""):
    if not image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" style="height:48px;width:auto;border-radius:4px">', image.url, alt
    )


RIGHTS_SOON_DAYS = 14


def image_rights_filter(field_name, title="image rights"):
    """A list filter on an image's rights-until moment: ended, ending soon, or open-ended."""

    class ImageRightsFilter(admin.SimpleListFilter):
        parameter_name = field_name.removesuffix("_until")

        def lookups(self, request, model_admin):
            return [
                ("ended", "Ended: not shown to readers"),
                ("soon", f"Ending within {RIGHTS_SOON_DAYS} days"),
                ("month", "Ending within 30 days"),
                ("none", "No end date"),
            ]

        def queryset(self, request, queryset):
            now = timezone.now()
            value = self.value()
            if value == "ended":
                return queryset.filter(**{f"{field_name}__lte": now})
            if value in ("soon", "month"):
                days = RIGHTS_SOON_DAYS if value == "soon" else 30
                return queryset.filter(
                    **{f"{field_name}__gt": now, f"{field_name}__lte": now + timedelta(days=days)}
                ).order_by(field_name)
            if value == "none":
                return queryset.filter(**{f"{field_name}__isnull": True})
            return queryset

    ImageRightsFilter.title = title
    return ImageRightsFilter


class EmbargoListFilter(admin.SimpleListFilter):
    title = "readers"
    parameter_name = "embargo"

    def lookups(self, request, model_admin):
        choices = [("public", "Public"), ("held", "Under embargo")]
        if hasattr(model_admin.model, "published_by_hand"):
            choices.append(("unpublished", "Not published yet"))
        return choices

    def queryset(self, request, queryset):
        if self.value() == "held":
            return queryset.embargoed()
        if self.value() == "public":
            return queryset.public()
        if self.value() == "unpublished" and hasattr(queryset, "unpublished"):
            return queryset.unpublished()
        return queryset


PUBLICATION_FIELDSET = (
    "Publication",
    {
        "fields": ["published_by_hand", "linked_since", "embargoed_until"],
        "description": "Readers see this once a published story links to it, or once an "
        "editor publishes it without a story, and never while it is under embargo.",
    },
)


@admin.display(description="Readers")
def readers_see(obj):
    """Whether readers can open its page now, and if not, why."""
    if obj.is_embargoed:
        return "Under embargo"
    if not obj.is_published:
        return "Not published yet"
    return "Public"


class BrandAdmin(SafeImageUploadsMixin, ModelAdmin):
    list_display = ["name", "founded_year", "website", readers_see]
    list_filter = [EmbargoListFilter]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "founded_year", "website", "description"]}),
        ("Logo", {"fields": ["logo", "logo_alt"]}),
        PUBLICATION_FIELDSET,
    ]


class SwatchInput(UnfoldAdminTextInputWidget):
    """The hex text box, kept as typed, with a colour picker beside it.

    Picking a colour writes its #rrggbb into the box; typing a valid hex moves
    the picker. The box is what the form posts, so the stored value is always the
    hex an editor can read and correct.
    """

    template_name = "admin/catalog/widgets/swatch.html"

    class Media:
        js = ["catalog/admin/swatch.js"]
        css = {"all": ["catalog/admin/swatch.css"]}

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "#1a1a1a", "maxlength": 7, **(attrs or {})})


class SwatchFormMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "hex":
            kwargs["widget"] = SwatchInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ColorwayInline(SwatchFormMixin, TabularInline):
    model = Colorway
    extra = 0
    fields = ["name", "hex", "position"]


class ProductImageInline(SafeImageUploadsMixin, TabularInline):
    model = ProductImage
    extra = 0
    fields = ["preview", "image", "alt_text", "caption", "credit", "image_rights_until", "position"]
    readonly_fields = ["preview"]

    @admin.display(description="Preview")
    def preview(self, obj):
        return thumbnail(obj.image, obj.alt_text)


class ProductAdmin(UploadStorageErrorsMixin, ModelAdmin):  # images inline
    list_display = ["name", "brand", "category", "variant_of", "year_introduced", readers_see]
    list_filter = ["category", EmbargoListFilter, "brand"]
    list_select_related = ["brand", "variant_of"]
    search_fields = ["name", "aliases", "brand__name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["brand", "variant_of"]
    inlines = [ColorwayInline, ProductImageInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "brand", "category", "variant_of"]}),
        (
            "Details",
            {
                "fields": [
                    "year_introduced",
                    "description",
                    "materials",
                    "hallmark_features",
                    "sizes",
                ]
            },
        ),
        PUBLICATION_FIELDSET,
    ]


@admin.register(Colorway)
class ColorwayAdmin(SwatchFormMixin, ModelAdmin):
    list_display = ["name", "product", "swatch", "hex"]
    list_select_related = ["product"]
    search_fields = ["name", "product__name"]
    autocomplete_fields = ["product"]

    @admin.display(description="Swatch")
    def swatch(self, obj):
        if not obj.hex:
            return "—"
        return format_html(
            '<span style="display:inline-block;width:1.5em;height:1.5em;border-radius:50%;'
            'border:1px solid #999;background:{}"></span>',
            obj.hex,
        )


@admin.register(ProductImage)
class ProductImageAdmin(SafeImageUploadsMixin, ModelAdmin):
    list_display = ["preview", "product", "alt_text", "credit", "image_rights_until"]
    list_filter = [image_rights_filter("image_rights_until")]
    list_select_related = ["product"]
    search_fields = ["alt_text", "caption", "product__name"]
    autocomplete_fields = ["product"]

    @admin.display(description="Preview")
    def preview(self, obj):
        return thumbnail(obj.image, obj.alt_text)
