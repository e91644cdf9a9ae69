"""Campaigns, campaign series and events."""

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from catalog.admin import (
    PUBLICATION_FIELDSET,
    EmbargoListFilter,
    readers_see,
)

from ..assistants.guards import EmbargoGuardMixin
from ..models import (
    Campaign,
    CampaignSeries,
    Event,
    SeriesAppearance,
)
from .revisions import VersionedAdmin


class SeriesAppearanceInline(TabularInline):
    model = SeriesAppearance
    extra = 0
    fields = ["person", "note"]
    autocomplete_fields = ["person"]
    verbose_name = "person known to appear in an unknown instalment"
    verbose_name_plural = (
        "people known to appear in the series (instalment unknown; "
        "people of a known campaign belong on that campaign)"
    )


@admin.register(CampaignSeries)
class CampaignSeriesAdmin(ModelAdmin):
    list_display = ["name", "brand", "photographer"]
    list_select_related = ["brand", "photographer"]
    search_fields = ["name", "brand__name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["brand", "photographer"]
    inlines = [SeriesAppearanceInline]


@admin.register(Campaign)
class CampaignAdmin(EmbargoGuardMixin, VersionedAdmin, ModelAdmin):
    list_display = ["name", "brand", "series", "date_display", readers_see]
    list_filter = ["brand", "series", EmbargoListFilter]
    list_select_related = ["brand", "series"]
    search_fields = ["name", "aliases", "brand__name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["brand", "series", "photographer", "people", "products"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "aliases", "brand", "series", "series_position", "season"]},
        ),
        ("When", {"fields": ["date", "date_precision"]}),
        ("Who and what", {"fields": ["photographer", "people", "products", "description"]}),
        PUBLICATION_FIELDSET,
    ]

    @admin.display(description="Launched", ordering="date")
    def date_display(self, obj):
        return obj.date_display or "—"


@admin.register(Event)
class EventAdmin(EmbargoGuardMixin, ModelAdmin):
    list_display = ["name", "kind", "brand", "location", "date", readers_see]
    list_filter = ["kind", "brand", EmbargoListFilter]
    list_select_related = ["brand"]
    search_fields = ["name", "aliases", "location"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["brand", "people", "products"]
