"""The search page and the search box's suggestions, over the same visibility rule.

``/search/?q=`` renders the results page (``newsroom.search.search``).
``/search/suggest/?q=kim`` answers ``{"query": "kim", "results": [{"name", "kind",
"label", "detail", "url"}, ...]}`` with public people, bags, houses, campaigns
and events whose name or alias matches (``newsroom.search.suggest``). The search
page itself works without it: the box is an ordinary form.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .. import surrogate
from ..search import normalise
from ..search import search as run_search
from ..search import suggest as find_suggestions
from ..seo import home_crumb, page_graph, page_meta


@require_safe
def suggest(request):
    # Like every public page: browsers revalidate (a story taken down leaves the
    # suggestions at once), shared caches keep it until a purge of ``search``.
    surrogate.add(request, surrogate.SEARCH)
    query = normalise(request.GET.get("q", ""))
    response = JsonResponse({"query": query, "results": find_suggestions(query)})
    response["X-Robots-Tag"] = "noindex"
    return response


def search(request):
    surrogate.add(request, surrogate.SEARCH)
    results = run_search(request.GET.get("q", ""))
    crumbs = [home_crumb(), ("Search", reverse("newsroom:search"))]
    meta = page_meta(
        request,
        title=f"Search: {results.query}" if results.query else "Search",
        description="Search the stories, people, handbags and campaigns.",
        path=reverse("newsroom:search"),
        noindex=True,
    )
    context = {
        "results": results,
        "meta": meta,
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs, kind="SearchResultsPage"),
    }
    return render(request, "newsroom/search.html", context)
