"""Tags: the site's ASCII slug rule, and what a tag name must contain.

taggit makes slugs with ``allow_unicode=True`` ("hermès") and leaves them empty
for names without letters (","), and neither fits the ``<slug:>`` URL pattern
of the tag page, its feed and the sitemap. Every tag gets its slug from
:func:`tag_slug` instead, whatever saves it (taggit's ``tags.add()``, the
admin, ``loaddata``, the shell): a ``pre_save`` receiver replaces any slug the
URL pattern would not accept. Migration ``newsroom.0004_ascii_tag_slugs``
repaired the rows saved before the rule, with a copy of the same logic.

Forms refuse a tag name with no letter or digit at all (",", "---"), with a
field error; the save path still gives such a name a valid slug, so that a
fixture or a script cannot make a page fail.
"""

import hashlib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.db.models.signals import pre_save
from django.utils.text import slugify
from taggit.models import Tag

from .models import Article

NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
SLUG_MAX_LENGTH = Tag._meta.get_field("slug").max_length
# Room left after the base for a "-<n>" suffix when two names share a slug.
BASE_MAX_LENGTH = SLUG_MAX_LENGTH - 10
# What Django's ``<slug:>`` path converter accepts.
URL_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def tag_slug(name):
    """The slug of a tag called ``name``: ASCII, non-empty, the same every time.

    Latin names lose their accents ("Hermès" -> ``hermes``); a name with no
    ASCII letter or digit left ("エルメス", ",") becomes ``tag-`` and a short
    hash of the name (case-insensitively, as taggit compares names here).
    """
    slug = slugify(name or "")[:BASE_MAX_LENGTH].strip("-_")
    if slug:
        return slug
    key = unicodedata.normalize("NFKC", name or "").casefold()
    return "tag-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def is_url_slug(slug):
    """Whether ``slug`` is one the tag page's ``<slug:>`` URL pattern accepts."""
    return bool(slug) and URL_SLUG.fullmatch(slug) is not None


def unique_tag_slug(name, *, exclude_pk=None, using="default"):
    """:func:`tag_slug` of ``name``, with ``-2``, ``-3``... if another tag has it already."""
    base = tag_slug(name)
    taken = set(
        Tag.objects.using(using)
        .filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def validate_tag_name(name):
    """Refuse a name readers could not read as a tag: no letter or digit, or too long."""
    if not any(unicodedata.category(ch)[0] in "LN" for ch in name or ""):
        raise ValidationError(
            "“%(name)s” is not a tag: a tag needs at least one letter or digit.",
            code="tag_without_letters",
            params={"name": name},
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            "A tag has at most %(max)d characters (this one has %(length)d).",
            code="tag_too_long",
            params={"max": NAME_MAX_LENGTH, "length": len(name)},
        )


def validate_tag_names(names):
    """:func:`validate_tag_name` for each of ``names``, every error at once."""
    errors = []
    for name in names:
        try:
            validate_tag_name(name)
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)


def public_tags(*, now=None):
    """Tags readers may see: those a published story carries (drafts' tags are private)."""
    tagged = Article.objects.published(now=now).filter(tags=OuterRef("pk"))
    return Tag.objects.filter(Exists(tagged))


def ascii_slug_before_save(sender, instance, using="default", **kwargs):
    """Give a tag the site's slug when the one it carries would not fit in a URL.

    A new tag whose slug is the one taggit makes by itself (``tags.add("Hermes")``
    gives ``hermes``, taken or not) gets its slug from :func:`tag_slug` too. A
    valid ASCII slug chosen by someone (typed in the admin, in a fixture) is kept.
    """
    made_by_taggit = instance._state.adding and instance.slug == instance.slugify(instance.name)
    if is_url_slug(instance.slug) and not made_by_taggit:
        return
    instance.slug = unique_tag_slug(instance.name, exclude_pk=instance.pk, using=using)


def connect_signals():
    pre_save.connect(ascii_slug_before_save, sender=Tag, dispatch_uid="tag-ascii-slug")
