"""Share links: an outside reviewer sees one revision of an article, without an account.

An editor makes a :class:`~newsroom.models.ReviewLink` from the article's admin
page ("Share for review"). Its address carries a token signed with the site's
secret key (``django.core.signing``), so addresses cannot be guessed or edited
into another link's. The page shows the revision saved when the link was made,
through the same template readers get, marked as a preview; it is never cached
nor indexed. Once the link expires or is revoked it shows nothing but a note.
The reviewer can approve the revision or ask for changes with a note (a POST
with a CSRF token); either lands in the article's editorial history, and a
request for changes sends a story in review back to its writer.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from . import entities as registry
from . import services
from .forms import ReviewApprovalForm
from .html import clean_html
from .middleware import allow_methods
from .views.articles import ArticleEntities, article_detail_context

app_name = "review"

ROBOTS = "noindex, nofollow, noarchive"


def _snapshot(link):
    """The article as it was when the link was made (not saved anywhere).

    Returns the article and the people, brands, products, campaigns and events
    it mentioned then, as the revision recorded them.
    """
    if link.version is None:
        raise Http404("This share link has no revision to show.")
    snapshot = link.version._object_version
    article = snapshot.object
    article.body = clean_html(article.body)
    mentioned = snapshot.m2m_data or {}

    entities = ArticleEntities(
        **{
            kind.article_field: list(
                kind.public()
                .filter(pk__in=mentioned.get(kind.article_field, []))
                .select_related(*(["brand"] if kind.has_field("brand") else []))
                .order_by("name")
            )
            for kind in registry.kinds()
        }
    )
    return article, entities


@never_cache
@allow_methods("GET", "HEAD", "POST")
def review_link(request, token):
    link = services.review_link_from_token(token)
    if link is None:
        raise Http404("No such share link.")
    if not link.is_active:
        response = render(
            request,
            "newsroom/review_unavailable.html",
            {"revoked": link.revoked_at is not None, "meta": {"noindex": True}},
            status=410,
        )
        response["X-Robots-Tag"] = ROBOTS
        return response

    form = ReviewApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = {"link": link, "name": form.cleaned_data["name"], "note": form.cleaned_data["note"]}
        try:
            if form.verdict == form.REQUEST_CHANGES:
                services.review_link_request_changes(**answer)
                done = "Thank you: your request for changes has been sent to the newsroom."
            else:
                services.review_link_approve(**answer)
                done = "Thank you: your approval has been recorded."
        except PermissionDenied as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, done)
        return HttpResponseRedirect(request.path)

    article, entities = _snapshot(link)
    context = article_detail_context(
        request,
        article,
        preview=True,
        # What the revision mentioned, not what the article mentions now.
        entities=entities,
        # A private, unindexed page: no structured data for search engines.
        structured_data=False,
    )
    context.update(
        review_link=link,
        approval_form=form,
        shared_revision_date=link.version.revision.date_created,
    )
    response = render(request, "newsroom/article_detail.html", context)
    response["X-Robots-Tag"] = ROBOTS
    return response


urlpatterns = [
    path("<str:token>/", review_link, name="review-link"),
]
