"""The editorial groups and fixture media: receivers connected in :func:`connect_signals`."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files import File
from django.db.models import FileField
from django.db.models.signals import post_migrate, post_save

EDITORS = "Editors"
WRITERS = "Writers"

# Writers may create and edit everything a story needs, but not publish or delete:
# every registered kind of entity, and these.
WRITER_EXTRA_MODELS = {
    "newsroom": [
        "article",
        "ambassadorship",
        "affiliation",
        "campaignseries",
        "quote",
        "quotewording",
        "role",
    ],
    "catalog": ["colorway", "productimage"],
    "taggit": ["tag"],
}


def writer_models():
    """``{app_label: [model_name, ...]}`` of what writers may add, change and view."""
    from . import entities

    models = {app: list(names) for app, names in WRITER_EXTRA_MODELS.items()}
    for kind in entities.kinds():
        meta = kind.model._meta
        models.setdefault(meta.app_label, []).append(meta.model_name)
    return models


def ensure_editorial_groups(sender, app_config=None, using="default", **kwargs):
    """Make sure the Editors and Writers groups exist with their permissions.

    Runs after every ``migrate`` (permissions are created by then), so the groups
    are there on a fresh database and follow new models without a data migration.
    """
    if app_config is None or app_config.label != "newsroom":
        return
    apps = list(writer_models())
    content_perms = Permission.objects.using(using).filter(content_type__app_label__in=apps)

    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(*content_perms)

    writer_codenames = [
        f"{action}_{model}"
        for models in writer_models().values()
        for model in models
        for action in ("add", "change", "view")
    ]
    writers, _ = Group.objects.using(using).get_or_create(name=WRITERS)
    writers.permissions.add(*content_perms.filter(codename__in=writer_codenames))
    writers.permissions.remove(*content_perms.filter(codename="publish_article"))


def copy_fixture_media(sender, instance, raw=False, **kwargs):
    """When ``loaddata`` installs a row whose file is missing from storage, copy it there
    from a fixture directory's ``media/`` folder (e.g. ``fixtures/media/articles/x.png``).

    Only fixture loads (``raw``) copy; files already in storage are left alone.
    """
    if not raw:
        return
    for field in sender._meta.concrete_fields:
        if not isinstance(field, FileField):
            continue
        name = getattr(instance, field.attname).name
        if not name:
            continue
        for fixture_dir in settings.FIXTURE_DIRS:
            media = (Path(fixture_dir) / "media").resolve()
            source = (media / name).resolve()
            if not (source.is_relative_to(media) and source.is_file()):
                continue
            if not field.storage.exists(name):
                with source.open("rb") as fh:
                    field.storage.save(name, File(fh, name=source.name))
            break


def connect_signals():
    post_migrate.connect(ensure_editorial_groups, dispatch_uid="editorial-groups")
    post_save.connect(copy_fixture_media, dispatch_uid="copy-fixture-media")
