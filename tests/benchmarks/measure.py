"""In-process measurements, run by run.py in a fresh process against one database.

    python tests/benchmarks/measure.py pages URLS.json OUT.json [--pick] [--runs N]
    python tests/benchmarks/measure.py search OUT.json [--runs N]
    python tests/benchmarks/measure.py admin OUT.json [--runs N]
    python tests/benchmarks/measure.py stories OUT.json --count N --holdout M
    python tests/benchmarks/measure.py edit PK OUT.json --interval SECONDS
    python tests/benchmarks/measure.py article URL OUT.json PROFILE.txt [--runs N]

``pages`` renders each URL through Django's full middleware stack (without the
page cache: run.py sets BENCH_PAGE_CACHE=0) and records the SQL query count and
the median render time. ``--pick`` first chooses the URLs from the database and
writes them to URLS.json, so a later run measures the very same pages.

The last three serve the cache-tier lines (cache_tier.py): ``stories`` lists
published stories spread over the archive (N for the readers' mix, M more that
no reader visits before the first-visit line) and a draft; ``edit`` saves one
article every SECONDS through the services layer, as the admin does, while the
caller lets it (signals: see :func:`edit`); ``article`` times one article page in-process without the page
cache next to the bare view and writes a cProfile summary of its renders.
"""

import cProfile
import json
import os
import pstats
import signal
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


def measure_together(urls, runs):
    """Like :func:`measure` for several URLs, taking turns request by request.

    On a shared machine a burst of load then falls on every URL alike, so their
    ratio stays fair.
    """
    c = client()
    counts = {}
    for url in urls:
        for _ in range(2):
            assert c.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            c.get(url)
        counts[url] = len(queries.captured_queries)
    samples = {url: [] for url in urls}
    for _ in range(runs):
        for url in urls:
            started = time.perf_counter()
            c.get(url)
            samples[url].append(time.perf_counter() - started)
    return [
        {
            "url": url,
            "queries": counts[url],
            "median_ms": statistics.median(samples[url]) * 1000,
            "runs": runs,
        }
        for url in urls
    ]


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


def stories(out_file, count, holdout):
    """Published stories spread evenly over the archive, and a draft to edit."""
    from newsroom.models import Article

    public = list(Article.objects.published().order_by("pk").values_list("pk", "slug"))
    wanted = count + holdout
    if len(public) < wanted:
        raise SystemExit(f"need {wanted} published stories, the archive has {len(public)}")
    step = len(public) / wanted
    chosen = [public[int(n * step)] for n in range(wanted)]
    urls = {pk: reverse("newsroom:article-detail", kwargs={"slug": slug}) for pk, slug in chosen}
    draft = Article.objects.filter(status=Article.Status.DRAFT).order_by("pk").first()
    if draft is None:
        raise SystemExit("the archive has no draft to edit")
    pks = [pk for pk, _ in chosen]
    result = {
        "mix": [[pk, urls[pk]] for pk in pks[:count]],
        "first_visits": [urls[pk] for pk in pks[count:]],
        "draft_pk": draft.pk,
    }
    Path(out_file).write_text(json.dumps(result, indent=2))


def edit(pk, out_file, interval):
    """Save article ``pk`` every ``interval`` seconds as an editor would.

    Each save changes the dek and goes through ``services.article_save`` inside a
    revision, the code path of the admin's save button, so the page cache and the
    purges see exactly what they see in production. Starts paused, once set up
    it prints "ready"; SIGUSR2 starts the saves, SIGUSR1 pauses them, SIGTERM
    ends the run and writes what was done to ``out_file``.
    """
    import reversion
    from django.contrib.auth import get_user_model

    from newsroom import purge
    from newsroom.models import Article
    from newsroom.services import article_save

    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    state = {"stop": False, "paused": True}
    signal.signal(signal.SIGTERM, lambda *_: state.update(stop=True))
    signal.signal(signal.SIGUSR1, lambda *_: state.update(paused=True))
    signal.signal(signal.SIGUSR2, lambda *_: state.update(paused=False))
    # What the saves invalidated: the keys the page cache hands to the purge.
    invalidated = set()
    send = purge.send

    def record(keys):
        invalidated.update(keys)
        send(keys)

    purge.send = record
    saves = []
    cpu = 0.0
    status = Article.objects.values_list("status", flat=True).get(pk=pk)
    print("ready", flush=True)
    next_save = None
    while not state["stop"]:
        if state["paused"]:
            next_save = None
            time.sleep(0.01)
            continue
        next_save = next_save or time.monotonic()
        cpu_started = time.process_time()
        article = Article.objects.get(pk=pk)
        article.dek = f"Updated {len(saves) + 1} times while readers read the archive."
        started = time.perf_counter()
        with reversion.create_revision():
            reversion.set_user(user)
            article_save(article=article, user=user, opened_version=article.version)
        saves.append(time.perf_counter() - started)
        cpu += time.process_time() - cpu_started
        next_save += interval
        while time.monotonic() < next_save and not (state["paused"] or state["stop"]):
            time.sleep(0.01)
    purge.wait()
    result = {
        "pk": pk,
        "status": status,
        "saves": len(saves),
        "median_save_ms": statistics.median(saves) * 1000 if saves else None,
        "cpu_s": cpu,
        "invalidated_keys": sorted(invalidated),
        "purges": dict(purge.stats),
    }
    Path(out_file).write_text(json.dumps(result, indent=2))


