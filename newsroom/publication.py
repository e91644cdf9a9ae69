"""When a person, brand, product, campaign or event becomes public.

The rule (``catalog.models.PublishableMixin``): not under embargo, and either an
editor published it by hand or a published story links it, directly or, for a
house, through one of its bags, campaigns or shows. The second half is
kept in ``linked_since``: the moment the first published story that links the row
went, or goes, live. A scheduled story therefore makes what it links public at the
moment it goes live, with nothing to run.

The receivers below keep ``linked_since`` exact whenever an article's workflow
fields, its links or its existence change, whichever way the change is made (the
admin, the services, a shell, ``loaddata``). ``refresh_all`` recomputes every row,
for migrations and fixture loads.
"""

from datetime import UTC, datetime

from django.db.models import DateTimeField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Least, NullIf
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from . import entities
from .models import Article


# A story about a bag, a campaign or a show is also about the house behind it: linking
# one of those publishes its ``brand`` too.
def linking_fields():
    """Article's many-to-many field for each registered kind: ``people``, ``brands``, ..."""
    return [Article._meta.get_field(kind.article_field) for kind in entities.kinds()]


def owner_field(model):
    """The foreign key to the row that owns rows of ``model`` (``EntityKind.owner``), if any."""
    kind = entities.for_model(model)
    if kind is None or not kind.owner:
        return None
    return model._meta.get_field(kind.owner)


def publishable_models():
    return list(dict.fromkeys(field.related_model for field in linking_fields()))


def _lookups(model):
    """Article lookups that link a row of ``model``, directly or through a row it owns."""
    for field in linking_fields():
        if field.related_model is model:
            yield field.name
        owner = owner_field(field.related_model)
        if owner is not None and owner.related_model is model:
            yield f"{field.name}__{owner.name}"


# Stands in for "no live story" inside LEAST/MIN, which would return NULL for a NULL.
_NEVER = datetime(9999, 12, 31, tzinfo=UTC)


def _first_live_story_via(lookup):
    """Subquery: when the first published story linking the outer row through ``lookup``
    goes live (one join per lookup, so each is an index probe)."""
    return Subquery(
        Article.objects.filter(
            status=Article.Status.PUBLISHED,
            published_at__isnull=False,
            **{lookup: OuterRef("pk")},
        )
        .order_by("published_at")
        .values("published_at")[:1],
        output_field=DateTimeField(),
    )


def _first_live_story(model):
    """When the first published story linking the outer row goes live, or NULL.

    A house is linked directly and through its bags, campaigns and shows: the
    earliest of one subquery per path, rather than one query OR-ing the joins.
    """
    first, *others = (_first_live_story_via(lookup) for lookup in _lookups(model))
    if not others:
        return first
    never = Value(_NEVER, output_field=DateTimeField())
    earliest = Least(*(Coalesce(sq, never) for sq in (first, *others)))
    return NullIf(earliest, never)


def refresh(model, pks=None, *, using="default"):
    """Recompute ``linked_since`` of rows of ``model`` (all when ``pks`` is None).

    Rows of ``pks`` that become visible or hidden by it now (not at a future
    moment: that is a schedule point) are passed to the page cache, since the
    pages that would list them carry no key of theirs (``cache.visibility_changed``).
    """
    rows = model._default_manager.using(using)
    if pks is None:
        rows.update(linked_since=_first_live_story(model))
        return  # migrations, fixture loads: they invalidate every page anyway
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return
    rows = rows.filter(pk__in=pks)
    before = dict(rows.values_list("pk", "linked_since"))
    rows.update(linked_since=_first_live_story(model))
    after = dict(rows.values_list("pk", "linked_since"))
    now = timezone.now()
    flipped = [
        pk
        for pk, moment in after.items()
        if _live(moment, now) != _live(before.get(pk), now)
    ]
    if flipped:
        from .cache import visibility_changed

        visibility_changed(model, flipped, using=using)


def _live(moment, now):
    return moment is not None and moment <= now


def refresh_with_owners(model, pks, *, using="default"):
    pks = list(pks)
    refresh(model, pks, using=using)
    owner = owner_field(model)
    if owner is not None and pks:
        owners = model._default_manager.using(using).filter(pk__in=pks)
        refresh(owner.related_model, owners.values_list(owner.attname, flat=True), using=using)


