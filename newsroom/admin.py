from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from taggit.admin import TagAdmin as BaseTagAdmin
from taggit.models import Tag
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from catalog.admin import EmbargoListFilter, thumbnail

from . import services
from .assistants import EmbargoGuardMixin, MentionSuggestionsMixin, PublishGuardMixin
from .models import (
    Affiliation,
    Ambassadorship,
    Article,
    Campaign,
    CampaignSeries,
    EditorialEvent,
    Event,
    Person,
    Quote,
    QuoteWording,
    ReviewLink,
    Role,
)

# Accounts and tags, in the same theme as everything else.
admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(Tag)


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


@admin.register(Tag)
class TagAdmin(BaseTagAdmin, ModelAdmin):
    pass


@admin.register(Role)
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
class PersonAdmin(EmbargoGuardMixin, ModelAdmin):
    list_display = ["name", "role_list", "embargoed_until", "portrait_preview"]
    list_filter = ["roles", EmbargoListFilter]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ["roles"]
    inlines = [AmbassadorshipInline, AffiliationInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "roles", "bio"]}),
        ("Portrait", {"fields": ["portrait", "portrait_alt", "portrait_credit"]}),
        ("Embargo", {"fields": ["embargoed_until"]}),
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
class AmbassadorshipAdmin(ModelAdmin):
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


@admin.register(CampaignSeries)
class CampaignSeriesAdmin(ModelAdmin):
    list_display = ["name", "brand", "photographer"]
    list_select_related = ["brand", "photographer"]
    search_fields = ["name", "brand__name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["brand", "photographer"]


@admin.register(Campaign)
class CampaignAdmin(EmbargoGuardMixin, ModelAdmin):
    list_display = ["name", "brand", "series", "date_display", "embargoed_until"]
    list_filter = ["brand", "series", EmbargoListFilter]
    list_select_related = ["brand", "series"]
    search_fields = ["name", "aliases", "brand__name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["brand", "series", "photographer", "people", "products"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "brand", "series", "season"]}),
        ("When", {"fields": ["date", "date_precision"]}),
        ("Who and what", {"fields": ["photographer", "people", "products", "description"]}),
        ("Embargo", {"fields": ["embargoed_until"]}),
    ]

    @admin.display(description="Launched", ordering="date")
    def date_display(self, obj):
        return obj.date_display or "—"


@admin.register(Event)
class EventAdmin(EmbargoGuardMixin, ModelAdmin):
    list_display = ["name", "kind", "brand", "location", "date"]
    list_filter = ["kind", "brand"]
    list_select_related = ["brand"]
    search_fields = ["name", "aliases", "location"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["brand", "people", "products"]


class QuoteWordingInline(TabularInline):
    model = QuoteWording
    extra = 0
    fields = ["quote", "text"]
    autocomplete_fields = ["quote"]
    verbose_name = "quote reported in this article"
    verbose_name_plural = "quotes reported in this article"


class QuoteWordingByQuoteInline(TabularInline):
    model = QuoteWording
    extra = 0
    fields = ["article", "text"]
    autocomplete_fields = ["article"]
    verbose_name = "wording in an article"
    verbose_name_plural = "wordings in articles"


@admin.register(Quote)
class QuoteAdmin(ModelAdmin):
    list_display = ["__str__", "channel", "said_on"]
    list_filter = ["channel"]
    list_select_related = ["speaker_person", "speaker_brand"]
    search_fields = ["text", "slug", "speaker_person__name", "speaker_brand__name"]
    autocomplete_fields = ["speaker_person", "speaker_brand", "campaign"]
    inlines = [QuoteWordingByQuoteInline]
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
                    "campaign",
                ]
            },
        ),
    ]


