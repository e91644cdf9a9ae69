"""Mention suggestions on the article form.

:class:`MentionSuggestionsMixin` lists, on the change form, the people, brands,
products, campaigns and events the headline, dek or body mention but the
article does not link yet, each with a one-click "Link" button, and the linked
ones the text never mentions; the form's script asks for the same report as
the writer types (``mentions/live/``). Matching follows :mod:`newsroom.mentions`.
Only names, aliases and slugs are loaded (one ``values_list`` per kind), compiled
once into one regular expression and kept per process until any of those rows
changes.
"""

import calendar
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

import reversion
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Max
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from catalog.models import split_aliases

from .. import entities
from ..mentions import Matcher, html_to_text
from ..models import Article


def mentionable():
    """``(article field, model, label)`` of every kind a story links, from the registry."""
    return [(kind.article_field, kind.model, kind.key) for kind in entities.kinds()]


def mentionable_fields():
    return {name: (model, label) for name, model, label in mentionable()}


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
    """Every mentionable entity's names, compiled into one matcher, and the places
    the newsroom knows (where its events took place), which are no one's name."""

    def __init__(self, refs, places=()):
        self.refs = {ref.key: ref for ref in refs}
        self.matcher = Matcher(self.refs.values())
        self.places = frozenset(places)


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
    index = MentionIndex(refs, _known_places())
    with _index_lock:
        _index_cache["index"] = (version, index)
    return index


def _known_places():
    """Casefolded places of every kind that records one (an event's "Paris, Palais ...")."""
    places = set()
    for kind in entities.kinds():
        if not kind.has_field("location"):
            continue
        for location in kind.model.objects.exclude(location="").values_list("location", flat=True):
            places.update(part.strip().casefold() for part in location.split(",") if part.strip())
    return places


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
    report.unknown = unknown_names(text, spans, places=index.places)
    for key in sorted(linked, key=lambda k: index.refs[k].name if k in index.refs else k):
        ref = index.refs.get(key)
        if ref is None:
            continue
        (report.confirmed if key in mentioned else report.unmentioned).append(ref)
    return report


# Words that start sentences or titles, not names.
_CALENDAR_WORDS = frozenset(
    [calendar.month_name[n].casefold() for n in range(1, 13)]
    + [calendar.day_name[n].casefold() for n in range(7)]
)
_NOT_NAMES = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "but",
    "by",
    "for",
    "from",
    "he",
    "her",
    "his",
    "i",
    "if",
    "in",
    "it",
    "its",
    "my",
    "of",
    "on",
    "or",
    "our",
    "she",
    "so",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "we",
    "when",
    "where",
    "while",
    "with",
    "yet",
    "you",
    "your",
    "after",
    "before",
    "during",
    "every",
    "mr",
    "mrs",
    "ms",
    "dr",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
_WORD = re.compile(r"[^\W\d_][\w'’.-]*[^\W_]|[^\W\d_]")
UNKNOWN_LIMIT = 8


def unknown_names(text, known_spans, *, places=frozenset()):
    """Capitalised names in ``text`` that match nothing the newsroom knows, in order.

    Months, weekdays and ``places`` (casefolded) are not names: "Paris" in "shown
    in Paris in March" offers neither a new person nor a new house.

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
        if name.casefold() in places or name.casefold() in _CALENDAR_WORDS:
            continue
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
