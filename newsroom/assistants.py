"""The admin's assistants for editors: mention suggestions and the unpublished-link guard.

* :class:`MentionSuggestionsMixin` (article admin) lists, on the change form,
  the people, brands, products, campaigns and events the headline, dek or body
  mention but the article does not link yet, each with a one-click "Link"
  button, and the linked ones the text never mentions. Matching follows
  :mod:`newsroom.mentions`. Only names, aliases and slugs are loaded (one
  ``values_list`` per model), compiled once into one regular expression and
  kept per process until any of those rows changes.
* :class:`PublishGuardMixin` (article admin) stops a save or an action that
  would publish an article linking to something still embargoed (or to a page
  that does not exist), or unpublish an article other published stories link
  to, and shows a confirmation page listing what is affected. Only "Yes"
  carries the original request through.
* :class:`EmbargoGuardMixin` (person, brand, product, campaign and event admins)
  does the same when an embargo would hide something published stories link to.

Catalog's admin may not import the newsroom, so the brand and product admins
get their guard from :func:`guard_catalog_admins`, which this module runs when
the newsroom admin imports it (re-registering them with the guard added).
"""

import copy
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max
from django.forms.formsets import all_valid
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.text import slugify
from django.views.decorators.http import require_POST

import catalog.admin  # noqa: F401 - registers the brand and product admins guarded below
from catalog.models import Brand, Product, split_aliases

from . import entities, services, uploads
from .links import unreachable_links
from .mentions import Matcher, html_to_text
from .models import Article


def mentionable():
    """``(article field, model, label)`` of every kind a story links, from the registry."""
    return [(kind.article_field, kind.model, kind.key) for kind in entities.kinds()]


def mentionable_fields():
    return {name: (model, label) for name, model, label in mentionable()}

CONFIRM_FIELD = "_confirm_links"
BACK_FIELD = "_links_back"
HELD_FILES_FIELD = "_held_upload"


# Mention suggestions ----------------------------------------------------------------


@dataclass(eq=False, frozen=True)
class EntityRef:
    """What the matcher needs to know about a person, brand, product, campaign or event."""

    field: str  # the article's many-to-many field: "people", "brands", ...
    pk: int
    name: str
    slug: str
    aliases: tuple
    embargoed_until: datetime | None

    @property
    def all_names(self):
        return [self.name, *[alias for alias in self.aliases if alias != self.name]]

    @property
    def key(self):
        return f"{self.field}:{self.pk}"

    @property
    def label(self):
        return mentionable_fields()[self.field][1]

    @property
    def is_embargoed(self):
        return self.embargoed_until is not None and self.embargoed_until > timezone.now()

    @property
    def admin_url(self):
        model = mentionable_fields()[self.field][0]
        opts = model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.pk])


class MentionIndex:
    """Every mentionable entity's names, compiled into one matcher."""

    def __init__(self, refs):
        self.refs = {ref.key: ref for ref in refs}
        self.matcher = Matcher(self.refs.values())


_index_lock = threading.Lock()
_index_cache = {}


def _index_version():
    """Changes whenever a mentionable row is added, deleted or saved."""
    parts = []
    for _field, model, _label in mentionable():
        summary = model.objects.aggregate(count=Count("pk"), last=Max("updated_at"))
        parts.append((summary["count"], summary["last"]))
    return tuple(parts)


def mention_index():
    """The matcher for all mentionable entities, rebuilt only when one of them changed."""
    version = _index_version()
    with _index_lock:
        cached = _index_cache.get("index")
        if cached is not None and cached[0] == version:
            return cached[1]
    refs = []
    for field_name, model, _label in mentionable():
        rows = model.objects.values_list("pk", "name", "slug", "aliases", "embargoed_until")
        for pk, name, slug, aliases, embargoed_until in rows.iterator(chunk_size=2000):
            alias_list = tuple(split_aliases(aliases))
            refs.append(EntityRef(field_name, pk, name, slug, alias_list, embargoed_until))
    index = MentionIndex(refs)
    with _index_lock:
        _index_cache["index"] = (version, index)
    return index


def reset_mention_index():
    """Drop the process's compiled index (tests, which swap databases under it)."""
    with _index_lock:
        _index_cache.clear()


