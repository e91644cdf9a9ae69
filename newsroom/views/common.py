"""What several reader pages share: page sizes, keyset pages, public quotes."""

from django.db.models import (
    Exists,
    OuterRef,
)

from catalog.models import public_q

from ..models import (
    Article,
    Quote,
    QuoteWording,
)
from ..pagination import Cursor, keyset_page

PAGE_SIZE = 20
RELATED_STORIES = 4
STORIES_LIMIT = 30


# --- Shared helpers --------------------------------------------------------------------------


def published_wordings():
    """Quote wordings as printed in published articles, with their article."""
    # A correlated EXISTS probes each wording's article by key; ``article__in`` made
    # SQLite materialise every published article (50-100 ms at 100,000 articles).
    published = Article.objects.published().filter(pk=OuterRef("article_id"))
    return QuoteWording.objects.filter(Exists(published)).select_related("article")


def public_quotes():
    """Quotes readers may see: reported in a published story, by a speaker not under embargo.

    A quote known only from a draft is as private as the draft.
    """
    return Quote.objects.filter(
        public_q("speaker_person__"),
        public_q("speaker_brand__"),
        Exists(published_wordings().filter(quote=OuterRef("pk"))),
    ).select_related("speaker_person", "speaker_brand")


def cursor_page(request, queryset):
    """The keyset page a request asks for (``?after=`` or ``?before=``)."""
    after = Cursor.parse(request.GET.get("after"))
    before = None if after else Cursor.parse(request.GET.get("before"))
    return keyset_page(queryset, after=after, before=before, size=PAGE_SIZE)


def page_path(request):
    """The canonical path of a keyset page: the path and its cursor, nothing else."""
    for key in ("after", "before"):
        cursor = Cursor.parse(request.GET.get(key))
        if cursor is not None:
            return f"{request.path}?{key}={cursor}"
    return request.path


def first_report_url(quote):
    """The page of the first published story that reports ``quote`` (wordings prefetched)."""
    wordings = quote.wordings.all()
    return wordings[0].article.get_absolute_url() if wordings else ""
