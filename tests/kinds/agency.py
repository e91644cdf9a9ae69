"""A photographers' agency: everything adding a kind takes, built and removed at run time.

What the registry's docstring lists, and nothing else:

* the model (``PublishableMixin``, ``NamedMixin``, ``PublishableManager``), in the
  newsroom app beside people, campaigns and events;
* the Article many-to-many field that links it (``Article.agencies``);
* its admin (the embargo guard and publication rights, like every kind);
* its page (template and view) and its URL (``tests.kinds.urls``);
* one ``entities.register(EntityKind(...))``.

The modules that connect receivers per kind at start-up connect them again, as
they would have had the kind been registered before they ran. :func:`installed`
undoes all of it, whatever happened in between.
"""

import weakref
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import signals
from django.dispatch.dispatcher import _make_id
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import clear_url_caches
from unfold.admin import ModelAdmin

from catalog.admin import PUBLICATION_FIELDSET
from catalog.models import NamedMixin, PublishableManager, PublishableMixin
from newsroom import entities, publication, redirects, surrogate
from newsroom.assistants import suggestions
from newsroom.assistants.guards import EmbargoGuardMixin
from newsroom.models import Article
from newsroom.seo import home_crumb, page_graph, page_meta

APP_LABEL = "newsroom"
KEY = "agency"
FIELD = "agencies"
URL_NAME = "kinds:agency-detail"
TEMPLATE = Path(__file__).parent / "templates" / "kinds" / "agency_detail.html"


# -- the model, its admin and its page ----------------------------------------------------


def build_model():
    """A new ``Agency`` class, registered with the app registry as it is defined."""

    class Agency(NamedMixin, PublishableMixin):
        website = models.URLField(blank=True)

        objects = PublishableManager()

        class Meta:
            app_label = APP_LABEL
            ordering = ["name"]
            verbose_name = "agency"
            verbose_name_plural = "agencies"

        def get_absolute_url(self):
            return entities.reader_url(self)

    return Agency


class AgencyAdmin(EmbargoGuardMixin, ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [(None, {"fields": ["name", "slug", "aliases", "website"]}), PUBLICATION_FIELDSET]


def agency_detail(request, slug):
    kind = entities.get(KEY)
    agency = get_object_or_404(kind.public(), slug=slug)
    surrogate.add(request, kind.cache_key(agency.pk))
    path = agency.get_absolute_url()
    crumbs = [home_crumb(), (agency.name, path)]
    context = {
        "agency": agency,
        "meta": page_meta(request, title=agency.name, description=agency.name, path=path),
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs),
    }
    template = engines["django"].from_string(TEMPLATE.read_text())
    return HttpResponse(template.render(context, request))


# -- installing and removing it -------------------------------------------------------------


def _schema_editor():
    """A schema editor that runs its statements at once, inside the current transaction.

    Entering ``connection.schema_editor()`` refuses to run inside ``atomic()`` on
    SQLite (it cannot turn foreign-key checks off there); both SQLite and
    PostgreSQL roll DDL back with the test's transaction, so the statements are
    run one by one without it.
    """
    editor = connection.schema_editor()
    editor.deferred_sql = []
    return editor


def _create_tables(*models):
    editor = _schema_editor()
    for model in models:
        editor.create_model(model)
    for statement in editor.deferred_sql:
        editor.execute(statement)


def _drop_tables(*models):
    tables = [model._meta.db_table for model in models]
    if not set(tables) <= set(connection.introspection.table_names()):
        return
    # PostgreSQL refuses to drop a table with deferred foreign-key checks pending.
    connection.check_constraints(table_names=tables)
    editor = _schema_editor()
    for model in models:
        editor.delete_model(model)


def _disconnect_receivers(*senders):
    """Every model-signal receiver connected for ``senders`` specifically."""
    model_signals = [
        signals.pre_init,
        signals.post_init,
        signals.pre_save,
        signals.post_save,
        signals.pre_delete,
        signals.post_delete,
        signals.m2m_changed,
    ]
    ids = {_make_id(sender) for sender in senders}
    for signal in model_signals:
        for (lookup, sender_id), receiver, *_ in list(signal.receivers):
            if sender_id not in ids:
                continue
            sender = next(s for s in senders if _make_id(s) == sender_id)
            if isinstance(lookup, str):
                signal.disconnect(sender=sender, dispatch_uid=lookup)
            else:
                if isinstance(receiver, weakref.ReferenceType):
                    receiver = receiver()
                signal.disconnect(receiver, sender=sender)


def _forget_models(*models):
    """Take ``models`` out of the app registry and of every cache that knows them."""
    app_models = apps.all_models[APP_LABEL]
    for model in models:
        if app_models.get(model._meta.model_name) is model:
            del app_models[model._meta.model_name]
        surrogate._prefixes.pop(model, None)
    for per_db in ContentType.objects._cache.values():
        for key, content_type in list(per_db.items()):
            label = key if isinstance(key, tuple) else (content_type.app_label, content_type.model)
            if label in {(m._meta.app_label, m._meta.model_name) for m in models}:
                del per_db[key]
    apps.clear_cache()


def _link_field(model):
    field = models.ManyToManyField(model, blank=True, related_name="articles")
    field.contribute_to_class(Article, FIELD)
    return field


def _unlink_field(field):
    if field in Article._meta.local_many_to_many:
        Article._meta.local_many_to_many.remove(field)
    if FIELD in Article.__dict__:
        delattr(Article, FIELD)
    Article._meta._expire_cache()


def _connect_per_kind_receivers():
    """What ``NewsroomConfig.ready()`` connects per registered kind (the rest is global)."""
    publication.connect_signals()
    redirects.connect_signals()


@contextmanager
def installed():
    """Install the agency kind for the block; yields the ``Agency`` model.

    Needs a database connection inside a transaction that is rolled back after
    the block (pytest-django's ``db``): the tables live and die with it.
    """
    if KEY in {kind.key for kind in entities.kinds()}:
        raise RuntimeError("The agency kind is already installed.")
    agency = build_model()
    field = through = None

    registered_admin = False
    try:
        field = _link_field(agency)
        through = field.remote_field.through
        _create_tables(agency, through)
        admin.site.register(agency, AgencyAdmin)
        registered_admin = True
        entities.register(
            entities.EntityKind(
                key=KEY, model=agency, article_field=FIELD, plural="agencies", url_name=URL_NAME
            )
        )
        _connect_per_kind_receivers()
        suggestions.reset_mention_index()
        clear_url_caches()
        yield agency
    finally:
        entities.unregister(KEY)
        if registered_admin:
            admin.site.unregister(agency)
        created = [m for m in (agency, through) if m is not None]
        _disconnect_receivers(*created)
        _drop_tables(*reversed(created))
        if field is not None:
            _unlink_field(field)
        _forget_models(*created)
        suggestions.reset_mention_index()
        clear_url_caches()