@dataclass
class Suggestion:
    entity: EntityRef
    count: int
    snippet: str
    where: str  # where it is first mentioned: "headline", "dek" or "text"


@dataclass
class MentionReport:
    suggestions: list = field(default_factory=list)  # mentioned, not linked
    unmentioned: list = field(default_factory=list)  # linked, never mentioned
    confirmed: list = field(default_factory=list)  # linked and mentioned
    unknown: list = field(default_factory=list)  # capitalised names the newsroom lacks

    def __bool__(self):
        return bool(self.suggestions or self.unmentioned or self.confirmed)


def _snippet(text, start, end, width=60):
    """The words around a mention, within its paragraph."""
    line_start = text.rfind("\n\n", 0, start)
    line_start = 0 if line_start == -1 else line_start + 2
    line_end = text.find("\n\n", end)
    line_end = len(text) if line_end == -1 else line_end
    left = max(line_start, start - width)
    right = min(line_end, end + width)
    before, after = text[left:start], text[end:right]
    if left > line_start and " " in before:
        before = "…" + before.split(" ", 1)[1]
    if right < line_end and " " in after:
        after = after.rsplit(" ", 1)[0] + "…"
    return " ".join(f"{before}{text[start:end]}{after}".split())


def article_parts(article):
    """The words readers see, by part: headline, dek and body without markup."""
    return [
        ("headline", article.headline or ""),
        ("dek", article.dek or ""),
        ("text", html_to_text(article.body)),
    ]


def article_text(article):
    """The headline, dek and body text in one string, and where each part starts."""
    return _joined(article_parts(article))


def _joined(parts):
    starts, pieces, offset = [], [], 0
    for where, part in parts:
        if not part:
            continue
        starts.append((offset, where))
        pieces.append(part)
        offset += len(part) + 2
    return "\n\n".join(pieces), starts


def _part_at(starts, position):
    where = starts[0][1] if starts else "text"
    for start, name in starts:
        if start > position:
            break
        where = name
    return where


def mention_report(article, *, index=None):
    """What ``article`` mentions but does not link, and what it links but never mentions."""
    linked = set()
    for field_name, _model, _label in mentionable():
        pks = getattr(article, field_name).values_list("pk", flat=True)
        linked.update(f"{field_name}:{pk}" for pk in pks)
    return text_mention_report(article_parts(article), linked, index=index)


def text_mention_report(parts, linked, *, index=None):
    """The same report for text not saved yet: ``parts`` as :func:`article_parts` gives
    them, ``linked`` the keys (``"people:12"``) the form has selected."""
    index = index or mention_index()
    text, starts = _joined(parts)
    spans = {}
    for mention in index.matcher.find(text):
        spans.setdefault((mention.start, mention.end), []).append(mention.entity)

    seen = {}
    mentioned = set()
    for (start, end), refs in spans.items():
        mentioned.update(ref.key for ref in refs)
        if any(ref.key in linked for ref in refs):
            continue  # one of the things with this name is linked: the mention is covered
        for ref in refs:
            if ref.key in seen:
                seen[ref.key].count += 1
            else:
                seen[ref.key] = Suggestion(
                    ref, 1, _snippet(text, start, end), _part_at(starts, start)
                )

    report = MentionReport(suggestions=list(seen.values()))
    report.unknown = unknown_names(text, spans)
    for key in sorted(linked, key=lambda k: index.refs[k].name if k in index.refs else k):
        ref = index.refs.get(key)
        if ref is None:
            continue
        (report.confirmed if key in mentioned else report.unmentioned).append(ref)
    return report


# Words that start sentences or titles, not names.
_NOT_NAMES = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "he", "her", "his", "i",
    "if", "in", "it", "its", "my", "of", "on", "or", "our", "she", "so", "that", "the",
    "their", "then", "there", "these", "they", "this", "those", "to", "we", "when",
    "where", "while", "with", "yet", "you", "your", "after", "before", "during", "every",
    "mr", "mrs", "ms", "dr", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
}
_WORD = re.compile(r"[^\W\d_][\w'’.-]*[^\W_]|[^\W\d_]")
UNKNOWN_LIMIT = 8


