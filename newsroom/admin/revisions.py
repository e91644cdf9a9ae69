"""Revision history in the admin: list, compare two revisions, restore one.

django-reversion stores a revision on every admin save. ``VersionedAdmin`` shows
them in the theme of the rest of the admin:

- ``<id>/history/``: every revision with who and when, and a form to compare two;
- ``<id>/history/compare/?from=<a>&to=<b>``: what changed between two revisions;
- ``<id>/history/<version>/``: one revision against the current state, with a
  button to restore it.

Differences are computed with difflib on readable values (names of related
rows, text of rich-text bodies) and handed to the template as (operation, text)
pairs that the template escapes; nothing an editor wrote is marked safe.
"""

import difflib
import re

import reversion
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version

from ..mentions import html_to_text

# Bookkeeping that changes on every save and says nothing to a reader of the diff.
HIDDEN_FIELDS = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "lead_image_width",
    "lead_image_height",
    "width",
    "height",
}

_WORDS = re.compile(r"\s+|[^\s]+")


def readable_text(value):
    """Readable text of sanitised HTML for a diff: one line per block, no tags, no entities."""
    lines = (line.strip() for line in html_to_text(value).splitlines())
    return "\n".join(line for line in lines if line)


def readable_values(model, values, related_reprs=None):
    """Map a version's raw field values to ``{label: text}`` for comparison."""
    readable = {}
    for field in _compared_fields(model):
        if field.attname not in values:
            continue
        value = values[field.attname]
        if field.many_to_many:
            objects = field.related_model._default_manager.in_bulk(list(value or []))
            text = "\n".join(sorted(str(objects.get(_pk(pk), f"(deleted #{pk})")) for pk in value))
        elif field.is_relation:
            related = (
                field.related_model._default_manager.filter(pk=value).first()
                if value is not None
                else None
            )
            text = str(related) if related else ("" if value is None else f"(deleted #{value})")
        elif field.choices:
            text = str(dict(field.flatchoices).get(value, value or ""))
        elif isinstance(field, models.TextField) and "<" in str(value or ""):
            text = readable_text(value)
        elif isinstance(field, models.FileField):
            text = str(value or "")
        else:
            text = "" if value is None else str(value)
        readable[capfirst(field.verbose_name)] = text
    readable.update(related_reprs or {})
    return readable


def _compared_fields(model):
    """Concrete fields and plain many-to-many fields (tags come as followed rows)."""
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.name not in HIDDEN_FIELDS
        and (not field.many_to_many or isinstance(field, models.ManyToManyField))
    ]


def raw_values(obj):
    """An object's current values, shaped like ``Version.field_dict``."""
    values = {}
    for field in _compared_fields(type(obj)):
        if field.many_to_many:
            values[field.attname] = list(getattr(obj, field.name).values_list("pk", flat=True))
        else:
            values[field.attname] = getattr(obj, field.attname)
    return values


