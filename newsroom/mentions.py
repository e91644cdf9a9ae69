"""Finding the people, brands, products, campaigns and events a text mentions.

Both the reader site (linking the first mention of everything an article is
attached to) and the admin (suggesting what an article mentions but does not
link yet) use this module. It never queries the database: callers pass the
entities, anything with an ``all_names`` list (the name, then its aliases).

How a name matches
------------------
* **Whole words only.** A mention may not start or end inside a word, in any
  script: "Bel Air" is not found in "Bel Airs" or "Bel Airport", "Demna" not in
  "Demnas". Possessives count, with a straight or curly apostrophe
  ("Balenciaga's", "Balenciaga’s", "Balenciaga‘s"), because an apostrophe is not
  a word character; so do hyphenated compounds ("Balenciaga-owned").
* **Spacing, apostrophes and hyphens are loose.** Any run of whitespace
  (including a non-breaking space, or one line break) matches a space in a
  name, but a blank line (a paragraph boundary) does not;
  ' ’ ‘ ʼ match each other, and so do the hyphen, the Unicode hyphen and the
  non-breaking hyphen.
* **Case follows the name.** A name written with at least one capital letter is
  a proper name and matches only text spelled with the same capitals ("Rodeo"
  the bag matches "Rodeo", never "rodeo" in a sentence about cowboys), or text
  written entirely in capitals ("RODEO" in a shouting headline). A name or alias
  written all in lower case ("adidas") matches in any case ("Adidas",
  "ADIDAS"). So to have a capitalised name also match a lower-case spelling,
  add the lower-case spelling as an alias. A capitalised word at the start of a
  sentence cannot be told apart from the name; that is the one ambiguity the
  text itself does not resolve.
* **The longest name wins.** Where names overlap, the longest match at the
  leftmost position is taken: "Demna Gvasalia" over "Demna", "Bel Air Hobo" over
  "Bel Air". Matches never overlap each other.
* **Shared names.** When two entities answer to the same name, a match of it is
  a mention of each of them (one :class:`Mention` per entity, same span).

Names compile into regular expressions shaped like a trie (names sharing a
prefix share a branch): one per entity when there are a few, kept for reuse
because the same entities turn up in many stories; one for all of them when
there are many, so a text is scanned once whatever the number of names.
"""

import functools
import heapq
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = [
    "Matcher",
    "Mention",
    "find_mentions",
    "html_to_text",
    "link_first_mentions",
    "link_hrefs",
    "unwrap_links",
]

# Whitespace with at most one line break: a name may wrap, but never spans a blank
# line (the boundary between paragraphs in html_to_text's output).
_SPACE = r"(?=\s)[^\S\n]*\n?[^\S\n]*"
_APOSTROPHES = "'\u2019\u2018\u02bc"
_APOSTROPHE = "[" + _APOSTROPHES + "]"
_HYPHENS = "-\u2010\u2011"
_HYPHEN = "[" + _HYPHENS + "]"
_KEY_SPACE = re.compile(r"\s+")
_KEY_APOSTROPHE = re.compile(_APOSTROPHE)
_KEY_HYPHEN = re.compile(_HYPHEN)

# Elements whose text is never turned into a link.
_NO_LINK_ELEMENTS = {"a", "code", "pre"}


@dataclass(frozen=True)
class Mention:
    """``entity`` is mentioned as ``text`` at ``start:end`` of the searched text."""

    entity: object
    text: str
    start: int
    end: int


def _key(text):
    """The spelling a match is looked up by: spacing, apostrophes and hyphens unified."""
    text = _KEY_SPACE.sub(" ", text.strip())
    text = _KEY_APOSTROPHE.sub("'", text)
    return _KEY_HYPHEN.sub("-", text)


def _is_case_insensitive(name):
    """An all-lower-case name matches in any case; a name with a capital does not."""
    return any(ch.islower() for ch in name) and not any(ch.isupper() for ch in name)


def _units(name, *, any_case):
    """The regex fragments, one per character of ``name`` (already passed through _key)."""
    units = []
    for ch in name:
        if ch == " ":
            units.append(_SPACE)
        elif ch == "'":
            units.append(_APOSTROPHE)
        elif ch == "-":
            units.append(_HYPHEN)
        elif any_case:
            variants = sorted({c for c in (ch, ch.lower(), ch.upper()) if len(c) == 1})
            if len(variants) == 1:
                units.append(re.escape(ch))
            else:
                units.append("[" + "".join(re.escape(c) for c in variants) + "]")
        else:
            units.append(re.escape(ch))
    return units


_END = ""  # marks a trie node where a name ends