def unknown_names(text, known_spans):
    """Capitalised names in ``text`` that match nothing the newsroom knows, in order.

    A name is a run of capitalised words separated by single spaces ("Michelle
    Yeoh", "Coperni"), leading sentence words ("The", "In") dropped; a lone word
    is a name only where it does not start a sentence.
    """
    covered = [range(start, end) for start, end in known_spans]
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    runs, run = [], []
    for start, end, word in words:
        joins = run and text[run[-1][1] : start] == " "
        if word[0].isupper() and (joins or not run):
            run.append((start, end, word))
            continue
        if run:
            runs.append(run)
        run = [(start, end, word)] if word[0].isupper() else []
    if run:
        runs.append(run)

    found, seen = [], set()
    for run in runs:
        sentence_start = _starts_sentence(text, run[0][0])
        while run and run[0][2].lower().rstrip(".") in _NOT_NAMES:
            run = run[1:]
            sentence_start = False
        while run and run[-1][2].lower().rstrip(".") in _NOT_NAMES:
            run = run[:-1]
        if not run or (len(run) == 1 and sentence_start):
            continue
        start, end = run[0][0], run[-1][1]
        if any(start in span or end - 1 in span for span in covered):
            continue
        name = text[start:end].rstrip(".")
        if name.lower() in seen or len(name) < 3 or name.isupper() and len(name) < 4:
            continue
        seen.add(name.lower())
        found.append(name)
        if len(found) == UNKNOWN_LIMIT:
            break
    return found


def _starts_sentence(text, position):
    before = text[:position].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?:\n…"


