"""Template tags of the reader site: images, colour swatches, JSON-LD, safe links,
partial dates, the directory links and a person's series."""

import json
import re

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, Q
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalog.images import rights_ended
from catalog.renditions import image_set

from .. import dates, paths
from ..html import WEB_SCHEMES, url_scheme
from ..views.directories import directory_links as _directory_links

register = template.Library()

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
NEUTRAL_SWATCH = "#cccccc"
# The escapes of Django's json_script: no "<", ">" or "&" reaches the HTML parser.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def responsive_image(
    field_file, width=None, height=None, alt="", sizes="100vw", css_class="", loading="lazy"
):
    """An ``<img>`` with a srcset of renditions, its intrinsic size and lazy loading.

    ``width``/``height`` are the source's stored dimensions when the model keeps
    them. ``loading="eager"`` suits the one image at the top of a page. Renders
    nothing for an empty field.
    """
    if field_file and rights_ended(field_file):
        return image_placeholder(width, height, css_class)
    images = image_set(field_file, width, height)
    if images is None:
        return ""
    size_attrs = (
        format_html(' width="{}" height="{}"', images.width, images.height)
        if images.width and images.height
        else ""
    )
    srcset_attrs = (
        format_html(' srcset="{}" sizes="{}"', images.srcset, sizes)
        if len(images.candidates) > 1
        else ""
    )
    class_attr = format_html(' class="{}"', css_class) if css_class else ""
    return format_html(
        '<img src="{}" alt="{}"{}{}{} loading="{}" decoding="async">',
        images.src,
        alt,
        size_attrs,
        srcset_attrs,
        class_attr,
        "eager" if loading == "eager" else "lazy",
    )


def image_placeholder(width=None, height=None, css_class=""):
    """A neutral, empty picture of the same proportions, where an image's rights ended.

    No file of the image, no rendition, no alt text naming what is no longer shown.
    """
    size_attrs = (
        format_html(' width="{}" height="{}"', width, height) if width and height else ""
    )
    classes = " ".join(filter(None, ["image-unavailable", css_class]))
    return format_html(
        '<img src="{}" alt=""{} class="{}" data-image-unavailable>',
        static("img/image-unavailable.svg"),
        size_attrs,
        classes,
    )


@register.simple_tag
def swatch(hex_colour, label=""):
    """A small square of colour as inline SVG.

    The colour is an SVG presentation attribute, not a ``style`` attribute, so a
    Content-Security-Policy that forbids inline styles allows it. A value that
    is not a ``#rrggbb`` colour (the model validates it, but the shell does not)
    shows a neutral grey.
    """
    colour = hex_colour if hex_colour and _HEX.match(hex_colour) else NEUTRAL_SWATCH
    return format_html(
        '<svg class="swatch" width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" '
        'focusable="false"><rect width="24" height="24" rx="4" fill="{}"/></svg>',
        colour.lower(),
    )


@register.simple_tag
def jsonld(data):
    """``data`` as a JSON-LD script element, safe whatever text it holds.

    Like Django's ``json_script``, ``<``, ``>`` and ``&`` become ``\\u003C``-style
    escapes, so editor text such as ``</script>`` cannot end the element.
    """
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_SCRIPT_ESCAPES)),  # noqa: S308 - escaped just above
    )




@register.filter
def http_url(value):
    """``value`` if it is an absolute http(s) URL, else "": for stored URLs put in href/src.

    A website loaded from a fixture or typed in the shell may hold ``javascript:``
    or ``data:``; such a value gives no link at all.
    """
    text = str(value or "").strip()
    return text if url_scheme(text) in WEB_SCHEMES else ""


@register.filter
def partial_date(value, precision="day"):
    """A date shown as precisely as it is known: "2022", "January 2022" or "3 January 2022"."""
    return dates.label(value, precision)


@register.simple_tag(name="path")
def path_tag(name):
    """``{% url name %}`` for a pattern without arguments, reversed once (``newsroom.paths``)."""
    return paths.path(name)


@register.simple_tag(name="slug_path")
def slug_path_tag(name, slug):
    """``{% url name slug=slug %}``, from the pattern reversed once (``newsroom.paths``)."""
    return paths.slug_path(name, slug)


@register.simple_tag
def directory_links():
    """(title, path, url name) of each directory, from the registry of kinds."""
    return _directory_links()


@register.simple_tag
def person_series(person):
    """The public series ``person`` appeared in: in a known instalment or an unknown one.

    One query, whatever the number of campaigns.
    """
    from newsroom.views.showcases import public_instalments, public_series

    in_instalment = public_instalments().filter(series=OuterRef("pk"), people=person)
    return list(
        public_series()
        .filter(Q(Exists(in_instalment)) | Q(appearances__person=person))
        .distinct()
        .select_related("brand")
        .order_by("name")
    )
