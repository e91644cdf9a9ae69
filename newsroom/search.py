"""Site search over published articles and public people, products and campaigns.

On PostgreSQL, articles are found with full-text search: a weighted vector of
the headline (A), the standfirst (B) and the body (C), ranked with
``SearchRank``, matched with ``websearch_to_tsquery`` (which accepts any input
without a syntax error) and served by the GIN index of migration
``newsroom.0002_article_search_index``; the snippet comes from ``SearchHeadline``.

On SQLite (the embedded default) the fallback is deliberately simple and
bounded: every word of the query must occur (``icontains``) in the headline,
the standfirst or the body; headline matches come first, then the newest. It
scans the table, which is fine at the sizes one SQLite machine serves, and
returns at most ``ARTICLE_LIMIT`` rows.

Every kind of entity with a page (people, houses, bags, campaigns, events: the
registry in ``newsroom.entities``) is searched the same way, on both databases:
each word must occur in the name or an alias, among the rows ``kind.public()``
lets readers see. Each hit carries its kind, whose label the page shows.
:func:`suggest` answers the search box's suggestions from the same queries.

Queries are bounded: control characters are dropped, a query longer than
``MAX_QUERY_LENGTH`` characters gets an empty result with a message, and only
the first ``MAX_TERMS`` words count.

Highlighting marks whole words only (a search for "le" marks "Le City", never
the "le" inside "Balenciaga" or "Nicole") and leaves the text around a match as
it was: the body becomes text without inserting spaces where inline tags were
("Ba<em>le</em>nciaga" stays one word), with its character references decoded
once, and it is escaped before the ``<mark>`` elements go in. On PostgreSQL the
headline and the snippet come from ``ts_headline`` (so that "bags" marks "bag",
as the search found it) run over that same text.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import reduce
from html import unescape
from operator import and_, or_

from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import entities
from .models import Article

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
ARTICLE_LIMIT = 20
RANK_CANDIDATES = 200
ENTITY_LIMIT = 8
SUGGEST_LIMIT = 8
SNIPPET_WORDS = 30
SEARCH_CONFIG = "english"

# Private-use characters mark matches in PostgreSQL's headline until the text is escaped.
_START, _STOP = "\ue000", "\ue001"
_ADJACENT_MARKS = re.compile(r"</mark>(\s+)<mark>")
# Tags of the (sanitised) body; attribute values are double-quoted and may hold ">".
# Block-level tags separate words, so they become a space; inline ones (<em>, <a>)
# join what is on either side. The same patterns run in Python and in PostgreSQL.
_ANY_TAG = r'<(?:[^>"]|"[^"]*")*>'
_BLOCK_TAG = (
    r"<\s*/?\s*(?:p|br|hr|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|figure|figcaption|pre|div"
    r'|section|article|aside|header|footer|table|thead|tbody|tr|td|th|caption)(?:[\s/](?:[^>"]|"[^"]*")*)?>'
)
_ANY_TAG_RE = re.compile(_ANY_TAG)
_BLOCK_TAG_RE = re.compile(_BLOCK_TAG, re.IGNORECASE)
# Runs of HTML whitespace (not U+00A0, the no-break space, which is text).
_SPACES = re.compile(r"[ \t\n\r\f]+")


def article_search_vector():
    """The weighted document of an article; the GIN index is built on this exact expression."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("headline", weight="A", config=SEARCH_CONFIG)
        + SearchVector("dek", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


@dataclass
class Hit:
    obj: object
    title: str  # safe HTML: escaped, with <mark>
    snippet: str = ""  # safe HTML: escaped, with <mark>
    detail: str = ""
    kind: object = None  # the entity kind (newsroom.entities.EntityKind), None for articles

    @property
    def label(self):
        """What the hit is, for readers: "Person", "House", "Handbag"."""
        return kind_label(self.kind, self.obj) if self.kind else "Story"


# What readers call one row of a kind, where its verbose name is not it.
_READER_LABELS = {"brand": "House"}


def kind_label(kind, obj=None):
    if kind.key == "product" and obj is not None and getattr(obj, "category", ""):
        return obj.get_category_display()
    return _READER_LABELS.get(kind.key, str(kind.label).capitalize())


@dataclass
class EntityGroup:
    kind: object
    hits: list

    @property
    def title(self):
        return self.kind.title


@dataclass
class SearchResults:
    query: str = ""
    message: str = ""
    articles: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # EntityGroup per kind with hits

    def hits_of(self, key):
        return next((g.hits for g in self.groups if g.kind.key == key), [])

    @property
    def people(self):
        return self.hits_of("person")

    @property
    def brands(self):
        return self.hits_of("brand")

    @property
    def products(self):
        return self.hits_of("product")

    @property
    def campaigns(self):
        return self.hits_of("campaign")

    @property
    def events(self):
        return self.hits_of("event")

    @property
    def entity_count(self):
        return sum(len(g.hits) for g in self.groups)

    @property
    def count(self):
        return len(self.articles) + self.entity_count


def normalise(raw):
    """The query as searched: printable characters only, single spaces, or "" if unusable."""
    text = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " "
        for ch in (raw or "")[: 4 * MAX_QUERY_LENGTH]
    )
    return " ".join(text.split())