class MentionSuggestionsMixin:
    """Shows mention suggestions on the article change form and links them in one click."""

    mention_suggestions_template = "admin/newsroom/article/mention_suggestions.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "mentions/check/",
                self.admin_site.admin_view(self.check_mentions_view),
                name=f"{opts.app_label}_{opts.model_name}_check_mentions",
            ),
            path(
                "<path:object_id>/mentions/",
                self.admin_site.admin_view(self.link_mentions_view),
                name=f"{opts.app_label}_{opts.model_name}_link_mentions",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if request.method == "GET":
            article = self.get_object(request, unquote(object_id))
            if article is not None:
                extra_context["mention_report"] = mention_report(article)
                extra_context["mention_suggestions_template"] = self.mention_suggestions_template
                extra_context["can_link_mentions"] = self.has_change_permission(request, article)
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        """The add form gets the panel too, filled in as the writer types."""
        extra_context = extra_context or {}
        if request.method == "GET":
            extra_context["mention_report"] = MentionReport()
            extra_context["mention_suggestions_template"] = self.mention_suggestions_template
            extra_context["can_link_mentions"] = True
        return super().add_view(request, form_url, extra_context)

    # --- Live suggestions: the text as typed, not yet saved ------------------------------

    MAX_CHECKED_CHARS = 400_000

    def check_mentions_view(self, request):
        """POST the form's headline, dek, body and selections; answer the report as JSON.

        Nothing is saved. The answer carries the report's rows and the panel's
        HTML rendered from them, so the page can swap the panel in place.
        """
        return require_POST(self._check_mentions)(request)

    def _check_mentions(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        limit = self.MAX_CHECKED_CHARS
        parts = [
            ("headline", request.POST.get("headline", "")[:1000]),
            ("dek", request.POST.get("dek", "")[:5000]),
            ("text", html_to_text(request.POST.get("body", "")[:limit])),
        ]
        linked = set()
        for field_name, pks in self._parse_keys(
            f"{name}:{pk}" for name in mentionable_fields() for pk in request.POST.getlist(name)
        ).items():
            linked.update(f"{field_name}:{pk}" for pk in pks)
        report = text_mention_report(parts, linked)
        original = None
        object_id = request.POST.get("article", "")
        if re.fullmatch(r"[0-9]{1,18}", object_id):
            original = self.get_queryset(request).filter(pk=int(object_id)).first()
        unknown = [
            {"name": name, "create": self._create_links(request, name)} for name in report.unknown
        ]
        context = {
            "opts": self.model._meta,
            "original": original,
            "mention_report": report,
            "unknown_names": unknown,
            "can_link_mentions": True,
            "live": True,
        }
        html = render_to_string(self.mention_suggestions_template, context, request=request)
        return JsonResponse(
            {
                "suggestions": [
                    {
                        **self._entity_json(s.entity),
                        "count": s.count,
                        "where": s.where,
                        "snippet": s.snippet,
                    }
                    for s in report.suggestions
                ],
                "unmentioned": [self._entity_json(ref) for ref in report.unmentioned],
                "confirmed": [self._entity_json(ref) for ref in report.confirmed],
                "unknown": unknown,
                "html": html,
            }
        )

    @staticmethod
    def _entity_json(ref):
        return {
            "key": ref.key,
            "field": ref.field,
            "pk": ref.pk,
            "name": ref.name,
            "label": ref.label,
            "embargoed": ref.is_embargoed,
        }

    def _create_links(self, request, name):
        """Add-popup addresses, prefilled with ``name``, for each kind this user may add."""
        links = []
        for kind in entities.kinds():
            model_admin = self.admin_site._registry.get(kind.model)
            if model_admin is None or not model_admin.has_add_permission(request):
                continue
            opts = kind.model._meta
            query = urlencode(
                {"_to_field": "id", "_popup": "1", "name": name, "slug": slugify(name)}
            )
            links.append(
                {
                    "field": kind.article_field,
                    "label": str(kind.label),
                    "url": f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_add')}?{query}",
                }
            )
        return links

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        suggestions = mention_report(form.instance).suggestions
        if suggestions:
            names = self._join([suggestion.entity.name for suggestion in suggestions])
            self.message_user(
                request,
                format_html(
                    "{} {} mentioned but not linked. "
                    '<a href="{}#mention-suggestions">Review the mentions</a>.',
                    names,
                    "is" if len(suggestions) == 1 else "are",
                    self._article_change_url(form.instance),
                ),
                messages.WARNING,
            )

    @staticmethod
    def _parse_keys(values):
        wanted = {}
        for value in values:
            field_name, _, pk = value.partition(":")
            # ASCII digits only, and no longer than a 64-bit id ("²".isdigit() is true).
            if field_name in mentionable_fields() and re.fullmatch(r"[0-9]{1,18}", pk):
                wanted.setdefault(field_name, set()).add(int(pk))
        return wanted

    @transaction.atomic
    def _change_links(self, request, article, wanted, *, add):
        names = []
        for field_name, pks in wanted.items():
            model, _label = mentionable_fields()[field_name]
            objs = list(model.objects.filter(pk__in=pks).order_by("name"))
            if not objs:
                continue
            manager = getattr(article, field_name)
            if add:
                manager.add(*objs)
            else:
                manager.remove(*objs)
            names.extend(obj.name for obj in objs)
        if names:
            # A form opened before this change is now stale: its save must not undo it.
            Article.objects.filter(pk=article.pk).update(
                version=F("version") + 1, updated_at=timezone.now(), updated_by=request.user
            )
            if reversion.is_registered(Article):
                article.refresh_from_db()
                with reversion.create_revision():
                    reversion.set_user(request.user)
                    verb = "Linked" if add else "Unlinked"
                    reversion.set_comment(f"{verb} {self._join(names)} from mention suggestions.")
                    reversion.add_to_revision(article)
        return names

    @staticmethod
    def _join(names):
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    @staticmethod
    def _article_change_url(article):
        opts = article._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[article.pk])

    def link_mentions_view(self, request, object_id):
        """POST ``link=people:12`` (repeatable) or ``unlink=...`` to change the article's links."""
        return require_POST(self._link_mentions)(request, object_id)

    def _link_mentions(self, request, object_id):
        article = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        linked = self._change_links(
            request, article, self._parse_keys(request.POST.getlist("link")), add=True
        )
        unlinked = self._change_links(
            request, article, self._parse_keys(request.POST.getlist("unlink")), add=False
        )
        if linked:
            message = f"Linked {self._join(linked)} to this article."
            self.log_change(request, article, message)
            self.message_user(request, message, messages.SUCCESS)
        if unlinked:
            message = f"Unlinked {self._join(unlinked)} from this article."
            self.log_change(request, article, message)
            self.message_user(request, message, messages.SUCCESS)
        if not linked and not unlinked:
            self.message_user(request, "Nothing to link or unlink.", messages.WARNING)
        return HttpResponseRedirect(self._article_change_url(article))


# Confirmation pages --------------------------------------------------------------------


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


def _confirmed(request):
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def _guarding(request):
    """True while the change form handles a save that has not been confirmed yet."""
    return (
        getattr(request, "_links_guard", False)
        and not _confirmed(request)
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


def articles_linking_in_body(url, *, now, exclude_pk=None):
    """Live and scheduled articles whose body links to ``url`` (a path such as /people/x/)."""
    queryset = Article.objects.filter(
        status=Article.Status.PUBLISHED, body__contains=f'{url}"'
    ).only("pk", "headline", "slug", "published_at", "status")
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset.order_by("-published_at")[:200])


def _moment(value):
    return f"{timezone.localtime(value):%-d %b %Y %H:%M %Z}"


def _article_affected(article, note, *, now):
    when = "scheduled for " if article.published_at and article.published_at > now else ""
    stamp = f"{when}{_moment(article.published_at)}" if article.published_at else ""
    return Affected(
        name=article.headline,
        note=f"{note} ({stamp})" if stamp and note else note or stamp,
        admin_url=reverse("admin:newsroom_article_change", args=[article.pk]),
        public_url=(
            article.get_absolute_url()
            if article.published_at and article.published_at <= now
            else ""
        ),
    )


def _entity_affected(entity, label):
    opts = entity._meta
    until = entity.embargoed_until
    return Affected(
        name=f"{entity.name} ({label})",
        note=f"embargoed until {_moment(until)}" if until else "",
        admin_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entity.pk]),
    )


