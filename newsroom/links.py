"""Links in article bodies to pages of this site, and whether readers can open them.

An editor may link by hand to a person, brand, product, campaign or another
article. If that page is not public (an embargo, a draft, an address that does
not exist), a reader following the link gets a 404. The admin warns before
publishing such a body (:mod:`newsroom.assistants`); the reader's page drops
the link and keeps its text (:func:`without_unreachable_links`), so no reader
ever sees a link to a page that would answer 404. When the embargo lifts or the
article is published, the link comes back by itself.

An old address that a redirect (``django.contrib.redirects``) still serves
counts as reachable, and so do static files and uploads.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.urls import Resolver404, resolve
from django.utils import timezone

from catalog.models import Brand, Product

from .mentions import link_hrefs, unwrap_links
from .models import Article, Campaign, Person

# Detail pages whose object may not be public, by URL name.
DETAIL_VIEWS = {
    "newsroom:article-detail": (Article, "article"),
    "newsroom:person-detail": (Person, "person"),
    "newsroom:campaign-detail": (Campaign, "campaign"),
    "catalog:brand-detail": (Brand, "brand"),
    "catalog:product-detail": (Product, "product"),
}


def _own_hosts(host):
    hosts = {h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")}
    if host:
        hosts.add(host)
    return hosts


def _served_elsewhere(path):
    prefixes = [p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p and p.startswith("/")]
    return any(path.startswith(prefix) for prefix in prefixes)


def _public(model, *, at):
    if model is Article:
        return Article.objects.published(now=at)
    return model.objects.public(now=at)


def unreachable_links(markup, *, at=None, host="", with_reasons=True):
    """Links in ``markup`` to pages of this site that readers could not open at ``at``.

    Returns ``[(href, reason)]`` (reasons empty unless ``with_reasons``). Links
    elsewhere, and to pages that exist for everyone (lists, tags, search), are
    left out. Runs at most one query per kind of page linked plus one for
    redirects (one more per kind with ``with_reasons``), whatever the number of
    links, and none when the markup links to no page of this site.
    """
    at = at or timezone.now()
    own = _own_hosts(host)
    missing = []  # (href, path, reason): no page, unless a redirect serves the path
    wanted = {}
    for href in dict.fromkeys(link_hrefs(markup)):
        parts = urlsplit(href)
        if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc not in own):
            continue
        if not parts.path.startswith("/") or _served_elsewhere(parts.path):
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            missing.append((href, parts.path, "no page at this address"))
            continue
        target = DETAIL_VIEWS.get(match.view_name)
        if target and "slug" in match.kwargs:
            wanted.setdefault(target, []).append((href, parts.path, match.kwargs["slug"]))

    problems = []
    for (model, label), links in wanted.items():
        slugs = {slug for _href, _path, slug in links}
        public = set(_public(model, at=at).filter(slug__in=slugs).values_list("slug", flat=True))
        known = set()
        if with_reasons and slugs - public:
            known = set(model.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        for href, path, slug in links:
            if slug in public:
                continue
            if with_reasons and slug in known:
                reason = (
                    "an article readers cannot see yet"
                    if model is Article
                    else f"a {label} still under embargo"
                )
                problems.append((href, reason))
            elif with_reasons:
                missing.append((href, path, f"no {label} at this address"))
            else:
                missing.append((href, path, ""))

    if missing:
        redirected = set(
            Redirect.objects.filter(
                site_id=settings.SITE_ID, old_path__in={path for _href, path, _r in missing}
            )
            .exclude(new_path="")
            .values_list("old_path", flat=True)
        )
        problems += [(href, reason) for href, path, reason in missing if path not in redirected]
    return problems


def without_unreachable_links(markup, *, at=None, host=""):
    """``markup`` with links to pages readers cannot open replaced by their text."""
    dead = unreachable_links(markup, at=at, host=host, with_reasons=False)
    return unwrap_links(markup, {href for href, _reason in dead}) if dead else markup
