"""Field-level three-way merge of an article form saved from an older version.

When someone saved the story after this form was opened, compare, field by
field, three values: the *base* (the revision the form was opened at), *theirs*
(what is stored now) and *mine* (what the form posts). A field only one side
changed takes that side's value; a field both changed the same way is fine; a
field both changed differently is a conflict and the save is refused as before.
Mentions (many-to-many) and tags are fields like the others.

A workflow step since the form was opened (status or publication date), or a
restored revision, is not merged over: the form is refused, as before, so nobody saves into a story that
was published, scheduled or sent back under them without looking.
"""

import re
from dataclasses import dataclass, field

from django.db import models
from reversion.errors import RevertError
from reversion.models import Version
from taggit.models import Tag

from .html import clean_html
from .models import Article, EditorialEvent, TaggedArticle

WORKFLOW_FIELDS = ("status", "published_at")
_BETWEEN_TAGS = re.compile(r">\s+<")


@dataclass
class MergeResult:
    taken: list = field(default_factory=list)  # labels of fields taken from their save
    conflicts: list = field(default_factory=list)  # labels of fields both changed


def base_revision(article, opened_version):
    """The stored revision of ``article`` at ``opened_version``, or None."""
    for version in Version.objects.get_for_object(article).select_related("revision")[:50]:
        try:
            if version.field_dict.get("version") == opened_version:
                return version
        except RevertError:
            continue
    return None


def ensure_base_revision(article, user):
    """Keep a revision of the story as it is now, if none records its current version.

    Rows written outside the admin (fixtures, the shell) have no revision yet;
    without one, a later save from this form could not be merged. Called when
    the form is opened by someone who may change the story.
    """
    import reversion

    article = Article.objects.get(pk=article.pk)  # as stored, not as a form may show it
    if base_revision(article, article.version) is not None:
        return

    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment("The story as first opened in the admin.")
        reversion.add_to_revision(article)


def _base_tags(version):
    """The tag names saved with the revision (its followed TaggedArticle rows)."""
    tag_ids = []
    for other in version.revision.version_set.select_related("content_type"):
        if other.content_type.model_class() is not TaggedArticle:
            continue
        try:
            data = other.field_dict
        except RevertError:
            continue
        if str(data.get("content_object_id")) == str(version.object_id):
            tag_ids.append(data.get("tag_id"))
    return list(Tag.objects.filter(pk__in=tag_ids).values_list("name", flat=True))


def _moment(value):
    """A value as the admin's form shows it: datetimes to the second."""
    return value.replace(microsecond=0) if hasattr(value, "microsecond") else value


def _normal(model_field, value):
    """A value in a form fit for comparison across the three sides."""
    if model_field is None:  # tags
        return frozenset(str(name).strip().lower() for name in (value or []) if str(name).strip())
    if model_field.many_to_many:
        pks = value.values_list("pk", flat=True) if hasattr(value, "values_list") else value
        return frozenset(int(getattr(pk, "pk", pk)) for pk in (pks or []))
    if model_field.name == "body":
        # The cleaned markup, spacing aside: a word made bold is an edit too, and one
        # side's formatting must not be dropped for the other's text.
        return _BETWEEN_TAGS.sub("><", " ".join(clean_html(value or "").split()))
    if isinstance(model_field, models.FileField):
        return str(getattr(value, "name", value) or "")
    if isinstance(model_field, (models.CharField, models.TextField)):
        return " ".join(str(value or "").split())
    if isinstance(model_field, models.ForeignKey):
        return getattr(value, "pk", value)
    return _moment(value)


def _stored(article, model_field):
    if model_field is None:
        return list(article.tags.names())
    if model_field.many_to_many:
        return list(getattr(article, model_field.name).values_list("pk", flat=True))
    return getattr(article, model_field.attname)


def merge(form, cleaned, opened_version):
    """Merge the posted ``cleaned`` data with what was saved since ``opened_version``.

    Returns None when it cannot be merged (no base revision, or a workflow step
    since), else a :class:`MergeResult`; with no conflicts, ``cleaned`` now holds
    the merged values.
    """
    article = form.instance
    base = base_revision(article, opened_version)
    if base is None:
        return None
    try:
        base_values = base.field_dict
    except RevertError:
        return None
    current = Article.objects.get(pk=article.pk)
    for name in WORKFLOW_FIELDS:
        if _moment(base_values.get(name)) != _moment(getattr(current, name)):
            return None
    restored = EditorialEvent.objects.filter(
        article=article,
        action=EditorialEvent.Action.RESTORED,
        at__gte=base.revision.date_created,
    )
    if restored.exists():
        return None  # a restore since: a rewind, not an edit to merge over

    result = MergeResult()
    for name, form_field in form.fields.items():
        if name not in cleaned or name in ("opened_version", "return_note"):
            continue
        if name == "tags":
            model_field, base_value = None, _base_tags(base)
        else:
            try:
                model_field = Article._meta.get_field(name)
            except Exception:  # noqa: BLE001 - a form-only field
                continue
            if isinstance(model_field, models.FileField):
                continue  # an upload is in the form or not; the stored file stays otherwise
            key = model_field.name if model_field.many_to_many else model_field.attname
            if key not in base_values:
                continue
            base_value = base_values[key]
        theirs_value = _stored(current, model_field)
        base_n = _normal(model_field, base_value)
        mine_n = _normal(model_field, cleaned[name])
        theirs_n = _normal(model_field, theirs_value)
        if theirs_n == base_n or mine_n == theirs_n:
            continue  # only I changed it, or we agree
        label = str(form_field.label or name).capitalize()
        if mine_n != base_n:
            result.conflicts.append(label)
            continue
        # Only they changed it: keep their value.
        if model_field is None:
            cleaned[name] = list(current.tags.names())
        elif model_field.many_to_many:
            cleaned[name] = model_field.related_model._default_manager.filter(
                pk__in=theirs_value
            )
        elif isinstance(model_field, models.ForeignKey):
            cleaned[name] = getattr(current, model_field.name)
        else:
            cleaned[name] = theirs_value
        result.taken.append(label)
    return result