# The article side ----------------------------------------------------------------------


def _embargoed_in(cleaned_data, *, at):
    """The entities a form links that are still embargoed at ``at``: ``[(label, entity)]``."""
    found = []
    for field_name, _model, label in mentionable():
        for entity in cleaned_data.get(field_name) or []:
            if entity.embargoed_until and entity.embargoed_until > at:
                found.append((label, entity))
    return found


class PublishGuardMixin(ConfirmationMixin):
    """Asks before publishing with links readers cannot follow, or unpublishing a linked story.

    Wraps the article admin's ``save_form`` and its "publish" and "unpublish"
    actions; the admin class itself only needs this as a base.
    """

    def save_form(self, request, form, change):
        if _guarding(request):
            needed = self._publish_confirmation(request, form.instance, form, change)
            if needed is not None:
                raise needed
        return super().save_form(request, form, change)

    def _publish_confirmation(self, request, obj, form, change):
        data = form.cleaned_data
        now = timezone.now()
        status = data.get("status", obj.status)
        was = form.initial.get("status") if change else None
        published = Article.Status.PUBLISHED
        if status == published:
            at = max(data.get("published_at") or now, now)
            groups = []
            embargoed = _embargoed_in(data, at=at)
            if was == published:
                # Already public: ask only about links added by this save.
                before = {
                    (entity._meta.label, entity.pk)
                    for field_name, _model, _label in mentionable()
                    for entity in form.initial.get(field_name, []) or []
                }
                embargoed = [
                    (label, e) for label, e in embargoed if (e._meta.label, e.pk) not in before
                ]
            if embargoed:
                groups.append(
                    (
                        "Linked, but still under embargo: readers will not see these links "
                        "until each embargo lifts",
                        [_entity_affected(entity, label) for label, entity in embargoed],
                    )
                )
            if was != published or "body" in form.changed_data:
                broken = unreachable_links(
                    data.get("body", obj.body), at=at, host=request.get_host()
                )
                if broken:
                    groups.append(
                        (
                            "Links in the text to pages readers cannot open: they see the "
                            "words without the link until the page is public",
                            [Affected(name=href, note=reason) for href, reason in broken],
                        )
                    )
            if groups:
                verb = "Publish" if was != published else "Save"
                return NeedsConfirmation(
                    f"{verb} “{data.get('headline', obj.headline)}”?",
                    "This article links to pages readers cannot open yet.",
                    groups,
                    proceed_label=f"Yes, {verb.lower()} it",
                )
        elif was == published and change:
            linking = articles_linking_in_body(obj.get_absolute_url(), now=now, exclude_pk=obj.pk)
            if linking:
                return NeedsConfirmation(
                    f"Unpublish “{obj.headline}”?",
                    "Published stories link to this article; readers will see those links "
                    "as plain text until you publish it again.",
                    [
                        (
                            "Stories that link to it",
                            [_article_affected(a, "", now=now) for a in linking],
                        )
                    ],
                    proceed_label="Yes, unpublish it",
                )
        return None

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, check in (
            ("publish", self._publish_action_check),
            ("unpublish", self._unpublish_action_check),
        ):
            if name in actions:
                func, action_name, description = actions[name]
                actions[name] = (self._guarded(func, check), action_name, description)
        return actions

    def _guarded(self, func, check):
        def guarded(modeladmin, request, queryset):
            if not _confirmed(request):
                needed = check(request, queryset)
                if needed is not None:
                    return self.render_confirmation(request, needed, action=True)
            return func(modeladmin, request, queryset)

        guarded.__name__ = getattr(func, "__name__", "guarded")
        for attribute in ("allowed_permissions", "short_description"):
            if hasattr(func, attribute):
                setattr(guarded, attribute, getattr(func, attribute))
        return guarded

    def _publish_action_check(self, request, queryset):
        now = timezone.now()
        articles = list(
            queryset.select_related(None)
            .exclude(status=Article.Status.PUBLISHED)
            .only("pk", "headline", "body")
        )
        if not articles:
            return None
        groups = []
        by_article = {}
        for field_name, model, label in mentionable():
            through = getattr(Article, field_name).through
            column = f"{model._meta.model_name}"
            rows = through.objects.filter(
                article_id__in=[a.pk for a in articles], **{f"{column}__embargoed_until__gt": now}
            ).select_related(column)
            for row in rows:
                by_article.setdefault(row.article_id, []).append((label, getattr(row, column)))
        for article in articles:
            items = [
                _entity_affected(entity, label) for label, entity in by_article.get(article.pk, [])
            ]
            items += [
                Affected(name=href, note=reason)
                for href, reason in unreachable_links(article.body, at=now, host=request.get_host())
            ]
            if items:
                groups.append((f"“{article.headline}” links to", items))
        if not groups:
            return None
        return NeedsConfirmation(
            "Publish the selected articles?",
            "Some of them link to pages readers cannot open yet: embargoed links stay hidden "
            "until each embargo lifts.",
            groups,
            proceed_label="Yes, publish them",
        )

    def _unpublish_action_check(self, request, queryset):
        now = timezone.now()
        selected = list(
            queryset.select_related(None)
            .filter(status=Article.Status.PUBLISHED)
            .only("pk", "headline", "slug")
        )
        selected_pks = {a.pk for a in selected}
        groups = []
        for article in selected:
            linking = [
                a
                for a in articles_linking_in_body(article.get_absolute_url(), now=now)
                if a.pk not in selected_pks
            ]
            if linking:
                groups.append(
                    (
                        f"Stories that link to “{article.headline}”",
                        [_article_affected(a, "", now=now) for a in linking],
                    )
                )
        if not groups:
            return None
        return NeedsConfirmation(
            "Unpublish the selected articles?",
            "Published stories link to them; readers will see those links as plain text "
            "until they are published again.",
            groups,
            proceed_label="Yes, unpublish them",
        )


