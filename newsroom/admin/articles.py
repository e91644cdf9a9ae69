"""Stories: the change form with its workflow, history, share links and assistants."""

import json

import reversion
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from taggit.managers import TaggableManager
from taggit.models import Tag
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action

from catalog.admin import (
    SafeImageUploadsMixin,
    image_rights_filter,
    thumbnail,
)

from .. import entities, forms, services
from ..assistants.guards import PublishGuardMixin
from ..assistants.suggestions import MentionSuggestionsMixin
from ..autosave import AutosaveMixin
from ..html import clean_html
from ..merge import ensure_base_revision
from ..models import (
    Article,
    ArticleAutosave,
    EditorialEvent,
    QuoteWording,
    ReviewLink,
    TaggedArticle,
)
from ..presence import PresenceMixin
from . import calendar
from .quotes import QuoteWordingInline
from .revisions import VersionedAdmin

# Revisions: what each save keeps. An article's revision carries its tags and the
# quote wordings edited with it, but never the audit trail, which a restore must
# not rewrite. People, campaigns (and, in catalog, brands and products) are
# registered by their VersionedAdmin with the inlines they are edited with.
reversion.register(TaggedArticle)
reversion.register(QuoteWording)
reversion.register(Article, follow=["tagged", "quote_wordings"])


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