def refresh_all(*, using="default"):
    for model in publishable_models():
        refresh(model, using=using)


def _linked_pks(article, using):
    """What the article links now, per field."""
    return {
        field: list(
            field.remote_field.through._default_manager.using(using)
            .filter(**{field.m2m_field_name(): article.pk})
            .values_list(field.m2m_reverse_field_name(), flat=True)
        )
        for field in linking_fields()
    }


def _refresh_linked_by(article, using):
    for field, pks in _linked_pks(article, using).items():
        refresh_with_owners(field.related_model, pks, using=using)


def _workflow(article):
    return article.status, article.published_at


def _article_saving(sender, instance, raw, using, **kwargs):
    if raw or instance.pk is None:
        return
    instance._workflow_before = (
        sender._default_manager.using(using)
        .filter(pk=instance.pk)
        .values_list("status", "published_at")
        .first()
    )


def _article_saved(sender, instance, created, using, update_fields=None, **kwargs):
    if created:
        return  # a new row links nothing yet; its links arrive through m2m_changed
    if update_fields is not None and not {"status", "published_at"} & set(update_fields):
        return
    before = instance.__dict__.pop("_workflow_before", None)
    if before is not None and tuple(before) == _workflow(instance):
        return  # a save that keeps its status and moment (a draft, a typo) publishes nothing
    _refresh_linked_by(instance, using)


def _article_deleting(sender, instance, using, **kwargs):
    instance._linked_before_delete = _linked_pks(instance, using)


def _article_deleted(sender, instance, using, **kwargs):
    for field, pks in getattr(instance, "_linked_before_delete", {}).items():
        refresh_with_owners(field.related_model, pks, using=using)


def _links_changed(field):
    def changed(sender, instance, action, reverse, pk_set, using, **kwargs):
        if action == "pre_clear" and not reverse:
            # The cleared rows are gone by post_clear: remember them now.
            instance._cleared_pks = _linked_pks(instance, using)[field]
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse and instance.status != Article.Status.PUBLISHED:
            return  # only published stories (live or scheduled) publish what they link
        if reverse:
            # ``person.articles.add(...)``: the row whose links changed is ``instance``.
            refresh_with_owners(field.related_model, [instance.pk], using=using)
        elif action == "post_clear":
            refresh_with_owners(
                field.related_model, getattr(instance, "_cleared_pks", []), using=using
            )
        else:
            refresh_with_owners(field.related_model, pk_set or [], using=using)

    return changed


def _owner_saving(sender, instance, raw, using, **kwargs):
    owner = owner_field(sender)
    if raw or instance.pk is None:
        return
    instance._owner_before = (
        sender._default_manager.using(using)
        .filter(pk=instance.pk)
        .values_list(owner.attname, flat=True)
        .first()
    )


def _owner_saved(sender, instance, raw, using, **kwargs):
    """A bag moved to another house: both houses' publication may change."""
    if raw:
        return  # loaddata recomputes everything once at the end
    owner = owner_field(sender)
    before = getattr(instance, "_owner_before", None)
    now = getattr(instance, owner.attname)
    if before != now:
        refresh(owner.related_model, [before, now], using=using)


def connect_signals():
    pre_save.connect(_article_saving, sender=Article, dispatch_uid="publication_article_saving")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="publication_article_saved")
    pre_delete.connect(
        _article_deleting, sender=Article, dispatch_uid="publication_article_deleting"
    )
    post_delete.connect(
        _article_deleted, sender=Article, dispatch_uid="publication_article_deleted"
    )
    for field in linking_fields():
        m2m_changed.connect(
            _links_changed(field),
            sender=field.remote_field.through,
            weak=False,
            dispatch_uid=f"publication_links_{field.name}",
        )
    for model in publishable_models():
        if owner_field(model) is not None:
            uid = f"publication_owner_{model._meta.label_lower}"
            pre_save.connect(_owner_saving, sender=model, dispatch_uid=uid)
            post_save.connect(_owner_saved, sender=model, dispatch_uid=uid)
