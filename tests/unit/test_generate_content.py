"""The synthetic archive generator: linked content, fixed seed, safe re-runs, safety switch."""

import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Brand, Colorway, Product
from newsroom import cache as pagecache
from newsroom.models import Ambassadorship, Article, Campaign, Person, QuoteWording

pytestmark = pytest.mark.django_db

SMALL = {"articles": 300, "people": 40, "products": 30, "campaigns": 10, "batch_size": 100}


def generate(**options):
    out = io.StringIO()
    call_command("generate_content", stdout=out, force=True, **{**SMALL, **options})
    return out.getvalue()


def test_refuses_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG is off.*--force"):
        call_command("generate_content", articles=1, stdout=io.StringIO())
    assert not Article.objects.exists()


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("generate_content", articles=5, people=3, products=3, stdout=io.StringIO())
    assert Article.objects.count() == 5


def test_generates_linked_content_with_every_status():
    output = generate()
    assert Article.objects.count() == 300
    assert Person.objects.count() == 40
    assert Product.objects.count() == 30
    assert Campaign.objects.count() == 10
    assert Brand.objects.count() == 5
    statuses = set(Article.objects.values_list("status", flat=True))
    assert statuses == {"published", "draft", "review"}
    assert Article.objects.scheduled().exists(), "some articles are scheduled for later"
    assert Article.objects.published().count() > 250
    # Every article mentions someone, a brand and carries tags.
    assert not Article.objects.filter(people=None).exists()
    assert not Article.objects.filter(brands=None).exists()
    assert not Article.objects.filter(tags=None).exists()
    assert Article.products.through.objects.exists()
    assert Article.campaigns.through.objects.exists()
    assert QuoteWording.objects.exists()
    assert Colorway.objects.count() >= Product.objects.count()
    assert Ambassadorship.objects.exists()
    assert not Campaign.objects.filter(people=None).exists()
    # Bodies are clean HTML that survives the sanitiser unchanged.
    from newsroom.html import clean_html

    body = Article.objects.first().body
    assert body.startswith("<p>") and clean_html(body) == body
    assert "rows/s" in output and "peak memory" in output


def test_same_seed_gives_the_same_content_and_reruns_never_clash():
    generate(seed=7)
    first = list(Article.objects.order_by("pk").values_list("headline", "status"))
    generate(seed=7)
    assert Article.objects.count() == 600
    assert Article.objects.filter(slug__startswith="g1-").count() == 300
    assert Article.objects.filter(slug__startswith="g2-").count() == 300
    second = list(
        Article.objects.filter(slug__startswith="g2-")
        .order_by("pk")
        .values_list("headline", "status")
    )
    assert second == first


def test_invalidates_the_page_cache_once_done(monkeypatch):
    """bulk_create sends no signals: the command must say that content changed."""
    generate(articles=10)  # the roles now exist: the next run saves nothing one by one
    calls = []
    real = pagecache.content_changed
    monkeypatch.setattr(
        "newsroom.management.commands.generate_content.content_changed",
        lambda **kw: calls.append(kw) or real(**kw),
    )
    before = pagecache.current_state().version
    generate(articles=10)
    assert len(calls) == 1
    assert pagecache.current_state().version != before


def test_the_generated_archive_renders(client):
    generate()
    article = Article.objects.published().filter(people__isnull=False).first()
    person = article.people.first()
    for url in ["/", article.get_absolute_url(), person.get_absolute_url(), "/articles/"]:
        assert client.get(url).status_code == 200, url


def test_public_listing_is_served_by_the_composite_index():
    """The newest-first listing reads the (status, published_at) index, not the table."""
    from django.db import connection

    generate()
    listing = Article.objects.published().for_listing()[:20]
    sql, params = listing.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A few hundred rows fit in one page, where a scan is cheaper: ask only
            # whether the index matches the query's filter and order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "article_public_listing" in plan, plan
    # No sort of the whole result: at most the tie-break on id within one moment.
    assert "TEMP B-TREE FOR ORDER BY" not in plan and "->  Sort" not in plan, plan
