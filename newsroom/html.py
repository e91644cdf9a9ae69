"""The one HTML sanitiser for editor-written rich text.

Article bodies are cleaned with it when saved (whatever saves them: the admin,
a fixture, the shell) and again when rendered, so that no script, event
handler, ``javascript:`` URL or inline style ever reaches a reader.
"""

import re

import nh3

# How a browser reads a URL's scheme (WHATWG URL standard): leading and trailing C0
# controls and spaces are dropped, tabs and newlines anywhere are ignored, and a
# scheme is a letter then letters, digits, "+", "-" or "." before the first ":".
_URL_TRIM = "".join(chr(code) for code in range(0x21))
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
WEB_SCHEMES = frozenset({"http", "https"})

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "blockquote",
    "cite",
    "q",
    "ul",
    "ol",
    "li",
    "hr",
    "figure",
    "figcaption",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Attributes whose value a browser follows or fetches. nh3 checks the scheme of
# ``href`` and ``src`` only; the filter below checks every one of these.
URL_ATTRIBUTES = frozenset(
    {
        "action",
        "background",
        "cite",
        "data",
        "formaction",
        "href",
        "icon",
        "longdesc",
        "manifest",
        "ping",
        "poster",
        "src",
        "srcset",
        "usemap",
        "xlink:href",
    }
)


def _url_attribute_filter(tag, attribute, value):
    """Drop a URL-bearing attribute whose scheme is not allowed (``cite="javascript:..."``)."""
    if attribute in URL_ATTRIBUTES and url_scheme(value) not in URL_SCHEMES | {""}:
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_url_attribute_filter,
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_html(html):
    """Return ``html`` with everything outside the allow-list removed."""
    if not html:
        return ""
    return _cleaner.clean(html)


# What the admin's rich-text editor offers; everything it can produce is in the
# allow-list above.
BODY_EDITOR = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"enableTarget": False},
        "History": True,
        "SpecialCharacters": True,
    }
}

def url_scheme(url):
    """The scheme a browser would find in ``url``, lower-cased; "" for a relative URL.

    ``" JaVa\tScript:..."`` is ``"javascript"``, as it is to the browser.
    """
    text = _URL_IGNORED.sub("", str(url or "").strip(_URL_TRIM))
    match = _URL_SCHEME.match(text)
    return match.group(1).lower() if match else ""
