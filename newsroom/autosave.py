"""Autosave on the article form: unsaved edits kept beside the story, offered back later.

The form's script (static/newsroom/admin/autosave.js) posts the headline, dek,
body and tags every ``autosave_seconds`` while they differ from the last post,
and once more when the tab is closed. They land in one
:class:`~newsroom.models.ArticleAutosave` row per story and editor: not a
revision, never published, removed when the story is saved.

Reopening the story offers the autosave when it is newer than the story's last
save. "Restore" opens the form with those values over the stored ones, and with
the version the edits started from: if someone else saved since, that save is
refused as stale like any other, so an autosave never overwrites anyone's save.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .html import clean_html
from .mentions import html_to_text
from .models import Article, ArticleAutosave

FIELDS = ("headline", "dek", "body", "tags")
LIMITS = {"headline": 500, "dek": 5000, "body": 500_000, "tags": 2000}
EDITABLE = (Article.Status.DRAFT, Article.Status.REVIEW)


def _tags_text(article):
    return ", ".join(sorted(article.tags.names(), key=str.lower))


class AutosaveMixin:
    """Autosave URLs and the "restore your unsaved edits" offer on the article form."""

    autosave_seconds = 30

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/autosave/",
                self.admin_site.admin_view(require_POST(self.autosave_view)),
                name=f"{name}_autosave",
            ),
            path(
                "<path:object_id>/autosave/discard/",
                self.admin_site.admin_view(require_POST(self.autosave_discard_view)),
                name=f"{name}_autosave_discard",
            ),
            *super().get_urls(),
        ]

    def _autosave_article(self, request, object_id):
        article = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        if not self.has_change_permission(request, article) or article.status not in EDITABLE:
            raise PermissionDenied
        return article

    def autosave_view(self, request, object_id):
        article = self._autosave_article(request, object_id)
        try:
            base = int(request.POST.get("opened_version", ""))
        except ValueError:
            return JsonResponse({"error": "The form's version is missing."}, status=400)
        data = {name: request.POST.get(name, "")[: LIMITS[name]] for name in FIELDS}
        autosave, _created = ArticleAutosave.objects.update_or_create(
            article=article,
            user=request.user,
            defaults={"data": data, "base_version": base, "saved_at": timezone.now()},
        )
        return JsonResponse(
            {"saved_at": timezone.localtime(autosave.saved_at).strftime("%H:%M:%S")}
        )

    def autosave_discard_view(self, request, object_id):
        article = self._autosave_article(request, object_id)
        ArticleAutosave.objects.filter(article=article, user=request.user).delete()
        self.message_user(request, "Your autosaved edits were discarded.", messages.INFO)
        return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[article.pk]))

    # --- Offering and restoring -----------------------------------------------------

    @staticmethod
    def _pending_autosave(request, article):
        """This editor's autosave of ``article`` when it holds edits newer than the story."""
        if article is None or article.pk is None or article.status not in EDITABLE:
            return None
        autosave = ArticleAutosave.objects.filter(article=article, user=request.user).first()
        if autosave is None or autosave.saved_at <= article.updated_at:
            return None
        current = {
            "headline": article.headline,
            "dek": article.dek,
            "body": article.body,
            "tags": _tags_text(article),
        }
        def words(name, value):
            value = html_to_text(value) if name == "body" else str(value or "")
            return " ".join(value.split())

        differs = any(words(k, autosave.data.get(k, "")) != words(k, current[k]) for k in FIELDS)
        return autosave if differs else None

    def get_object(self, request, object_id, from_field=None):
        """With ``?restore_autosave=1``, the story with the autosaved edits laid over it.

        Nothing is written: the form opens with those values and with the version
        they started from, and only a save keeps them.
        """
        article = super().get_object(request, object_id, from_field)
        if (
            article is not None
            and request.method == "GET"
            and request.GET.get("restore_autosave") == "1"
        ):
            autosave = ArticleAutosave.objects.filter(article=article, user=request.user).first()
            if autosave is not None:
                data = autosave.data
                article.headline = data.get("headline", article.headline)
                article.dek = data.get("dek", article.dek)
                article.body = clean_html(data.get("body", article.body))
                article._autosaved_tags = data.get("tags", "")
                article._restored_from = autosave
                article.version = autosave.base_version
        return article

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        tags = getattr(obj, "_autosaved_tags", None)
        if tags is None:
            return form

        class RestoredForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if not self.is_bound:
                    self.initial["tags"] = tags

        RestoredForm.__name__ = form.__name__
        return RestoredForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and obj.status in EDITABLE:
            if self.has_change_permission(request, obj):
                context["autosave_url"] = reverse(
                    "admin:newsroom_article_autosave", args=[obj.pk]
                )
                context["autosave_seconds"] = self.autosave_seconds
            restored = getattr(obj, "_restored_from", None)
            if restored is not None:
                context["autosave_restored"] = restored
                context["autosave_stale"] = (
                    Article.objects.filter(pk=obj.pk).values_list("version", flat=True).first()
                    != restored.base_version
                )
            elif request.method == "GET":
                context["autosave_pending"] = self._pending_autosave(request, obj)
                context["autosave_discard_url"] = reverse(
                    "admin:newsroom_article_autosave_discard", args=[obj.pk]
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ArticleAutosave.objects.filter(article=obj, user=request.user).delete()
