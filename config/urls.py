import posixpath

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.static import serve

from catalog import renditions
from newsroom.sitemaps import sitemaps
from newsroom.views.site import robots_txt

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("newsroom.urls")),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots-txt"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path(
        "favicon.ico",
        cache_control(max_age=86400)(
            lambda request: redirect(static("img/favicon.svg"), permanent=True)
        ),
    ),
    # Share links for outside reviewers (signed, expiring, revocable).
    path("review/", include("newsroom.preview")),
    # The read-only content API (OpenAPI schema at /api/v1/schema/).
    path("api/v1/", include("newsroom.api.urls")),
]

handler404 = "newsroom.views.site.page_not_found"
# A database outage met outside a view (in a middleware) gets the 503 page too.
handler500 = "newsroom.middleware.server_error"


def serve_media(request, path):
    """An uploaded file from local storage (``SERVE_MEDIA``: one host, local disk).

    An image whose rights have ended, and each of its renditions, answers 404 to
    readers from that moment, even to one who kept its URL; staff still get it
    (the admin's previews), privately. One query per file, nothing cached: a date
    moved later serves the file again at the next request. Browsers may keep a
    file but must ask again each time (a 304 is cheap), since its rights may end
    at any moment, or be ended early by an editor.

    In production with object storage (several hosts) this view is off and the
    files are served by the storage (or its CDN), not Django: an ended image
    leaves every page, but its file stays reachable at its storage URL until it
    is removed there or the bucket serves signed, expiring URLs.
    """
    name = posixpath.normpath(path).lstrip("/")  # as serve() reads it
    if renditions.withheld(name) and not (request.user.is_active and request.user.is_staff):
        raise Http404("This image may no longer be shown.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    patch_cache_control(response, max_age=0, must_revalidate=True)
    return response


if settings.SERVE_MEDIA:
    # Uploaded images from local storage. With object storage (several hosts),
    # the storage's own URLs are used and this is off.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{prefix}(?P<path>.*)$", serve_media)]