def _pk(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def diff_segments(old, new):
    """Word-level difference of two texts as (operation, text) pairs.

    The operation is "equal", "delete" or "insert"; a replacement gives a
    deletion followed by an insertion.
    """
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    segments = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            segments.append(("delete", "".join(old_words[a1:a2])))
        if b2 > b1:
            segments.append(("insert", "".join(new_words[b1:b2])))
    return segments


def compare(old, new):
    """The fields whose readable values differ, each with its segments."""
    changes = []
    for label in dict.fromkeys([*old, *new]):
        before, after = old.get(label, ""), new.get(label, "")
        if before != after:
            changes.append(
                {
                    "label": label,
                    "before": before,
                    "after": after,
                    "segments": diff_segments(before, after),
                    "multiline": "\n" in before or "\n" in after or len(before + after) > 120,
                }
            )
    return changes


class VersionedAdmin(VersionAdmin):
    """A ``VersionAdmin`` with a history page, a readable diff and a restore button."""

    object_history_template = "admin/revisions/object_history.html"
    # reversion's "recover deleted" list is not themed; keep the theme's own changelist.
    change_list_template = None
    revision_compare_template = "admin/revisions/compare.html"
    history_latest_first = True

    # --- Values ------------------------------------------------------------

    def _followed_reprs(self, version):
        """Rows saved along with this one (tags, inlines), as {label: text}."""
        grouped = {}
        for other in version.revision.version_set.exclude(pk=version.pk).select_related(
            "content_type"
        ):
            model = other.content_type.model_class()
            if model is None:
                continue
            label = capfirst(model._meta.verbose_name_plural)
            grouped.setdefault(label, []).append(other.object_repr)
        return {label: "\n".join(sorted(reprs)) for label, reprs in grouped.items()}

    def _current_followed_reprs(self, obj):
        options = reversion.revisions._get_options(self.model)
        grouped = {}
        for name in options.follow:
            related = getattr(obj, name)
            rows = related.all() if hasattr(related, "all") else [related]
            for row in rows:
                label = capfirst(type(row)._meta.verbose_name_plural)
                grouped.setdefault(label, []).append(str(row))
        return {label: "\n".join(sorted(reprs)) for label, reprs in grouped.items()}

    def version_values(self, version):
        return readable_values(self.model, version.field_dict, self._followed_reprs(version))

    def current_values(self, obj):
        return readable_values(self.model, raw_values(obj), self._current_followed_reprs(obj))

    # --- URLs and views ----------------------------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            *super().get_urls(),
        ]

    def _versions(self, object_id):
        return Version.objects.get_for_object_reference(self.model, object_id).select_related(
            "revision", "revision__user"
        )

    def _context(self, request, obj, title, **extra):
        opts = self.model._meta
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj),
            "object": obj,
            "original": obj,
            "opts": opts,
            "app_label": opts.app_label,
            "module_name": str(capfirst(opts.verbose_name_plural)),
            "history_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                args=[quote(obj.pk)],
            ),
            "change_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
            ),
            **extra,
        }

    def _get_object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.model._meta.verbose_name} with this id.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(self, request, object_id, extra_context=None):
        obj = self._get_object_or_404(request, object_id)
        opts = self.model._meta
        versions = list(self._versions(obj.pk))
        rows = [
            {
                "version": version,
                "revision": version.revision,
                "url": reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                    args=[quote(obj.pk), version.pk],
                ),
            }
            for version in versions
        ]
        context = self._context(
            request,
            obj,
            f"History of {obj}",
            rows=rows,
            compare_url=reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_compare",
                args=[quote(obj.pk)],
            ),
            **(extra_context or {}),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id):
        obj = self._get_object_or_404(request, object_id)
        versions = self._versions(obj.pk)
        try:
            older = versions.get(pk=request.GET.get("from"))
            newer = versions.get(pk=request.GET.get("to"))
        except (Version.DoesNotExist, ValueError):
            messages.error(request, "Choose two revisions of this page to compare.")
            return HttpResponseRedirect(self._context(request, obj, "")["history_url"])
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        context = self._context(
            request,
            obj,
            f"Changes to {obj}",
            older=older,
            newer=newer,
            older_label=_revision_label(older),
            newer_label=_revision_label(newer),
            changes=compare(self.version_values(older), self.version_values(newer)),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.revision_compare_template, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """One revision against the current state; POST restores it."""
        obj = self._get_object_or_404(request, object_id)
        version = get_object_or_404(self._versions(obj.pk), pk=version_id)
        can_restore = self.has_change_permission(request, obj)
        if request.method == "POST":
            if not can_restore:
                raise PermissionDenied
            try:
                self.restore_version(request, obj, version)
            except (RevertError, models.ProtectedError) as error:
                self.message_user(
                    request, f"This revision cannot be restored: {error}", messages.ERROR
                )
                return HttpResponseRedirect(request.path)
            self.message_user(
                request,
                f"Restored the revision of {_revision_label(version)}. "
                "The page as it was before is kept in the history too.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._context(request, obj, "")["change_url"])
        context = self._context(
            request,
            obj,
            f"Revision of {obj}",
            older=version,
            older_label=_revision_label(version),
            newer_label="the current version",
            changes=compare(self.version_values(version), self.current_values(obj)),
            can_restore=can_restore,
            restore_note=self.restore_note,
            **(extra_context or {}),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.revision_compare_template, context)

    # --- Restoring -----------------------------------------------------------

    restore_note = "Restoring saves the content of this revision as a new revision."

    def restore_version(self, request, obj, version):
        """Bring back ``version`` (and the rows saved with it) as a new revision."""
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"Restored the revision of {_revision_label(version)}.")
            kept = self.fields_kept_on_restore(obj)
            version.revision.revert(delete=True)
            # The revert writes raw rows; save once more as an ordinary save so the
            # usual bookkeeping (redirects for a changed slug, timestamps) happens.
            obj.refresh_from_db()
            for name, value in kept.items():
                setattr(obj, name, value)
            obj.save()
            self.after_restore(request, obj, version)
        return obj

    def fields_kept_on_restore(self, obj):
        """Field values a restore leaves as they are now; see ArticleAdmin."""
        return {}

    def after_restore(self, request, obj, version):
        """Hook for side effects of a restore, such as an audit entry."""


def _revision_label(version):
    who = version.revision.user.get_username() if version.revision.user else "someone"
    when = localize(template_localtime(version.revision.date_created))
    return f"{when} by {who}"
