"""Links in article bodies to pages of this site, and whether readers can open them.

An editor may link by hand to a person, brand, product, campaign or another
article. If that page is not public (an embargo, a draft, an address that does
not exist), a reader following the link gets a 404. The admin warns before
publishing such a body (:mod:`newsroom.assistants.guards`); the reader's page drops
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

from . import entities
from .mentions import link_hrefs, unwrap_links
from .models import Article

ARTICLE_VIEW = "newsroom:article-detail"


def _detail_views():
    """Detail pages whose object may not be public, by URL name: articles and each kind."""
    return {ARTICLE_VIEW: None, **{kind.url_name: kind for kind in entities.with_pages()}}


def _own_hosts(host):
    hosts = {h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")}
    if host:
        hosts.add(host)
    return hosts


def _served_elsewhere(path):
    prefixes = [p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p and p.startswith("/")]
    return any(path.startswith(prefix) for prefix in prefixes)


def _public(kind, *, at):
    if kind is None:
        return Article.objects.published(now=at)
    return kind.public(now=at)


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
    detail_views = _detail_views()
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
        if match.view_name in detail_views and "slug" in match.kwargs:
            kind = detail_views[match.view_name]
            wanted.setdefault(kind, []).append((href, parts.path, match.kwargs["slug"]))

    problems = []
    for kind, links in wanted.items():
        model = kind.model if kind else Article
        label = kind.label if kind else "article"
        slugs = {slug for _href, _path, slug in links}
        public = set(_public(kind, at=at).filter(slug__in=slugs).values_list("slug", flat=True))
        known = set()
        if with_reasons and slugs - public:
            known = set(model.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        for href, path, slug in links:
            if slug in public:
                continue
            if with_reasons and slug in known:
                reason = (
                    "an article readers cannot see yet"
                    if kind is None
                    else f"a {label} readers cannot see yet (under embargo or not published)"
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
