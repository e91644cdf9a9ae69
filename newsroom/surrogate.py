"""Surrogate keys: what a page shows, and what a write changes.

Every public response carries the keys of what it shows, in a ``Surrogate-Key``
header (Fastly's name; the Varnish configuration maps it to xkey). The
in-process page cache (:mod:`newsroom.cache`) keeps a generation per key and
drops a stored page as soon as one of its keys moves on; the Varnish tier and a
CDN drop it when the app purges the key (:mod:`newsroom.purge`).

The key scheme
--------------
One row's key comes from the registry of kinds (``kind.cache_key(pk)``:
``person-3``, ``brand-7``, ...); articles are ``article-<pk>``, tags
``tag-<pk>``, and any other row of the site's apps ``<model name>-<pk>``
(``quote-4``, ``ambassadorship-9``, ``role-2``). Collections have their own key:
``home``, ``article-list``, ``tag-<pk>`` (the tag's page lists its stories),
``feeds``, ``sitemap``, ``search``, ``tags-list`` and each kind's directory
``kind.list_cache_key`` (``people-list``). Two more:

- ``all``: every page carries it; bumped by ``migrate``, by a schedule point
  passing, and by a write that could not reach the cache (replayed later);
- ``content``: carried by pages whose view declared no keys (a view that never
  called :func:`add` may show anything); bumped by every public write.

Reading: rows are recorded by themselves. While a page renders, every model
instance of the site's apps that is built (loaded from the database or made by
hand from a query's values) adds its key, through ``post_init``. A view adds
the collections it shows with one call, :func:`add`::

    surrogate.add(request, surrogate.HOME, surrogate.ARTICLE_LIST)

A directory carries its kind's ``list_cache_key``, its owner kind's, and those of
the kinds its facets read (the people directory: ``people-list`` and
``brands-list``; the tag list ``tags-list``); search and its suggestions carry
``search``. What a directory reads through a relation of its kind (roles,
ambassadorships, colourways, images, a campaign's series, tagged stories) has no
key of its own there: writing such a row invalidates the directory of every kind
its model is related to (:func:`related_list_keys`). Facet counts come from
values, not rows, so only these list keys keep them exact.

Writing: ``newsroom.cache._keys_for_write`` and ``on_m2m_changed`` say what a
saved or deleted row, or a changed link, invalidates (see their docstrings). A
draft or review save invalidates nothing.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps as global_apps

ALL = "all"
CONTENT = "content"
HOME = "home"
ARTICLE_LIST = "article-list"
FEEDS = "feeds"
SITEMAP = "sitemap"
SEARCH = "search"
TAGS_LIST = "tags-list"

# Lists a public story appears in, whatever it links.
ARTICLE_LISTS = (HOME, ARTICLE_LIST, FEEDS, SITEMAP, SEARCH)

PUBLIC_APPS = {"catalog", "newsroom", "taggit"}
# Rows of those apps readers never see: the audit trail, share links, autosaves.
PRIVATE_MODELS = {"newsroom.editorialevent", "newsroom.reviewlink", "newsroom.articleautosave"}

HEADER = "Surrogate-Key"


class Recorder:
    """The keys one render (a page, or a fragment inside it) showed."""

    __slots__ = ("keys", "declared")

    def __init__(self):
        self.keys = set()
        self.declared = False

    def final_keys(self):
        """What the page carries: its keys, ``all``, and ``content`` if nothing was declared."""
        keys = {ALL, *self.keys}
        if not self.declared:
            keys.add(CONTENT)
        return keys


_recorders: ContextVar[tuple] = ContextVar("surrogate_recorders", default=())


@contextmanager
def collect():
    """Record the keys of what renders inside the block (nested blocks add to outer ones)."""
    recorder = Recorder()
    token = _recorders.set((*_recorders.get(), recorder))
    try:
        yield recorder
    finally:
        _recorders.reset(token)


def recording():
    return bool(_recorders.get())


def add(request, *keys):
    """Say that the page being rendered shows these collections (or rows).

    Also marks the page as declared: it no longer carries ``content``. Outside a
    recorded render (staff, the page cache off) it does nothing.
    """
    for recorder in _recorders.get():
        recorder.keys.update(keys)
        recorder.declared = True


def add_keys(keys):
    """Record ``keys`` as shown, without declaring anything (a kept fragment's keys)."""
    for recorder in _recorders.get():
        recorder.keys.update(keys)


def add_objects(*objs):
    """Record the keys of rows that were not loaded as model instances."""
    recorders = _recorders.get()
    if not recorders:
        return
    keys = {key_for(obj) for obj in objs} - {None}
    for recorder in recorders:
        recorder.keys.update(keys)


# -- the key of a row -----------------------------------------------------------------

_prefixes = {}


def prefix_for(model):
    """The key prefix of a model's rows (``"person"``), or None when readers never see them."""
    try:
        return _prefixes[model]
    except KeyError:
        pass
    from . import entities

    meta = model._meta
    prefix = None
    kind = entities.for_model(model)
    readable = kind is not None or (
        meta.app_label in PUBLIC_APPS and meta.label_lower not in PRIVATE_MODELS
    )
    if meta.apps is global_apps and readable:
        if kind is not None:
            prefix = kind.key
        elif meta.proxy:
            prefix = prefix_for(meta.concrete_model)
        else:
            prefix = meta.model_name
    _prefixes[model] = prefix
    return prefix


def key_for(obj, model=None):
    """``article-12``, ``person-3``, ``tag-5``: the key of a row (or of ``model`` and a pk)."""
    if model is None:
        model, pk = type(obj), obj.pk
    else:
        pk = obj
    prefix = prefix_for(model)
    if prefix is None or pk is None:
        return None
    return f"{prefix}-{pk}"


def _on_post_init(sender, instance, **kwargs):
    recorders = _recorders.get()
    if not recorders:
        return
    key = key_for(instance)
    if key is not None:
        for recorder in recorders:
            recorder.keys.add(key)


def connect_signals():
    from django.db.models.signals import post_init

    post_init.connect(_on_post_init, dispatch_uid="surrogate-keys-post-init")


def header_value(keys):
    return " ".join(sorted(keys))


# -- what a write invalidates -----------------------------------------------------------


def list_keys_of_kinds():
    from . import entities

    return {kind.list_cache_key for kind in entities.kinds()}


def list_key_of(model):
    """The directory key of ``model``'s rows: its kind's ``list_cache_key``,
    ``tags-list`` for tags, None for rows no directory lists."""
    from taggit.models import TagBase

    from . import entities

    kind = entities.for_model(model)
    if kind is not None:
        return kind.list_cache_key
    if issubclass(model, TagBase):
        return TAGS_LIST
    return None


def related_list_keys(model):
    """Directories that may show something of a row of ``model`` (one that is no kind's).

    A directory reads other rows only through the relations of its kind's model
    (facets over ambassadorships, colourways or roles, a campaign's series, a bag's
    images; the tag list through tagged stories): the directory of every kind, and
    the tag list, that ``model`` is related to, whichever side declares the
    relation (a foreign key or many-to-many field on either model).
    """
    keys = set()
    for field in model._meta.get_fields(include_hidden=True):
        if field.is_relation and field.related_model is not None:
            key = list_key_of(field.related_model)
            if key is not None:
                keys.add(key)
    return keys


def owned_list_keys(kind):
    """Directories of kinds owned by ``kind`` (a bag's house shows in the bag directory)."""
    from . import entities

    keys = set()
    for other in entities.kinds():
        if other.owner and other.model._meta.get_field(other.owner).related_model is kind.model:
            keys.add(other.list_cache_key)
    return keys


def foreign_keys(instance):
    """Keys of the rows ``instance`` points at with its foreign keys (its page shows them)."""
    keys = set()
    for field in type(instance)._meta.concrete_fields:
        if field.many_to_one and field.related_model is not None:
            value = getattr(instance, field.attname)
            if value is not None:
                key = key_for(value, model=field.related_model)
                if key is not None:
                    keys.add(key)
    return keys


def _is_page_row(model):
    """Rows with pages of their own (each kind, stories, series, tags): where a walk stops."""
    from taggit.models import TagBase

    return hasattr(model, "get_absolute_url") or issubclass(model, TagBase)


def neighbour_keys(model, pks, *, using="default", depth=3):
    """Keys of the pages that may show rows ``pks`` of ``model`` once readers may see them.

    When a row becomes visible (or hidden) without a write of its own (a story
    that links it goes live), the pages that would now list it do not carry its
    key: they never showed it. They are the pages of the rows related to it,
    directly (the campaigns a person appeared in, the stories that link them) or
    through rows without a page of their own (an ambassadorship: the house; a
    quote and its wordings: the stories that report it). The walk follows every
    relation, stops at rows with a page (kinds, stories, series, tags) and never walks
    back into ``model`` (the other people with the same role do not show this one).
    """
    keys = set()
    frontier = [(model, set(pks))]
    seen = {model}
    for _ in range(depth):
        following = []
        for current, current_pks in frontier:
            rows = current._default_manager.using(using).filter(pk__in=current_pks)
            for field in current._meta.get_fields():
                other = field.related_model if field.is_relation else None
                if other is None or other is model or prefix_for(other) is None:
                    continue
                related = set(rows.values_list(field.name, flat=True)) - {None}
                keys |= {key_for(pk, model=other) for pk in related}
                if related and not _is_page_row(other) and other not in seen:
                    following.append((other, related))
        seen |= {current for current, _ in following}
        frontier = following
        if not frontier:
            break
    return keys - {None}
