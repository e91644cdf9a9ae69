"""The site's URLs, the agency's page, and the admin as it is registered now.

``config.urls`` built the admin's URLs when it was first imported, before the
agency's admin existed; ``urlpatterns`` here is computed each time a resolver is
built (after ``clear_url_caches()``), so the agency's admin pages resolve too.
The admin comes first: the first ``admin`` namespace is the one reversed.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import urls as site_urls

from .agency import agency_detail

handler404 = site_urls.handler404
handler500 = site_urls.handler500

agency_patterns = ([path("<slug:slug>/", agency_detail, name="agency-detail")], "kinds")


def __getattr__(name):
    if name == "urlpatterns":
        return [
            path(settings.ADMIN_PATH, admin.site.urls),
            path("agencies/", include(agency_patterns)),
            *site_urls.urlpatterns,
        ]
    raise AttributeError(name)