def _trie_pattern(node):
    """Turn a trie of regex fragments into one pattern that prefers longer names."""
    branches = [unit + _trie_pattern(child) for unit, child in node.items() if unit != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        # The name may end here, but a greedy optional group first tries to go on.
        if len(branches) == 1:
            body = "(?:" + body + ")"
        return body + "?"
    return body


# Up to this many distinct name lists, each is its own (kept) pattern and a text is
# scanned once per pattern; beyond it, one pattern of every name, scanned once.
SEPARATE_PATTERNS_UP_TO = 24


def _compile(spellings):
    """One pattern for ``spellings``: ``((name, any_case), ...)``, each passed through _key."""
    trie = {}
    for name, any_case in spellings:
        node = trie
        for unit in _units(name, any_case=any_case):
            node = node.setdefault(unit, {})
        node[_END] = {}
    return re.compile(r"(?<!\w)(?:" + _trie_pattern(trie) + r")(?!\w)")


# An entity's pattern is kept: its names are searched for in many texts (a story's
# handful of entities mostly appear in other stories too), and compiling is what
# costs, far more than scanning a text.
_pattern = functools.lru_cache(maxsize=8192)(_compile)


class Matcher:
    """A compiled search for every name of the given entities.

    Build it once and use :meth:`find` on many texts. A few entities (a story's)
    each get a pattern of their own names, compiled once per process and
    reused by every text that mentions them; many entities (the admin's index
    of every name) share one pattern, so a text is scanned once whatever their
    number. Either way the leftmost, then longest, match wins.
    """

    def __init__(self, entities):
        self.exact = {}  # key -> entities, for names with capitals (and their ALL-CAPS form)
        self.folded = {}  # casefolded key -> entities, for all-lower-case names
        per_entity = {}
        for entity in entities:
            spellings = set()
            for raw_name in entity.all_names:
                name = _key(raw_name)
                if not name:
                    continue
                if _is_case_insensitive(name):
                    self._add(self.folded, name.casefold(), entity)
                    spellings.add((name, True))
                else:
                    for spelling in {name, name.upper()}:
                        self._add(self.exact, spelling, entity)
                        spellings.add((spelling, False))
            if spellings:
                per_entity[tuple(sorted(spellings))] = None
        if len(per_entity) <= SEPARATE_PATTERNS_UP_TO:
            self.patterns = [_pattern(spellings) for spellings in per_entity]
        else:
            every = sorted({spelling for spellings in per_entity for spelling in spellings})
            self.patterns = [_compile(tuple(every))]

    @staticmethod
    def _add(index, key, entity):
        entities = index.setdefault(key, [])
        if not any(existing is entity for existing in entities):
            entities.append(entity)

    def entities_for(self, matched):
        """The entities whose name ``matched`` (a string the patterns found) is."""
        key = _key(matched)
        found = list(self.exact.get(key, ()))
        for entity in self.folded.get(key.casefold(), ()):
            if not any(existing is entity for existing in found):
                found.append(entity)
        return found

    def find(self, text):
        """Every mention in ``text``, in the order they appear."""
        mentions = []
        for match in self._matches(text or ""):
            for entity in self.entities_for(match.group()):
                mentions.append(Mention(entity, match.group(), match.start(), match.end()))
        return mentions

    def _matches(self, text):
        """The matches of every pattern, leftmost first, the longest of those, never overlapping."""
        if not text or not self.patterns:
            return
        if len(self.patterns) == 1:
            yield from self.patterns[0].finditer(text)
            return
        # The next match of each pattern, kept in order of (start, longest first).
        heads = [
            (match.start(), -match.end(), i, match)
            for i, match in enumerate(pattern.search(text) for pattern in self.patterns)
            if match
        ]
        heapq.heapify(heads)
        position = 0
        while heads:
            start, _, i, match = heapq.heappop(heads)
            if start >= position:
                yield match
                position = match.end()
            # Taken or overlapped by what was taken: this pattern looks on from there.
            following = self.patterns[i].search(text, position)
            if following:
                heapq.heappush(heads, (following.start(), -following.end(), i, following))


def find_mentions(text, entities):
    """The mentions of ``entities`` in the plain ``text``, in order of appearance.

    Each is a :class:`Mention` (entity, matched text, start, end); see the
    module documentation for how a name matches.
    """
    return Matcher(entities).find(text)


def _entity_key(entity):
    meta = getattr(entity, "_meta", None)
    if meta is not None and getattr(entity, "pk", None) is not None:
        return (meta.label, entity.pk)
    return id(entity)


class _Tokenizer(HTMLParser):
    """Splits HTML into ("start"|"end"|"startend", tag, attrs) and ("data", text) tokens."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(("startend", tag, attrs))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag, None))

    def handle_data(self, data):
        self.tokens.append(("data", data, None))


def _hrefs(tokens):
    for kind, tag, attrs in tokens:
        if kind in ("start", "startend") and tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    yield value


def link_hrefs(markup):
    """The ``href`` of every link in ``markup``, in order (repeats included)."""
    return list(_hrefs(_tokens(markup or "")))


def _tokens(markup):
    parser = _Tokenizer()
    parser.feed(markup)
    parser.close()
    return parser.tokens


# Elements that end a run of text: their boundary reads as a blank line, so that
# "<p>Kim</p><p>Kardashian</p>" becomes neither "KimKardashian" nor a mention.
_BLOCK_ELEMENTS = frozenset(
    ("p", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote")
    + ("figure", "figcaption", "hr", "pre", "table", "tr", "td", "th")
)


_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(markup):
    """The text of ``markup``, entities decoded, with a blank line at each block boundary."""
    if not markup:
        return ""
    parts = []
    for kind, value, _attrs in _tokens(markup):
        if kind == "data":
            parts.append(value)
        elif value in _BLOCK_ELEMENTS:
            parts.append("\n\n")
    return _BLANK_LINES.sub("\n\n", "".join(parts)).strip()


def _render_tag(kind, tag, attrs):
    parts = [tag]
    for name, value in attrs:
        if value is None:
            parts.append(name)
        else:
            parts.append(f'{name}="{html.escape(value, quote=True)}"')
    inner = " ".join(parts)
    return f"<{inner} />" if kind == "startend" else f"<{inner}>"


def _escape_text(text):
    return html.escape(text, quote=False)


def link_first_mentions(markup, entities):
    """Return ``markup`` with the first mention of each entity made a link to its page.

    ``markup`` is sanitised body HTML; ``entities`` are the things the article
    is attached to, each with ``get_absolute_url()``. Text inside an existing
    link (or in code) is left alone, and an entity the body already links to
    somewhere is not linked again. A name split by markup ("<em>Bel</em> Air")
    is not found. Text is re-escaped, so the result is safe HTML that the caller
    still passes through the sanitiser. No database queries are made.
    """
    if not markup:
        return markup or ""
    entities = list(entities)
    if not entities:
        return markup
    tokens = _tokens(markup)

    urls = {}
    for entity in entities:
        urls.setdefault(_entity_key(entity), entity.get_absolute_url())
    existing_hrefs = set(_hrefs(tokens))
    linked = {key for key, url in urls.items() if url in existing_hrefs}
    if len(linked) == len(urls):
        return markup
    matcher = Matcher(entity for entity in entities if _entity_key(entity) not in linked)

    out = []
    blocked = 0  # how many <a>/<code>/<pre> elements we are inside
    for kind, value, attrs in tokens:
        if kind == "data":
            out.append(
                _link_text(value, matcher, urls, linked) if not blocked else _escape_text(value)
            )
            continue
        if kind == "end":
            if value in _NO_LINK_ELEMENTS and blocked:
                blocked -= 1
            out.append(f"</{value}>")
            continue
        if kind == "start" and value in _NO_LINK_ELEMENTS:
            blocked += 1
        out.append(_render_tag(kind, value, attrs))
    return "".join(out)


def _link_text(text, matcher, urls, linked):
    pieces = []
    position = 0
    for mention in matcher.find(text):
        if mention.start < position:
            continue  # the same span, already linked for another entity of that name
        key = _entity_key(mention.entity)
        if key in linked:
            continue
        linked.add(key)
        pieces.append(_escape_text(text[position : mention.start]))
        href = html.escape(urls[key], quote=True)
        pieces.append(f'<a href="{href}">{_escape_text(mention.text)}</a>')
        position = mention.end
    pieces.append(_escape_text(text[position:]))
    return "".join(pieces)


def unwrap_links(markup, hrefs):
    """``markup`` with every ``<a>`` whose ``href`` is in ``hrefs`` replaced by its content."""
    if not markup or not hrefs:
        return markup or ""
    out = []
    open_links = []  # for each open <a>: whether it is being dropped
    for kind, value, attrs in _tokens(markup):
        if kind == "data":
            out.append(_escape_text(value))
        elif value == "a" and kind == "start":
            drop = dict(attrs).get("href") in hrefs
            open_links.append(drop)
            if not drop:
                out.append(_render_tag(kind, value, attrs))
        elif value == "a" and kind == "end":
            if not (open_links and open_links.pop()):
                out.append("</a>")
        elif kind == "end":
            out.append(f"</{value}>")
        else:
            out.append(_render_tag(kind, value, attrs))
    return "".join(out)