# The entity side -----------------------------------------------------------------------


class _PublicationRightsForm:
    """Turns an edit only an editor may make into an error on its field."""

    def clean(self):
        cleaned = super().clean()
        if cleaned is not None:
            try:
                services.entity_check_publication(
                    entity=self.instance_for_check(cleaned), user=self._publication_user
                )
            except services.PublicationRefused as refused:
                field = refused.field if refused.field in self.fields else None
                self.add_error(field, refused.message)
        return cleaned

    def instance_for_check(self, cleaned):
        """The row as this form would save it, for the fields the rule reads."""
        probe = copy.copy(self.instance)
        for name in ("embargoed_until", "published_by_hand"):
            if name in cleaned:
                setattr(probe, name, cleaned[name])
        return probe


class PublicationRightsMixin:
    """Only editors lift or shorten embargoes, or publish without a story.

    On the form and its inlines the refusal is an error on the field; whatever
    is posted, ``save_model`` and ``save_formset`` ask the service again.
    """

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if any(f.name == "linked_since" for f in self.model._meta.fields):
            readonly.append("linked_since")
            if not services.user_can_publish(request.user):
                readonly.append("published_by_hand")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(
            form.__name__, (_PublicationRightsForm, form), {"_publication_user": request.user}
        )

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if _has_embargo(inline.model):
                formset.form = type(
                    formset.form.__name__,
                    (_PublicationRightsForm, formset.form),
                    {"_publication_user": request.user},
                )
            yield formset, inline

    def save_model(self, request, obj, form, change):
        services.entity_check_publication(entity=obj, user=request.user)
        super().save_model(request, obj, form, change)

    def fields_kept_on_restore(self, obj):
        """Restoring a revision brings back content; what readers see stays as it is."""
        kept = super().fields_kept_on_restore(obj)
        for name in ("embargoed_until", "published_by_hand"):
            if hasattr(obj, name):
                kept[name] = getattr(obj, name)
        return kept

    def save_formset(self, request, form, formset, change):
        if _has_embargo(formset.model):
            for inline_form in formset.forms:
                if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                    services.entity_check_publication(
                        entity=inline_form.instance, user=request.user
                    )
        super().save_formset(request, form, formset, change)