def terms_of(query):
    """The words that count, at most ``MAX_TERMS`` of them, without duplicates."""
    seen = []
    for word in query.split():
        word = word.strip("\"'“”‘’()[]{}<>,.;:!?")
        if word and word.casefold() not in (w.casefold() for w in seen):
            seen.append(word)
    return seen[:MAX_TERMS]


def plain_text(html):
    """The text of a body as the database search sees it: no tags, references decoded.

    This mirrors :func:`_body_text_sql` (the same patterns), so that a snippet
    and a highlight agree with what PostgreSQL matched; for everything else,
    ``newsroom.mentions.html_to_text`` is the one way to read a body as text.
    """
    text = _BLOCK_TAG_RE.sub(" ", html or "")
    return unescape(_ANY_TAG_RE.sub("", text))


def _collapse(text):
    return _SPACES.sub(" ", text).strip()


def _term_pattern(terms):
    """A pattern matching any of ``terms`` as a whole word (the longest first), any case."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def highlight(text, terms):
    """``text`` escaped, with every whole-word occurrence of a term wrapped in ``<mark>``."""
    text = text or ""
    if not terms:
        return escape(text)
    pieces = []
    position = 0
    for match in _term_pattern(terms).finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe(_join_marks("".join(pieces)))  # noqa: S308 - every piece is escaped


def _join_marks(html):
    """One mark over "Bel Air" rather than two marks with a gap between."""
    return _ADJACENT_MARKS.sub(r"\1", html)


def _snippet_around(html, terms, words=SNIPPET_WORDS):
    """About ``words`` words of the text of ``html`` around the first whole-word match.

    The text is cut only between words (at spaces), so the words around the
    match are exactly those of the body.
    """
    plain = _collapse(plain_text(html))
    match = _term_pattern(terms).search(plain) if terms else None
    if match is None:
        tokens = plain.split(" ") if plain else []
        return " ".join(tokens[:words]) + (" …" if len(tokens) > words else "")
    cut = plain.rfind(" ", 0, match.start()) + 1  # the start of the word holding the match
    before = plain[:cut].split(" ")[:-1] if cut else []
    lead = before[-8:]
    rest = plain[cut:].split(" ")
    snippet = " ".join(lead + rest[: words - len(lead)])
    prefix = "… " if len(before) > len(lead) else ""
    suffix = " …" if len(rest) > words - len(lead) else ""
    return f"{prefix}{snippet}{suffix}"


def _mark_headline(text):
    """A PostgreSQL headline of escaped text (sentinels around matches) as safe HTML."""
    plain = _collapse(unescape(text or ""))
    escaped = escape(plain).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(_join_marks(escaped))  # noqa: S308 - escaped before the marks went in


def _without_sentinels(expression):
    return Replace(Replace(expression, Value(_START), Value("")), Value(_STOP), Value(""))


def _body_text_sql(field_name):
    """SQL for the body as text that is still HTML-escaped, as ``ts_headline`` reads it.

    Tags go (block-level ones leave a space, as in :func:`plain_text`), the
    character references stay: decoding them would let text such as ``&lt;b&gt;``
    turn into a tag that ``ts_headline`` replaces with a space.
    """

    def regexp_replace(expression, pattern, replacement, flags):
        return Func(
            expression,
            Value(pattern),
            Value(replacement),
            Value(flags),
            function="REGEXP_REPLACE",
            output_field=TextField(),
        )

    blocks = regexp_replace(F(field_name), _BLOCK_TAG, " ", "gi")
    return _without_sentinels(regexp_replace(blocks, _ANY_TAG, "", "g"))


def _escaped_text_sql(field_name):
    """SQL for a plain-text column, HTML-escaped (``&``, ``<``, ``>``) for ``ts_headline``."""
    escaped = F(field_name)
    for char, reference in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        escaped = Replace(escaped, Value(char), Value(reference))
    return _without_sentinels(escaped)


def _all_terms_in(fields, terms):
    """``Q``: every term occurs in at least one of ``fields``."""
    return reduce(
        and_,
        (reduce(or_, (Q(**{f"{f}__icontains": term}) for f in fields)) for term in terms),
    )


def _articles_postgresql(query, terms):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    order = ("-rank", "-published_at", "-pk")
    # Ranking re-reads the document of every candidate, and a common word matches
    # most of the archive (8-15 s at 100,000 articles): the best are chosen among
    # the newest RANK_CANDIDATES matches, which the GIN index finds.
    candidates = (
        Article.objects.published()
        .annotate(document=article_search_vector())
        .filter(document=search_query)
        # NULLS LAST (a published article always has a date) matches no index order,
        # which keeps the planner on the GIN index: walking the newest-first index
        # instead would parse every body it passes (1.3 s for a fairly rare name).
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
        .values("pk")[:RANK_CANDIDATES]
    )
    best = (
        Article.objects.filter(pk__in=candidates)
        .annotate(rank=SearchRank(article_search_vector(), search_query))
        .order_by(*order)
        .values("pk")[:ARTICLE_LIMIT]
    )
    # Still one query, but the snippet (ts_headline parses the whole body again) is
    # made for the page of results only, not for every match before the sort.
    rows = (
        Article.objects.filter(pk__in=best)
        .annotate(
            rank=SearchRank(article_search_vector(), search_query),
            marked_headline=SearchHeadline(
                _escaped_text_sql("headline"),
                search_query,
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                highlight_all=True,
            ),
            snippet=SearchHeadline(
                _body_text_sql("body"),
                search_query,
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=SNIPPET_WORDS,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .only("headline", "slug", "dek", "published_at")
        .order_by(*order)
    )
    return [
        Hit(
            a,
            _mark_headline(a.marked_headline),
            _mark_headline(a.snippet) or highlight(a.dek, terms),
        )
        for a in rows
    ]


def _articles_fallback(terms):
    fields = ("headline", "dek", "body")
    rows = (
        Article.objects.published()
        .filter(_all_terms_in(fields, terms))
        .annotate(
            in_headline=Case(
                When(_all_terms_in(("headline",), terms), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .only("headline", "slug", "dek", "body", "published_at")
        .order_by("in_headline", "-published_at", "-pk")[:ARTICLE_LIMIT]
    )
    return [
        Hit(a, highlight(a.headline, terms), highlight(_snippet_around(a.body, terms), terms))
        for a in rows
    ]


def _kind_rows(kind, terms, limit):
    """Public rows of ``kind`` whose name or aliases hold every term, names first A-Z."""
    rows = kind.public().filter(_all_terms_in(("name", "aliases"), terms))
    if any(f.name == "brand" for f in kind.model._meta.get_fields()):
        rows = rows.select_related("brand")
    return rows.order_by("name", "pk")[:limit]


def _detail(obj):
    """The house of a bag, campaign or event, when readers may see it."""
    brand = getattr(obj, "brand", None) if hasattr(obj, "brand_id") else None
    return brand.name if brand is not None and brand.is_public else ""


def _entities(kind, terms):
    hits = []
    for obj in _kind_rows(kind, terms, ENTITY_LIMIT):
        other_names = [n for n in obj.alias_list if n != obj.name]
        hits.append(
            Hit(
                obj,
                highlight(obj.name, terms),
                highlight(", ".join(other_names), terms) if other_names else "",
                _detail(obj),
                kind=kind,
            )
        )
    return hits


def suggest(raw_query, *, limit=SUGGEST_LIMIT):
    """Public people, bags, houses (every kind with a page) matching ``raw_query``, as dicts.

    For the search box: names that start with the query come first. Never raises.
    """
    query = normalise(raw_query)
    if not query or len(query) > MAX_QUERY_LENGTH:
        return []
    terms = terms_of(query)
    if not terms:
        return []
    found = []
    for kind in entities.with_pages():
        for obj in _kind_rows(kind, terms, limit):
            found.append(
                {
                    "name": obj.name,
                    "kind": kind.key,
                    "label": kind_label(kind, obj),
                    "detail": _detail(obj),
                    "url": obj.get_absolute_url(),
                }
            )
    folded = query.casefold()
    found.sort(key=lambda s: (not s["name"].casefold().startswith(folded), s["name"].casefold()))
    return found[:limit]


def search(raw_query):
    """Search everything public for ``raw_query``; never raises on bad input."""
    query = normalise(raw_query)
    if not query:
        return SearchResults()
    if len(query) > MAX_QUERY_LENGTH:
        return SearchResults(
            query=query[:MAX_QUERY_LENGTH] + "…",
            message=f"Searches are limited to {MAX_QUERY_LENGTH} characters. "
            "Try a few distinctive words.",
        )
    terms = terms_of(query)
    if not terms:
        return SearchResults(query=query)
    if connection.vendor == "postgresql":
        articles = _articles_postgresql(" ".join(terms), terms)
    else:
        articles = _articles_fallback(terms)
    groups = []
    for kind in entities.with_pages():
        hits = _entities(kind, terms)
        if hits:
            groups.append(EntityGroup(kind, hits))
    return SearchResults(query=query, articles=articles, groups=groups)
