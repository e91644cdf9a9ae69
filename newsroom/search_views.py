"""The search box's suggestions: a small JSON answer over the same visibility rule.

``/search/suggest/?q=kim`` answers ``{"query": "kim", "results": [{"name", "kind",
"label", "detail", "url"}, ...]}`` with public people, bags, houses, campaigns
and events whose name or alias matches (``newsroom.search.suggest``). The search
page itself works without it: the box is an ordinary form.
"""

from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .search import normalise
from .search import suggest as find_suggestions


@require_safe
@cache_control(max_age=60, public=True)
def suggest(request):
    query = normalise(request.GET.get("q", ""))
    response = JsonResponse({"query": query, "results": find_suggestions(query)})
    response["X-Robots-Tag"] = "noindex"
    return response