class ScheduledFilter(admin.SimpleListFilter):
    title = "visibility"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [("live", "Live on the site"), ("scheduled", "Scheduled"), ("hidden", "Not public")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "hidden":
            return queryset.exclude(status=Article.Status.PUBLISHED)
        return queryset


class ArticleAdminForm(forms.ModelForm):
    """The article form; it refuses a publishing change from someone who may not publish."""

    user = None  # set by ArticleAdmin.get_form

    class Meta:
        model = Article
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if self.user is None or services.user_can_publish(self.user):
            return cleaned
        status = cleaned.get("status")
        was = self.initial.get("status", Article.Status.DRAFT)
        if status == Article.Status.PUBLISHED and was != Article.Status.PUBLISHED:
            self.add_error("status", "Only editors can publish; submit it for review instead.")
        if was == Article.Status.PUBLISHED and status != was:
            self.add_error("status", "Only editors can unpublish an article.")
        if "published_at" in self.changed_data:
            self.add_error("published_at", "Only editors can set the publication date.")
        return cleaned


class EditorialEventInline(TabularInline):
    model = EditorialEvent
    extra = 0
    fields = ["at", "action", "actor", "actor_name", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "editorial history"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(MentionSuggestionsMixin, PublishGuardMixin, ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "headline",
        "status",
        "is_live",
        "published_at",
        "updated_at",
        "created_by",
        "lead_preview",
    ]
    list_filter = ["status", ScheduledFilter, "published_at"]
    list_select_related = ["created_by"]
    search_fields = ["headline", "dek", "slug"]
    prepopulated_fields = {"slug": ("headline",)}
    date_hierarchy = "published_at"
    autocomplete_fields = ["people", "brands", "products", "campaigns", "events"]
    inlines = [QuoteWordingInline, EditorialEventInline]
    actions = ["submit_for_review", "publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "body", "tags"]}),
        ("Workflow", {"fields": ["status", "published_at"]}),
        (
            "Lead image",
            {"fields": ["lead_image", "lead_image_alt", "lead_image_caption", "lead_image_credit"]},
        ),
        ("Mentions", {"fields": ["people", "brands", "products", "campaigns", "events"]}),
        ("Source", {"fields": ["source_outlet", "original_published_on"], "classes": ["collapse"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        if services.user_can_publish(request.user):
            return []
        return ["published_at"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not services.user_can_publish(request.user):
            kwargs["choices"] = [
                (Article.Status.DRAFT, Article.Status.DRAFT.label),
                (Article.Status.REVIEW, Article.Status.REVIEW.label),
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not services.user_can_publish(request.user):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        return actions

    @admin.display(description="Live", boolean=True)
    def is_live(self, obj):
        return obj.is_published

    @admin.display(description="Image")
    def lead_preview(self, obj):
        return thumbnail(obj.lead_image, obj.lead_image_alt)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        target = obj.status
        before = form.initial.get("status", Article.Status.DRAFT) if change else None
        if change and target != before:
            # Save the edits under the old status, then move it through the workflow.
            obj.status = before
            super().save_model(request, obj, form, change)
            self._transition(request, obj, target)
        elif not change and target != Article.Status.DRAFT:
            obj.status = Article.Status.DRAFT
            super().save_model(request, obj, form, change)
            self._transition(request, obj, target)
        else:
            super().save_model(request, obj, form, change)

    def _transition(self, request, article, target):
        if target == Article.Status.PUBLISHED:
            services.article_publish(article=article, user=request.user, at=article.published_at)
        elif target == Article.Status.REVIEW:
            services.article_submit(article=article, user=request.user)
        elif article.status == Article.Status.PUBLISHED:
            services.article_unpublish(article=article, user=request.user)
        else:
            services.article_return_to_draft(article=article, user=request.user)

    @admin.action(description="Submit selected articles for review")
    def submit_for_review(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.DRAFT):
            services.article_submit(article=article, user=request.user)
            count += 1
        self.message_user(request, f"{count} article(s) submitted for review.", messages.SUCCESS)

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            services.article_publish(article=article, user=request.user)
            count += 1
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            services.article_unpublish(article=article, user=request.user)
            count += 1
        self.message_user(request, f"{count} article(s) unpublished.", messages.SUCCESS)

    def has_publish_permission(self, request):
        return services.user_can_publish(request.user)

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return None


@admin.register(EditorialEvent)
class EditorialEventAdmin(ModelAdmin):
    list_display = ["at", "action", "article", "actor", "actor_name", "note"]
    list_filter = ["action", "at"]
    list_select_related = ["article", "actor"]
    search_fields = ["article__headline", "actor__username", "actor_name", "note"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReviewLink)
class ReviewLinkAdmin(ModelAdmin):
    list_display = ["article", "label", "created_by", "created_at", "expires_at", "is_active"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__headline", "label"]
    autocomplete_fields = ["article"]
    readonly_fields = ["created_by", "created_at", "approved_at", "approved_by_name", "version"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