class EditorialEventInline(TabularInline):
    """The article's audit trail: read-only, for everyone who can open the article."""

    model = EditorialEvent
    extra = 0
    fields = ["at", "action", "actor", "actor_name", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "editorial history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("newsroom.view_article")


class ReviewLinkInline(TabularInline):
    """Share links made for this article, with their state."""

    model = ReviewLink
    extra = 0
    fields = ["label", "state", "link", "expires_at", "approved_by_name", "approved_at"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "share links for outside reviewers"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="State")
    def state(self, obj):
        return review_link_state(obj)

    @admin.display(description="Link")
    def link(self, obj):
        if not obj.is_active:
            return "—"
        return format_html('<a href="{}">open</a>', review_link_path(obj))


def review_link_path(link):
    return reverse("review:review-link", args=[services.review_link_token(link)])


def review_link_state(link):
    if link.revoked_at:
        return "Revoked"
    if link.approved_at:
        return f"Approved by {link.approved_by_name}"
    if not link.is_active:
        return "Expired"
    return "Waiting for the reviewer"


def _readable(field_name):
    """The read-only stand-in of a field of the article form."""
    return "body_formatted" if field_name == "body" else field_name


TRANSITION_BUTTONS = {
    forms.SUBMIT: ("Submit for review", "default"),
    forms.PUBLISH: ("Publish", "primary"),
    forms.PUBLISH_NOW: ("Publish now", "primary"),
    forms.SCHEDULE: ("Schedule", "default"),
    forms.UNPUBLISH: ("Unpublish", "danger"),
    forms.RETURN: ("Return to draft", "default"),
}


@admin.register(Article)
class ArticleAdmin(
    PresenceMixin,
    AutosaveMixin,
    MentionSuggestionsMixin,
    PublishGuardMixin,
    SafeImageUploadsMixin,
    VersionedAdmin,
    ModelAdmin,
):
    """Articles, with the workflow as buttons under the form.

    Status is never edited directly: "Submit for review", "Publish", "Schedule",
    "Unpublish" and "Return to draft" (or the list's actions) move an article
    through the workflow via ``newsroom.services``, which check who may do what.
    """

    form = forms.ArticleAdminForm
    formfield_overrides = {TaggableManager: {"widget": forms.TagInput}}
    list_display = [
        "headline",
        "state",
        "is_live",
        "published_at",
        "updated_at",
        "created_by",
        "lead_preview",
    ]
    list_filter = [
        "status",
        ScheduledFilter,
        "published_at",
        image_rights_filter("lead_image_rights_until", "lead image rights"),
    ]
    list_select_related = ["created_by"]
    search_fields = ["headline", "dek", "slug"]
    prepopulated_fields = {"slug": ("headline",)}
    date_hierarchy = "published_at"
    # A second COUNT over every article on each page view (90 ms on PostgreSQL at
    # 100,000 articles) only to print "of N": leave it out.
    show_full_result_count = False
    inlines = [QuoteWordingInline, ReviewLinkInline, EditorialEventInline]
    actions = ["submit_for_review", "publish", "unpublish", "return_to_draft"]
    actions_detail = ["share_for_review"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "body", "tags"]}),
        ("Workflow", {"fields": ["workflow_state", "published_at", "opened_version"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                    "lead_image_rights_until",
                ]
            },
        ),
        ("Mentions", {"fields": []}),  # one field per kind of entity: get_fieldsets()
        ("Source", {"fields": ["source_outlet", "original_published_on"], "classes": ["collapse"]}),
    ]
    restore_note = (
        "Restoring brings back the headline, text, image, tags and mentions of this revision "
        "as a new revision. The workflow state stays as it is now: a published article stays "
        "published."
    )

    # --- The form ------------------------------------------------------------

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request, obj=None):
        """Writers edit drafts and articles in review; a live or scheduled one is read-only."""
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or obj.status != Article.Status.PUBLISHED
            or services.user_can_publish(request.user)
        )

    def get_readonly_fields(self, request, obj=None):
        if services.user_can_publish(request.user):
            return ["workflow_state"]
        return ["workflow_state", "published_at"]

    class Media:
        css = {"all": ["newsroom/admin/article.css"]}
        js = [
            "newsroom/admin/tags.js",
            "newsroom/admin/mentions.js",
            "newsroom/admin/autosave.js",
            "newsroom/admin/presence.js",
        ]

    def get_autocomplete_fields(self, request):
        return entities.article_fields()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if db_field.name in entities.article_fields() and hasattr(widget, "can_add_related"):
            # A visible "+ New person" beside the field, not behind the ⋮ menu.
            widget.template_name = "admin/newsroom/widgets/mention_wrapper.html"
        if db_field.name == "tags" and formfield is not None:
            formfield.widget.attrs.update(
                {
                    "data-tag-suggest": reverse("admin:newsroom_article_tag_suggestions"),
                    "autocomplete": "off",
                }
            )
        return formfield

    def get_urls(self):
        return [
            path(
                "tags/suggest/",
                self.admin_site.admin_view(self.tag_suggestions_view),
                name="newsroom_article_tag_suggestions",
            ),
            *calendar.urls(self),
            *super().get_urls(),
        ]

    def tag_suggestions_view(self, request):
        """Tag names starting with (then containing) ``?q=``, most used first, as JSON."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = " ".join(request.GET.get("q", "").split())[:100]
        if not term:
            return JsonResponse({"tags": []})
        used = Tag.objects.annotate(uses=Count("newsroom_taggedarticle_items"))
        names = list(
            used.filter(name__istartswith=term)
            .order_by("-uses", "name")
            .values_list("name", flat=True)[:10]
        )
        if len(names) < 10:
            names += list(
                used.filter(name__icontains=term)
                .exclude(name__istartswith=term)
                .order_by("-uses", "name")
                .values_list("name", flat=True)[: 10 - len(names)]
            )
        return JsonResponse({"tags": names})

    def get_fieldsets(self, request, obj=None):
        """An editor looking at a story in review also gets the note to send it back with.

        Someone who may only look (a writer at a live story) reads the body as
        formatted text, sanitised, rather than its HTML source.
        """
        mentions = entities.article_fields()
        fieldsets = [
            (name, {**options, "fields": mentions}) if name == "Mentions" else (name, options)
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and not self.has_change_permission(request, obj):
            fieldsets = [
                (name, {**options, "fields": [_readable(f) for f in options["fields"]]})
                for name, options in fieldsets
            ]
        if (
            obj is not None
            and obj.status == Article.Status.REVIEW
            and services.user_can_publish(request.user)
        ):
            fieldsets = [
                (name, {**options, "fields": [*options["fields"], "return_note"]})
                if name == "Workflow"
                else (name, options)
                for name, options in fieldsets
            ]
        return fieldsets

    @admin.display(description="Body")
    def body_formatted(self, obj):
        body = mark_safe(clean_html(obj.body))  # noqa: S308 - sanitised by newsroom.html
        return format_html('<div class="article-body-readonly">{}</div>', body)

    @admin.display(description="Status")
    def workflow_state(self, obj):
        if obj is None or obj.pk is None:
            return "New draft"
        if obj.is_scheduled:
            when = timezone.localtime(obj.published_at)
            return f"Scheduled: goes live at {when:%H:%M on %-d %B %Y} ({when:%Z})"
        if obj.is_published:
            return f"Published, live since {timezone.localtime(obj.published_at):%-d %B %Y %H:%M}"
        return obj.get_status_display()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        opened = obj is not None and obj.pk and request.method == "GET"
        if opened and self.has_change_permission(request, obj):
            ensure_base_revision(obj, request.user)  # so a later save can be merged
        request_event = services.article_open_change_request(obj) if obj and obj.pk else None
        if request_event is not None:
            context["change_request"] = {
                "event": request_event,
                "author": services.change_request_author(request_event),
                "outside": request_event.actor_id is None,
            }
        context["workflow_buttons"] = [
            {
                "value": name,
                "label": TRANSITION_BUTTONS[name][0],
                "variant": TRANSITION_BUTTONS[name][1],
            }
            for name in forms.available_transitions(request.user, obj)
            if name in TRANSITION_BUTTONS
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- Saving --------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.article_save(
            article=obj,
            user=request.user,
            opened_version=form.cleaned_data.get("opened_version") if change else None,
        )
        ArticleAutosave.objects.filter(article=obj, user=request.user).delete()
        if change and form.merged_fields:
            self.message_user(
                request,
                "Someone saved this story while you had it open; your changes were merged "
                f"with theirs (kept from their save: {', '.join(form.merged_fields)}).",
                messages.INFO,
            )
        message = self._apply_transition(request, obj, form)
        if message:
            request._article_workflow_message = message

    def _apply_transition(self, request, article, form):
        step = form.transition
        user = request.user
        if step == forms.SUBMIT:
            services.article_submit(article=article, user=user)
            return "Submitted for review: an editor will take it from here."
        if step in (forms.PUBLISH, forms.SCHEDULE):
            services.article_publish(article=article, user=user, at=article.published_at)
            if article.is_scheduled:
                when = timezone.localtime(article.published_at)
                return f"Scheduled: it goes live by itself at {when:%H:%M on %-d %B %Y}."
            return "Published: readers can see it now."
        if step == forms.PUBLISH_NOW:
            services.article_publish(article=article, user=user, at=timezone.now())
            return "Published now instead of at its scheduled time: readers can see it."
        if step == forms.UNPUBLISH:
            services.article_unpublish(article=article, user=user)
            return "Unpublished: readers no longer see it. It is a draft again."
        if step == forms.RETURN:
            services.article_return_to_draft(
                article=article, user=user, note=form.cleaned_data["return_note"]
            )
            return "Sent back to the writer with your note: it is a draft again."
        if (
            article.status == Article.Status.PUBLISHED
            and "published_at" in form.changed_data
            and services.user_can_publish(user)
        ):
            # An editor moved the date of a published or scheduled article.
            services.article_publish(article=article, user=user, at=article.published_at)
        return ""

    # --- What the history says of a save -----------------------------------------

    def construct_change_message(self, request, form, formsets, add=False):
        """The changed fields, without the note to the writer (it is not a field)."""
        if "return_note" in form.changed_data:
            form.changed_data.remove("return_note")
        return super().construct_change_message(request, form, formsets, add)

    def _name_the_step(self, obj, message):
        """Let the revision of a save that took a workflow step name the step.

        "Published by Erin." or "Sent back by Eddie: …", followed by the fields
        the same save changed, if any (the diff is one click away in the history).
        """
        step = getattr(obj, "transition_comment", "")
        if not step or not reversion.is_active():
            return
        changed = LogEntry(change_message=json.dumps(message)).get_change_message()
        if changed and changed != "No fields changed." and message:
            step = f"{step} {changed}"
        reversion.set_comment(step[:1000])

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._name_the_step(obj, message)
        return entry

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._name_the_step(obj, [])
        return entry

    def _workflow_response(self, request, obj):
        message = getattr(request, "_article_workflow_message", "")
        if not message:
            return None
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[obj.pk]))

    def response_add(self, request, obj, post_url_continue=None):
        return self._workflow_response(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._workflow_response(request, obj) or super().response_change(request, obj)

    # --- Restoring a revision ------------------------------------------------

    def fields_kept_on_restore(self, obj):
        """Restoring brings back content, never a workflow state or an old edit version."""
        current = Article.objects.select_for_update().get(pk=obj.pk)
        return {
            "status": current.status,
            "published_at": current.published_at,
            "created_by_id": current.created_by_id,
            "version": current.version + 1,
        }

    def after_restore(self, request, obj, version):
        obj.updated_by = request.user
        obj.save(update_fields=["updated_by"])
        EditorialEvent.objects.create(
            article=obj,
            action=EditorialEvent.Action.RESTORED,
            actor=request.user,
            note=f"revision of {timezone.localtime(version.revision.date_created):%Y-%m-%d %H:%M}",
        )

    # --- List -----------------------------------------------------------------

    @admin.display(description="Status", ordering="status")
    def state(self, obj):
        if obj.is_scheduled:
            return f"Scheduled for {timezone.localtime(obj.published_at):%-d %b %Y %H:%M}"
        return obj.get_status_display()

    @admin.display(description="Live", boolean=True)
    def is_live(self, obj):
        return obj.is_published

    @admin.display(description="Image")
    def lead_preview(self, obj):
        return thumbnail(obj.lead_image, obj.lead_image_alt)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not services.user_can_publish(request.user):
            for name in ("publish", "unpublish", "return_to_draft"):
                actions.pop(name, None)
        return actions

    def has_publish_permission(self, request):
        return services.user_can_publish(request.user)

    def _bulk(self, request, queryset, service, verb):
        done = 0
        for article in queryset.select_related(None).select_for_update(of=("self",)):
            service(article=article, user=request.user)
            done += 1
        skipped = ""
        if done == 0:
            skipped = " (none of the selected articles could be)"
        self.message_user(
            request,
            f"{done} article{'s' if done != 1 else ''} {verb}{skipped}.",
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(description="Submit selected drafts for review")
    def submit_for_review(self, request, queryset):
        self._bulk(
            request,
            queryset.filter(status=Article.Status.DRAFT),
            services.article_submit,
            "submitted for review",
        )

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish(self, request, queryset):
        self._bulk(
            request,
            queryset.exclude(status=Article.Status.PUBLISHED),
            services.article_publish,
            "published",
        )

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._bulk(
            request,
            queryset.filter(status=Article.Status.PUBLISHED),
            services.article_unpublish,
            "unpublished",
        )

    @admin.action(description="Return selected articles to draft", permissions=["publish"])
    def return_to_draft(self, request, queryset):
        """Asks for the note first (one note for all), then sends each story back."""
        in_review = queryset.filter(status=Article.Status.REVIEW)
        form = forms.ReturnNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            note = form.cleaned_data["note"]
            self._bulk(
                request,
                in_review,
                lambda article, user: services.article_return_to_draft(
                    article=article, user=user, note=note
                ),
                "sent back to draft with your note",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Send stories back to their writers",
            "opts": self.model._meta,
            "articles": list(in_review.select_related(None).only("pk", "headline")),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "form": form,
            "action": "return_to_draft",
        }
        return TemplateResponse(request, "admin/newsroom/article/return_note.html", context)

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return None

    # --- Sharing with an outside reviewer -----------------------------------------

    def has_share_permission(self, request, object_id=None):
        return request.user.has_perm("newsroom.add_reviewlink")

    @action(description="Share for review", url_path="share", permissions=["share"], icon="share")
    def share_for_review(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        form = forms.ReviewLinkForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            link = services.review_link_create(
                article=article,
                user=request.user,
                expires_at=form.expires_at(),
                label=form.cleaned_data["label"],
            )
            url = request.build_absolute_uri(review_link_path(link))
            self.message_user(
                request,
                format_html(
                    "Share link created. Send this address to the reviewer: "
                    '<a href="{}">{}</a>. It shows the article exactly as it is now, until '
                    "{}.",
                    url,
                    url,
                    f"{timezone.localtime(link.expires_at):%-d %B %Y %H:%M}",
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Share “{article}” for review",
            "opts": self.model._meta,
            "original": article,
            "object": article,
            "form": form,
            "change_url": reverse("admin:newsroom_article_change", args=[article.pk]),
        }
        return TemplateResponse(request, "admin/newsroom/article/share.html", context)


@admin.register(EditorialEvent)
class EditorialEventAdmin(ModelAdmin):
    """The whole newsroom's audit trail, read-only."""

    list_display = ["at", "action", "article", "actor", "actor_name", "note"]
    list_filter = ["action", "at"]
    list_select_related = ["article", "actor"]
    search_fields = ["article__headline", "actor__username", "actor_name", "note"]
    date_hierarchy = "at"
    readonly_fields = ["at", "action", "article", "actor", "actor_name", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewLink)