PROFILE_RENDERS = 20
PROFILE_LINES = 15
# Where a function's own time goes, by the first of these found in its file name.
PROFILE_AREAS = [
    ("executing SQL (sqlite3, psycopg)", ("sqlite3", "psycopg")),
    ("ORM (building queries, making objects)", ("django/db/",)),
    ("templates", ("django/template/", "django/templatetags/")),
    ("URL reversing", ("django/urls/",)),
    ("cache client (Redis)", ("redis/", "django_redis/", "django/core/cache/")),
    ("HTML parsing and sanitising (nh3)", ("html/parser", "_markupbase", "nh3")),
    ("the site's code", ("/newsroom/", "/catalog/", "/config/")),
    ("Django, other", ("django/",)),
]


def _where(func):
    """``newsroom/views.py:120 article_detail``: a profile entry, short."""
    filename, line, name = func
    for marker in (str(ROOT) + "/", "site-packages/", "python3.11/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line} {name}"


def profile_summary(profiler, url):
    """What an uncached render spends its time on, per render (ms).

    Three views of the same profile: the site's own functions by cumulative time
    (what each part of the page costs, callees included), every function by its
    own time, and that own time added up by area (SQL, ORM, templates, ...).
    """
    stats = pstats.Stats(profiler).stats  # {func: (calls, ncalls, tottime, cumtime, callers)}
    n = PROFILE_RENDERS
    total = sum(tottime for _, _, tottime, _, _ in stats.values())
    lines = [
        f"{url}: {n} renders in-process through the full middleware stack, page cache",
        f"off (rendered twice before). {total / n * 1000:.1f} ms per render profiled",
        "(cProfile slows Python code down; the shares are what matters).",
        "",
        f"Top {PROFILE_LINES} functions of the site's own code by cumulative time "
        "(ms per render, calls per render):",
    ]
    own = [  # the middleware around the view (``__call__``) would only repeat the total
        (func, row)
        for func, row in stats.items()
        if any(part in func[0] for part in ("/newsroom/", "/catalog/")) and func[2] != "__call__"
    ]
    own.sort(key=lambda item: item[1][3], reverse=True)
    for func, (_, ncalls, _, cumtime, _) in own[:PROFILE_LINES]:
        lines.append(f"  {cumtime / n * 1000:8.2f} ms {ncalls / n:8.1f}  {_where(func)}")
    lines += ["", f"Top {PROFILE_LINES} functions by their own time (ms per render, calls):"]
    ranked = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)
    for func, (_, ncalls, tottime, _, callers) in ranked[:PROFILE_LINES]:
        lines.append(f"  {tottime / n * 1000:8.2f} ms {ncalls / n:8.1f}  {_where(func)}")
        if callers:  # the caller that spent the most time in it
            caller = max(callers, key=lambda c: callers[c][3])
            lines.append(f"  {'':21} from {_where(caller)}")
    areas = {}
    for func, (_, _, tottime, _, _) in stats.items():
        where = f"{func[0]} {func[2]}"  # built-ins (sqlite3's execute) are named, not filed
        area = next(
            (name for name, markers in PROFILE_AREAS if any(m in where for m in markers)),
            "Python built-ins and standard library (called by all of the above)",
        )
        areas[area] = areas.get(area, 0.0) + tottime
    lines += ["", "Own time by area (ms per render, share):"]
    for area, seconds in sorted(areas.items(), key=lambda item: item[1], reverse=True):
        lines.append(f"  {seconds / n * 1000:8.2f} ms {seconds / total:6.1%}  {area}")
    return "\n".join(lines) + "\n"


def article(url, out_file, profile_file, runs):
    """One article page and the bare view in-process (page cache off), and a profile.

    Both are rendered twice first, so that whatever the site caches apart from
    whole pages (fragments, the renditions index, compiled queries) is warm, and
    then in turns; the profile then covers PROFILE_RENDERS more renders of the
    article.
    """
    bare, page = measure_together(["/bench/bare/", url], runs)
    c = client()
    c.get(url)  # a new client loads the middleware (WhiteNoise scans every static file)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_RENDERS):
        c.get(url)
    profiler.disable()
    Path(profile_file).write_text(profile_summary(profiler, url))
    result = {
        "url": url,
        "queries": page["queries"],
        "article_ms": page["median_ms"],
        "bare_ms": bare["median_ms"],
        "ratio": page["median_ms"] / bare["median_ms"],
        "runs": runs,
        "profile": str(profile_file),
    }
    Path(out_file).write_text(json.dumps(result, indent=2))


def main(argv):
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 30

    def option(name):
        return argv[argv.index(name) + 1]

    if argv[1] == "pages":
        pages(argv[2], argv[3], pick="--pick" in argv, runs=runs)
    elif argv[1] == "search":
        search(argv[2], runs=runs)
    elif argv[1] == "admin":
        admin(argv[2], runs=runs)
    elif argv[1] == "stories":
        stories(argv[2], int(option("--count")), int(option("--holdout")))
    elif argv[1] == "edit":
        edit(int(argv[2]), argv[3], float(option("--interval")))
    elif argv[1] == "article":
        article(argv[2], argv[3], argv[4], runs)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