def _has_embargo(model):
    return any(f.name == "embargoed_until" for f in model._meta.fields)


class EmbargoGuardMixin(PublicationRightsMixin, ConfirmationMixin):
    """Asks before an embargo hides a person, brand, product, campaign or event stories link to."""

    def save_form(self, request, form, change):
        if change and _guarding(request):
            needed = self._embargo_confirmation(form.instance, form)
            if needed is not None:
                raise needed
        return super().save_form(request, form, change)

    def _embargo_confirmation(self, obj, form):
        if "embargoed_until" not in form.changed_data:
            return None
        now = timezone.now()
        until = form.cleaned_data.get("embargoed_until")
        before = form.initial.get("embargoed_until")
        if until is None or until <= now or (before is not None and before >= until):
            return None
        label = obj._meta.verbose_name
        linked = list(
            obj.articles.filter(status=Article.Status.PUBLISHED, published_at__lt=until)
            .only("pk", "headline", "slug", "published_at", "status")
            .order_by("-published_at")[:200]
        )
        in_body = []
        if hasattr(obj, "get_absolute_url"):  # events have no page of their own
            in_body = [
                a
                for a in articles_linking_in_body(obj.get_absolute_url(), now=now)
                if a.published_at and a.published_at < until
            ]
        groups = []
        if linked:
            groups.append(
                (
                    f"Stories that link to this {label}: the link disappears from them",
                    [_article_affected(a, "", now=now) for a in linked],
                )
            )
        if in_body:
            groups.append(
                (
                    f"Stories whose text links to this {label}'s page: readers will see "
                    "the link as plain text",
                    [_article_affected(a, "", now=now) for a in in_body],
                )
            )
        if not groups:
            return None
        return NeedsConfirmation(
            f"Embargo “{obj.name}” until {_moment(until)}?",
            f"Published or scheduled stories link to this {label}. Until the embargo lifts, "
            "its page answers “not found”.",
            groups,
            proceed_label="Yes, embargo it",
        )


def guard_catalog_admins(site=None):
    """Give the brand and product admins the embargo guard, from the newsroom's side."""
    site = site or admin.site
    for model in (Brand, Product):
        if not site.is_registered(model):
            continue
        current = site.get_model_admin(model)
        if isinstance(current, EmbargoGuardMixin):
            continue
        guarded = type(type(current).__name__, (EmbargoGuardMixin, type(current)), {})
        site.unregister(model)
        site.register(model, guarded)


guard_catalog_admins()