class ReviewLinkAdmin(ModelAdmin):
    """Share links; they are made from an article's page ("Share for review")."""

    list_display = ["article", "label", "state", "created_by", "created_at", "expires_at"]
    list_select_related = ["article", "created_by"]
    list_filter = ["created_at", "expires_at"]
    search_fields = ["article__headline", "label", "approved_by_name"]
    fields = [
        "article",
        "label",
        "state",
        "link",
        "expires_at",
        "created_by",
        "created_at",
        "approved_by_name",
        "approved_at",
        "revoked_at",
    ]
    readonly_fields = [f for f in fields if f not in ("label", "expires_at")]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="State")
    def state(self, obj):
        return review_link_state(obj)

    @admin.display(description="Address to send")
    def link(self, obj):
        if not obj.is_active:
            return "— (no longer works)"
        path = review_link_path(obj)
        return format_html('<a href="{}">{}</a>', path, path)

    @admin.action(description="Revoke selected links", permissions=["change"])
    def revoke(self, request, queryset):
        links = list(queryset.filter(revoked_at__isnull=True).select_related("article"))
        for link in links:
            services.review_link_revoke(link=link, user=request.user)
        self.message_user(
            request, f"{len(links)} link{'s' if len(links) != 1 else ''} revoked.", messages.SUCCESS
        )
