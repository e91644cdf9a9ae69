"""In-process measurements, run by run.py in a fresh process against one database.

    python tests/benchmarks/measure.py pages URLS.json OUT.json [--pick] [--runs N]
    python tests/benchmarks/measure.py search OUT.json [--runs N]
    python tests/benchmarks/measure.py admin OUT.json [--runs N]

``pages`` renders each URL through Django's full middleware stack (without the
page cache: run.py sets BENCH_PAGE_CACHE=0) and records the SQL query count and
the median render time. ``--pick`` first chooses the URLs from the database and
writes them to URLS.json, so a later run measures the very same pages.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.bench_settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

SEARCH_TERMS = [
    "balenciaga",
    "kim kardashian",
    "campaign",
    "leather",
    "paris",
    "moreau",
    "city",
    "ambassador",
    "hourglass",
    "archive",
    "bel air",
    "nothing-matches-this",
]


def client():
    return Client(HTTP_HOST="127.0.0.1")


def most_linked(model, relation, **filters):
    published = Q(**{f"{relation}__status": "published"})
    return (
        model.objects.public()
        .filter(**filters)
        .annotate(n=Count(relation, filter=published))
        .order_by("-n", "pk")
        .first()
    )


def pick_urls(*, archive=False):
    """One URL per public page type (the stories' own pages), or the archive's."""
    from catalog.models import Brand, Product
    from newsroom.models import Article, Campaign, Person
    from newsroom.sitemaps import sitemaps

    if archive:
        person = most_linked(Person, "articles", slug__startswith="g1-")
        article = Article.objects.published().filter(slug__startswith="g1-").order_by("pk")[500]
        return {
            "article (archive)": article.get_absolute_url(),
            "article (API, archive)": reverse("api:article-detail", kwargs={"slug": article.slug}),
            "person (archive)": person.get_absolute_url(),
        }
    from taggit.models import Tag

    article = Article.objects.published().order_by("published_at", "pk").last()
    tag = Tag.objects.annotate(n=Count("newsroom_taggedarticle_items")).order_by("-n").first()
    section = next(iter(sitemaps))
    urls = {
        "home": "/",
        "article list": reverse("newsroom:article-list"),
        "article": article.get_absolute_url(),
        # The content API's story resource, next to the page it mirrors.
        "article (API)": reverse("api:article-detail", kwargs={"slug": article.slug}),
        "person": most_linked(Person, "articles").get_absolute_url(),
        "brand": most_linked(Brand, "articles").get_absolute_url(),
        "product": most_linked(Product, "articles").get_absolute_url(),
        "campaign": most_linked(Campaign, "articles").get_absolute_url(),
        "tag": reverse("newsroom:tag-detail", kwargs={"slug": tag.slug}),
        "search": reverse("newsroom:search") + "?q=balenciaga",
        "feed": reverse("newsroom:article-feed"),
        "sitemap index": "/sitemap.xml",
        "sitemap section": f"/sitemap-{section}.xml",
        "robots.txt": "/robots.txt",
        "bare view": "/bench/bare/",
    }
    # One line per directory (from the registry of kinds), a filtered handbag view,
    # and the series and event pages of the stories.
    from newsroom import entities

    for kind in entities.kinds():
        if kind.list_url:
            urls[f"directory: {kind.plural}"] = kind.list_url
    urls["directory: tags"] = reverse("newsroom:tag-list")
    house = most_linked(Brand, "articles")
    urls["directory: products by house"] = f"{reverse('newsroom:product-list')}?house={house.slug}"
    urls["series"] = reverse("newsroom:series-detail", kwargs={"slug": "characters"})
    urls["event"] = reverse(
        "newsroom:event-detail", kwargs={"slug": "balenciaga-fall-2024-presentation"}
    )
    return urls


PAGE_BUDGET_S = 4.0


def measure(url, runs):
    c = client()
    for _ in range(2):
        response = c.get(url)
        assert response.status_code == 200, (url, response.status_code)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        c.get(url)
    once = time.perf_counter() - started
    count = len(queries.captured_queries)  # now: the next request clears the log
    # Slow pages get fewer runs (at least 5), so the whole run stays bounded.
    runs = max(5, min(runs, int(PAGE_BUDGET_S / max(once, 1e-6))))
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        c.get(url)
        samples.append(time.perf_counter() - started)
    return {
        "url": url,
        "queries": count,
        "median_ms": statistics.median(samples) * 1000,
        "runs": runs,
        "bytes": len(response.content),
    }


def pages(urls_file, out_file, *, pick, runs):
    urls_path = Path(urls_file)
    if pick:
        urls_path.write_text(json.dumps(pick_urls(), indent=2))
    urls = json.loads(urls_path.read_text())
    if not pick and os.environ.get("BENCH_ARCHIVE") == "1":
        urls.update(pick_urls(archive=True))
    results = {name: measure(url, runs) for name, url in urls.items()}
    Path(out_file).write_text(json.dumps(results, indent=2))


def search(out_file, runs):
    c = client()
    url = reverse("newsroom:search")
    samples = []
    for term in SEARCH_TERMS:
        started = time.perf_counter()
        assert c.get(url, {"q": term}).status_code == 200
        once = time.perf_counter() - started
        if once > 1.0:  # a slow query counts once rather than stretching the run
            samples.append(once)
            continue
        for _ in range(runs):
            started = time.perf_counter()
            c.get(url, {"q": term})
            samples.append(time.perf_counter() - started)
    samples.sort()
    result = {
        "vendor": connection.vendor,
        "terms": len(SEARCH_TERMS),
        "p50_ms": statistics.median(samples) * 1000,
        "p90_ms": samples[int(len(samples) * 0.9)] * 1000,
    }
    Path(out_file).write_text(json.dumps(result, indent=2))


ADMIN_LISTS = {
    "articles": "newsroom/article/",
    "articles, published": "newsroom/article/?status__exact=published",
    "articles, search": "newsroom/article/?q=balenciaga",
    "people": "newsroom/person/",
    "products": "catalog/product/",
    "quotes": "newsroom/quote/",
    "tags": "taggit/tag/",
}


def admin(out_file, runs):
    """The admin's changelists for a superuser: SQL queries and median time."""
    import secrets

    from django.conf import settings
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(
        f"bench-{secrets.token_hex(4)}", password=secrets.token_urlsafe(16)
    )
    c = client()
    c.force_login(user)
    prefix = "/" + settings.ADMIN_PATH
    results = {}
    for name, path in ADMIN_LISTS.items():
        url = prefix + path
        assert c.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            c.get(url)
        count = len(queries.captured_queries)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            c.get(url)
            samples.append(time.perf_counter() - started)
        results[name] = {
            "url": url,
            "queries": count,
            "median_ms": statistics.median(samples) * 1000,
        }
    user.delete()
    Path(out_file).write_text(json.dumps(results, indent=2))


def main(argv):
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 30
    if argv[1] == "pages":
        pages(argv[2], argv[3], pick="--pick" in argv, runs=runs)
    elif argv[1] == "search":
        search(argv[2], runs=runs)
    elif argv[1] == "admin":
        admin(argv[2], runs=runs)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
