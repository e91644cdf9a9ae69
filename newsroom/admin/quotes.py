"""Quotes and the wordings stories print them in."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms import ModelForm
from unfold.admin import ModelAdmin, TabularInline

from .. import services
from ..models import (
    Quote,
    QuoteWording,
)


class QuoteWordingInline(TabularInline):
    model = QuoteWording
    extra = 0
    fields = ["quote", "text"]
    autocomplete_fields = ["quote"]
    verbose_name = "quote reported in this article"
    verbose_name_plural = "quotes reported in this article"


class _WordingRightsForm(ModelForm):
    """A writer's wording may not land in, or leave, a live or scheduled story."""

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() and cleaned.get("article") is not None:
            probe = QuoteWording(pk=self.instance.pk, article=cleaned["article"])
            try:
                services.quote_wording_check(wording=probe, user=self._user)
            except PermissionDenied as refused:
                self.add_error("article", str(refused))
        return cleaned


class QuoteWordingByQuoteInline(TabularInline):
    model = QuoteWording
    extra = 0
    fields = ["article", "text"]
    autocomplete_fields = ["article"]
    verbose_name = "wording in an article"
    verbose_name_plural = "wordings in articles"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type("WordingForm", (_WordingRightsForm,), {"_user": request.user})
        return super().get_formset(request, obj, **kwargs)


@admin.register(Quote)
class QuoteAdmin(ModelAdmin):
    list_display = ["__str__", "channel", "said_on"]
    list_filter = ["channel"]
    list_select_related = ["speaker_person", "speaker_brand"]
    search_fields = ["text", "slug", "speaker_person__name", "speaker_brand__name"]
    autocomplete_fields = [
        "speaker_person",
        "speaker_brand",
        "campaign",
        "about_brands",
        "about_products",
        "about_events",
    ]
    inlines = [QuoteWordingByQuoteInline]

    def has_change_permission(self, request, obj=None):
        """A quote that a live or scheduled story reports is read-only to writers."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        try:
            services.quote_check_edit(quote=obj, user=request.user)
        except PermissionDenied:
            return False
        return True

    def save_model(self, request, obj, form, change):
        services.quote_check_edit(quote=obj, user=request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for wording_form in formset.forms:
            if wording_form.has_changed() and wording_form.instance.article_id is not None:
                services.quote_wording_check(wording=wording_form.instance, user=request.user)
        super().save_formset(request, form, formset, change)

    fieldsets = [
        (None, {"fields": ["slug", "speaker_person", "speaker_brand", "text"]}),
        (
            "Where and when",
            {
                "fields": [
                    "channel",
                    "source",
                    "said_on",
                    "said_on_precision",
                    "context",
                ]
            },
        ),
        (
            "What it is about",
            {"fields": ["campaign", "about_brands", "about_products", "about_events"]},
        ),
    ]
