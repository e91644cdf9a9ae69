from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.static import serve

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

if settings.SERVE_MEDIA:
    # Uploaded images from local storage. With object storage (several hosts),
    # the storage's own URLs are used and this is off.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(rf"^{prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]
