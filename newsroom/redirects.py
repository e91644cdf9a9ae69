"""Old addresses keep working: a slug change leaves a permanent redirect behind.

When the slug of an article, person, campaign, brand or product changes, a
``django.contrib.redirects`` row sends the old address to the new one with a
301 (``RedirectFallbackMiddleware`` answers it once the old address 404s).
Chains collapse: after A→B and B→C, A points straight at C; renaming back to A
removes the redirect away from A. The receivers live here because catalog does
not know about the newsroom; they cover catalog's models too.

Only addresses readers could open are redirected: the old address must have
been readable before the save and the new one must be readable after it (a
live article, an entity ``.public()`` with a public brand). Renaming a draft,
a scheduled story or an embargoed person leaves nothing behind, since a public
301 would reveal the unpublished page and its new address.
"""

import logging

from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models.signals import post_init, post_save, pre_save

from . import entities
from .models import Article

logger = logging.getLogger(__name__)


def redirected_models():
    """Articles, and every registered kind with a page whose slug changes redirect."""
    return [Article, *(k.model for k in entities.with_pages() if k.redirects)]
_OLD_PATH_MAX = Redirect._meta.get_field("old_path").max_length


def redirect_record(*, old_path, new_path):
    """Send ``old_path`` to ``new_path`` from now on, collapsing any chain."""
    if old_path == new_path:
        return
    if len(old_path) > _OLD_PATH_MAX or len(new_path) > _OLD_PATH_MAX:
        logger.warning("Not redirecting %s to %s: address too long", old_path, new_path)
        return
    site = Site.objects.get_current()
    with transaction.atomic():
        # The new address is live again: whatever pointed it elsewhere must go.
        Redirect.objects.filter(site=site, old_path=new_path).delete()
        # Anything that led to the old address now leads straight to the new one.
        Redirect.objects.filter(site=site, new_path=old_path).update(new_path=new_path)
        Redirect.objects.update_or_create(
            site=site, old_path=old_path, defaults={"new_path": new_path}
        )


def readable(model, *, now=None):
    """The rows of ``model`` whose page a reader can open now."""
    if model is Article:
        return Article.objects.published(now=now)
    return entities.for_model(model).public(now=now)


def _is_readable(instance):
    return readable(type(instance)).filter(pk=instance.pk).exists()


def _remember_slug(sender, instance, **kwargs):
    instance._slug_as_loaded = instance.__dict__.get("slug")


def _slug_is_changing(instance):
    old_slug = getattr(instance, "_slug_as_loaded", None)
    return bool(instance.pk and old_slug and old_slug != instance.slug)


def _note_old_address_readable(sender, instance, raw, **kwargs):
    # Before the row is written: could readers open the page at its old address?
    if not raw and _slug_is_changing(instance):
        instance._old_address_readable = _is_readable(instance)


def _redirect_old_slug(sender, instance, created, raw, **kwargs):
    old_slug = getattr(instance, "_slug_as_loaded", None)
    instance._slug_as_loaded = instance.slug
    was_readable = instance.__dict__.pop("_old_address_readable", False)
    if raw or created or not old_slug or old_slug == instance.slug:
        return
    if not (was_readable and _is_readable(instance)):
        return
    new_path = instance.get_absolute_url()
    current_slug = instance.slug
    instance.slug = old_slug
    try:
        old_path = instance.get_absolute_url()
    finally:
        instance.slug = current_slug
    redirect_record(old_path=old_path, new_path=new_path)


def connect_signals():
    for model in redirected_models():
        uid = model._meta.label_lower
        post_init.connect(_remember_slug, sender=model, dispatch_uid=f"slug-memory-{uid}")
        pre_save.connect(
            _note_old_address_readable, sender=model, dispatch_uid=f"slug-readable-{uid}"
        )
        post_save.connect(_redirect_old_slug, sender=model, dispatch_uid=f"slug-redirect-{uid}")
