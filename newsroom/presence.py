"""Who else has a story open: a heartbeat from each open article form, kept in the cache.

Like WordPress's post locks, but nobody is locked out: the form only says who
else is there, and the version check on save still refuses a stale save. Each
open form posts a heartbeat every ``HEARTBEAT_SECONDS``; someone not heard from
for ``STALE_SECONDS`` has left. The cache (Redis when configured) is shared by
every worker; a lost entry only hides someone until their next heartbeat.
"""

import time

from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.http import require_POST

HEARTBEAT_SECONDS = 20
STALE_SECONDS = 60


def _key(article_pk):
    return f"article-presence:v1:{article_pk}"


def _name(user):
    return user.get_full_name() or user.get_username()


def presence_beat(article_pk, user, *, now=None):
    """Record that ``user`` has the story open; return the others who have it open."""
    now = now or time.time()
    seen = cache.get(_key(article_pk)) or {}
    seen = {uid: entry for uid, entry in seen.items() if now - entry["at"] <= STALE_SECONDS}
    mine = seen.get(str(user.pk))
    seen[str(user.pk)] = {
        "name": _name(user),
        "at": now,
        "since": mine["since"] if mine else now,
    }
    cache.set(_key(article_pk), seen, STALE_SECONDS * 2)
    return others(seen, user, now)


def presence_leave(article_pk, user):
    seen = cache.get(_key(article_pk)) or {}
    if seen.pop(str(user.pk), None) is not None:
        cache.set(_key(article_pk), seen, STALE_SECONDS * 2)


def others(seen, user, now):
    return sorted(
        (
            {"name": entry["name"], "minutes": int((now - entry["since"]) // 60)}
            for uid, entry in seen.items()
            if uid != str(user.pk)
        ),
        key=lambda entry: entry["name"],
    )


class PresenceMixin:
    """The heartbeat URL, and who else is here when the form is rendered."""

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/presence/",
                self.admin_site.admin_view(require_POST(self.presence_view)),
                name=f"{opts.app_label}_{opts.model_name}_presence",
            ),
            *super().get_urls(),
        ]

    def presence_view(self, request, object_id):
        article = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        if request.POST.get("leave") == "1":
            presence_leave(article.pk, request.user)
            return JsonResponse({"others": []})
        return JsonResponse({"others": presence_beat(article.pk, request.user)})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and request.method == "GET":
            context["presence_others"] = presence_beat(obj.pk, request.user)
            context["presence_url"] = reverse("admin:newsroom_article_presence", args=[obj.pk])
            context["presence_seconds"] = HEARTBEAT_SECONDS
        return super().render_change_form(request, context, add, change, form_url, obj)
