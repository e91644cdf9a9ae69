"""Pages of the site itself: robots.txt and the error pages."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .. import surrogate
from ..seo import PageMeta

# --- robots.txt and errors -------------------------------------------------------------------


@require_safe
@cache_control(max_age=60 * 60 * 24, public=True)
def robots_txt(request):
    surrogate.add(request)  # shows no rows: only a flush or a deploy changes it
    sitemap = request.build_absolute_uri(reverse("sitemap-index"))
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('newsroom:search')}",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    """The friendly 404: what the reader can do next, with the site's header and search."""
    meta = PageMeta(
        title=f"Page not found · {settings.SITE_NAME}",
        description="This page does not exist, or is not public.",
        canonical="",
        noindex=True,
    )
    return render(request, "404.html", {"meta": meta}, status=404)


def server_error(request):
    """The 500 page, rendered without the request's context: nothing that can fail again."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"site_name": settings.SITE_NAME}))
