"""People, their roles, ambassadorships and affiliations."""

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from catalog.admin import (
    PUBLICATION_FIELDSET,
    EmbargoListFilter,
    SafeImageUploadsMixin,
    image_rights_filter,
    readers_see,
    thumbnail,
)

from ..assistants.guards import EmbargoGuardMixin, PublicationRightsMixin
from ..models import (
    Affiliation,
    Ambassadorship,
    Person,
)
from .revisions import VersionedAdmin


class RoleAdmin(ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}


class AmbassadorshipInline(TabularInline):
    model = Ambassadorship
    extra = 0
    fields = ["brand", "since_year", "until_year", "note", "embargoed_until"]
    autocomplete_fields = ["brand"]


class AffiliationInline(TabularInline):
    model = Affiliation
    extra = 0
    fields = ["brand", "role", "since_year", "until_year"]
    autocomplete_fields = ["brand"]


@admin.register(Person)
class PersonAdmin(EmbargoGuardMixin, SafeImageUploadsMixin, VersionedAdmin, ModelAdmin):
    list_display = ["name", "role_list", readers_see, "portrait_preview"]
    list_filter = ["roles", EmbargoListFilter, image_rights_filter("portrait_rights_until")]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ["roles"]
    inlines = [AmbassadorshipInline, AffiliationInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "roles", "bio"]}),
        (
            "Portrait",
            {"fields": ["portrait", "portrait_alt", "portrait_credit", "portrait_rights_until"]},
        ),
        PUBLICATION_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description="Roles")
    def role_list(self, obj):
        return ", ".join(role.name for role in obj.roles.all())

    @admin.display(description="Portrait")
    def portrait_preview(self, obj):
        return thumbnail(obj.portrait, obj.portrait_alt)


@admin.register(Ambassadorship)
class AmbassadorshipAdmin(PublicationRightsMixin, ModelAdmin):
    list_display = ["person", "brand", "since_year", "until_year", "embargoed_until"]
    list_filter = ["brand", EmbargoListFilter]
    list_select_related = ["person", "brand"]
    search_fields = ["person__name", "brand__name"]
    autocomplete_fields = ["person", "brand"]


@admin.register(Affiliation)
class AffiliationAdmin(ModelAdmin):
    list_display = ["person", "role", "brand", "since_year", "until_year"]
    list_filter = ["role", "brand"]
    list_select_related = ["person", "brand"]
    search_fields = ["person__name", "brand__name"]
    autocomplete_fields = ["person", "brand"]
