"""Confirmation pages: stop a save, show what it affects, carry the request through on "Yes".

A guard raises :class:`NeedsConfirmation` before anything is written;
:class:`ConfirmationMixin` renders the page listing what is affected. Uploads of
the stopped request are held in a private folder (:mod:`newsroom.uploads`) so the
confirmed request still has them.
"""

from dataclasses import dataclass

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.forms.formsets import all_valid
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from .. import uploads

CONFIRM_FIELD = "_confirm_links"
BACK_FIELD = "_links_back"
HELD_FILES_FIELD = "_held_upload"


class NeedsConfirmation(Exception):  # noqa: N818 - it is a signal, not an error
    """Raised before anything is written; carries what the editor must confirm."""

    def __init__(self, title, question, groups, *, proceed_label="Yes, go ahead"):
        super().__init__(title)
        self.title = title
        self.question = question
        self.groups = groups  # [(heading, [Affected, ...]), ...]
        self.proceed_label = proceed_label


@dataclass
class Affected:
    """One thing the editor should know about before confirming."""

    name: str
    note: str = ""
    admin_url: str = ""
    public_url: str = ""


def confirmed(request):
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def guarding(request):
    """True while the change form handles a save that has not been confirmed yet."""
    return (
        getattr(request, "_links_guard", False)
        and not confirmed(request)
        and _inlines_valid(request)
    )


def _inlines_valid(request):
    """True unless an inline of the change form is invalid (a bad upload, a missing field).

    Called where the admin would validate its inlines next; their errors are
    shown instead of a confirmation page, and no upload of an invalid form is held.
    """
    formsets = getattr(request, "_confirmation_formsets", None)
    return formsets is None or all_valid(formsets)


def _sweep_held_uploads(now=None):
    """Remove uploads held for confirmations nobody answered within the hour."""
    uploads.sweep(now)


def _hold_uploads(request):
    """Keep this request's uploads, cleaned and private, for the confirmed request."""
    if not request.FILES:
        return []
    return uploads.hold_all(request.FILES)


def _restore_uploads(request):
    """Put uploads held by a confirmation page back into ``request.FILES``."""
    tokens = request.POST.getlist(HELD_FILES_FIELD)
    if not tokens:
        return []
    held, names, lost = uploads.restore(tokens)
    request._held_uploads_lost = lost
    files = MultiValueDict(request.FILES)
    for field_name, upload in held.items():
        files[field_name] = upload
    request._files = files
    return names


def _forget_uploads(names):
    uploads.forget(names)


class ConfirmationMixin:
    """Lets a save or an action ask for a confirmation page before anything is saved.

    ``save_form`` (called once the form is valid, before ``save_model`` and the
    inlines) raises :class:`NeedsConfirmation`; nothing has been written at that
    point and the admin's transaction rolls back. The page re-posts every field of the original
    request, uploads included, with ``_confirm_links=yes``; "No" re-posts them
    with ``_links_back`` and the form comes back with the editor's input and a
    note that nothing was saved.
    """

    confirmation_template = "admin/newsroom/article/confirm_links.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        restored = _restore_uploads(request) if request.method == "POST" else []
        request._links_guard = True
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NeedsConfirmation as needed:
            return self.render_confirmation(request, needed, object_id=object_id)
        finally:
            _forget_uploads(restored)

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request._confirmation_formsets = formsets
        return formsets, inline_instances

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.method == "POST" and BACK_FIELD in request.POST:
            return type(form.__name__, (_HeldBackForm, form), {})
        if getattr(request, "_held_uploads_lost", 0):
            return type(form.__name__, (_HeldUploadLostForm, form), {})
        return form

    def render_confirmation(self, request, needed, *, object_id=None, action=False):
        fields = [
            (name, value)
            for name in request.POST
            if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD, BACK_FIELD, HELD_FILES_FIELD)
            for value in request.POST.getlist(name)
        ]
        # Uploads a previous confirmation held are back in request.FILES: held anew.
        held = [] if action else _hold_uploads(request)
        opts = self.model._meta
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        context = {
            **self.admin_site.each_context(request),
            "title": needed.title,
            "question": needed.question,
            "groups": needed.groups,
            "proceed_label": needed.proceed_label,
            "fields": fields,
            "held_uploads": held,
            "held_field": HELD_FILES_FIELD,
            "confirm_field": CONFIRM_FIELD,
            "back_field": BACK_FIELD,
            "is_action": action,
            "opts": opts,
            "object": obj,
            "form_url": request.get_full_path(),
            "back_url": (
                self._change_url(obj)
                if obj is not None and not action
                else reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            ),
        }
        return TemplateResponse(request, self.confirmation_template, context)

    @staticmethod
    def _change_url(obj):
        opts = obj._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


class _HeldBackForm:
    """The editor answered "No" on a confirmation page: show the form again, unsaved."""

    def clean(self):
        cleaned = super().clean()
        message = "Not saved yet: review the links listed before, then save again."
        if self.files:
            message += " Choose the file to upload again: it was not kept."
        self.add_error(None, ValidationError(message, code="held_back"))
        return cleaned


class _HeldUploadLostForm:
    """A confirmed save whose held upload is gone (too old): nothing is saved without it."""

    def clean(self):
        cleaned = super().clean()
        message = (
            "Not saved: the file chosen before the confirmation is no longer kept (files "
            "wait an hour at most). Choose the file again and save."
        )
        self.add_error(None, ValidationError(message, code="held_upload_lost"))
        return cleaned


# What a link points at -----------------------------------------------------------------
