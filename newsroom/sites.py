"""Which host absolute links name: the request's in development, the Site's in production.

Feeds, the sitemap and the admin's "View on site" build absolute addresses from
``django.contrib.sites``' current Site. In production that is the configured
Site (``SITE_ID``), whatever Host header a request carries. In development
(``DEBUG``) the site is served on whatever address ``make run PORT=...`` chose,
so for the length of each request the current Site answers with the request's
own host, named ``SITE_NAME``.
"""

from django.conf import settings
from django.contrib.sites import models as sites


class RequestHostSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DEBUG:
            return self.get_response(request)
        site_id = getattr(settings, "SITE_ID", None)
        host = request.get_host()
        site = sites.Site(pk=site_id, domain=host, name=getattr(settings, "SITE_NAME", host))
        # Looked up on the module each time: Site.objects.clear_cache() rebinds it.
        sites.SITE_CACHE[site_id] = site
        try:
            return self.get_response(request)
        finally:
            sites.SITE_CACHE.pop(site_id, None)
