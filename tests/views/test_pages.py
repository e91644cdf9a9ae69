"""The reader's pages: what each shows, what it links to, and what it never shows."""

import re

import pytest
from django.urls import reverse

from newsroom.models import Article
from tests.factories import make_article, make_brand, make_person, make_product, tomorrow

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db


def links(response):
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


@pytest.fixture
def reader_pages(world):
    return [
        "/",
        "/articles/",
        world.article.get_absolute_url(),
        world.kim.get_absolute_url(),
        world.demna.get_absolute_url(),
        world.kander.get_absolute_url(),
        world.campaign.get_absolute_url(),
        world.older_campaign.get_absolute_url(),
        world.brand.get_absolute_url(),
        world.bag.get_absolute_url(),
        world.hobo.get_absolute_url(),
        reverse("newsroom:tag-detail", kwargs={"slug": "handbags"}),
        "/search/?q=Kim",
        "/search/?q=secret",
        "/search/?q=embargoed",
        "/feeds/articles/",
        "/feeds/tags/handbags/",
        f"/feeds/people/{world.kim.slug}/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-people.xml",
        "/sitemap-products.xml",
        "/sitemap-campaigns.xml",
        "/sitemap-brands.xml",
        "/sitemap-tags.xml",
    ]


def test_nothing_unpublished_or_embargoed_appears_on_any_public_page(client, world, reader_pages):
    """Drafts, stories in review, scheduled stories and embargoed entities are attached to
    everything in the world fixture; no page, list, count, feed, sitemap, search result,
    timeline, quote or JSON-LD block may show them."""
    for url in reader_pages:
        response = get_ok(client, url)
        assert_no_secrets(response.content.decode())


@pytest.mark.parametrize("attr", ["draft", "in_review", "scheduled"])
def test_unpublished_story_answers_404_to_readers(client, world, attr):
    response = client.get(getattr(world, attr).get_absolute_url())
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.parametrize("attr", ["hidden_person", "hidden_product", "hidden_campaign"])
def test_embargoed_entity_answers_404(client, world, attr):
    assert client.get(getattr(world, attr).get_absolute_url()).status_code == 404


def test_embargoed_brand_answers_404_and_hides_its_products(client, db):
    brand = make_brand(name="Secret House", embargoed_until=tomorrow())
    bag = make_product(name="Secret House Bag", brand=brand)
    assert client.get(brand.get_absolute_url()).status_code == 404
    assert client.get(bag.get_absolute_url()).status_code == 404


def test_embargo_lifts_by_itself(client, db):
    person = make_person(name="Soon Public", embargoed_until=tomorrow())
    assert client.get(person.get_absolute_url()).status_code == 404
    person.embargoed_until = None
    person.save()
    assert client.get(person.get_absolute_url()).status_code == 200


def test_tag_carried_only_by_drafts_answers_404(client, world):
    assert client.get("/tags/secret-tag/").status_code == 404
    assert client.get("/feeds/tags/unknown-tag/").status_code == 404


def test_home_shows_latest_stories_featured_campaign_and_ambassadors(client, world):
    response = get_ok(client, "/")
    hrefs = links(response)
    assert world.article.get_absolute_url() in hrefs
    assert world.campaign.get_absolute_url() in hrefs
    assert world.kim.get_absolute_url() in hrefs
    assert response.context["featured"] == world.campaign


def test_article_links_every_public_entity_and_quote_speaker(client, world):
    response = get_ok(client, world.article.get_absolute_url())
    hrefs = links(response)
    for obj in (
        world.kim,
        world.demna,
        world.kander,
        world.brand,
        world.bag,
        world.hobo,
        world.campaign,
    ):
        assert obj.get_absolute_url() in hrefs
    assert "/tags/handbags/" in hrefs
    html = response.content.decode()
    assert "<blockquote><p>My guess will be 130.</p></blockquote>" in html
    assert 'class="quote__speaker" href="/people/kim-kardashian/"' in html
    assert "Fall 2024 show" in html


def test_article_body_links_the_first_mention_under_name_or_alias(client, world):
    body = str(get_ok(client, world.article.get_absolute_url()).context["body"])
    assert body.count('href="/people/kim-kardashian/"') == 1
    assert '<a href="/people/kim-kardashian/" rel="noopener noreferrer">Kim Kardashian</a>' in body
    assert '<a href="/people/demna/" rel="noopener noreferrer">Demna Gvasalia</a>' in body
    assert "Kardashian again" in body  # the second mention stays text
    assert "/products/embargoed-bag/" not in body


def test_article_body_is_sanitised_again_on_output(client, db):
    article = make_article(headline="Unsafe body")
    # Written behind the sanitiser's back, as a raw SQL import would.
    Article.objects.filter(pk=article.pk).update(
        body='<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:alert(2)">x</a>'
        '<span style="color:red">y</span></p>'
    )
    html = get_ok(client, article.get_absolute_url()).content.decode()
    assert "alert(" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert 'style="' not in html


def test_related_stories_share_an_entity_and_are_published(client, world):
    other = make_article(headline="Another Bel Air story")
    other.products.add(world.bag)
    unrelated = make_article(headline="Nothing in common")
    html = get_ok(client, world.article.get_absolute_url()).content.decode()
    related = html[html.index('id="related-title"') :]
    assert other.get_absolute_url() in related
    assert unrelated.get_absolute_url() not in related
    assert world.article.get_absolute_url() not in related


def test_person_page_shows_roles_ambassadorships_campaigns_bags_quotes_and_timeline(client, world):
    response = get_ok(client, world.kim.get_absolute_url())
    html = response.content.decode()
    ctx = response.context
    assert "Ambassador" in html and "since 2024" in html
    assert ctx["appeared_in"] == [world.campaign, world.older_campaign]
    assert [product for product, _ in ctx["carried"]] == [world.bag, world.hobo]
    assert [q.text for q in ctx["quotes"]] == ["My guess will be 130."]
    assert [w.article for w in ctx["quotes"][0].wordings.all()] == [world.article]
    assert ctx["events"] == [world.event]
    assert ctx["articles"] == [world.article]
    kinds = [entry.kind for entry in ctx["timeline"]]
    assert {"Ambassador", "Campaign", "Event", "Story"} <= set(kinds)
    whens = [entry.when for entry in ctx["timeline"]]
    assert whens == sorted(whens)


def test_photographer_page_lists_campaigns_photographed(client, world):
    ctx = get_ok(client, world.kander.get_absolute_url()).context
    assert world.campaign in ctx["photographed"]
    assert ctx["appeared_in"] == []


def test_creative_director_appears_on_brand_page(client, world):
    response = get_ok(client, world.brand.get_absolute_url())
    assert "Creative director" in response.content.decode() or "creative director" in (
        response.content.decode()
    )
    assert world.demna.get_absolute_url() in links(response)


def test_campaign_page_shows_brand_series_photographer_people_bags_quotes_stories(client, world):
    response = get_ok(client, world.campaign.get_absolute_url())
    hrefs = links(response)
    for obj in (
        world.brand,
        world.kander,
        world.kim,
        world.bag,
        world.hobo,
        world.older_campaign,
        world.article,
    ):
        assert obj.get_absolute_url() in hrefs
    assert "My guess will be 130." in response.content.decode()


def test_product_page_shows_colourways_specs_variants_campaigns_people_and_stories(client, world):
    response = get_ok(client, world.bag.get_absolute_url())
    html = response.content.decode()
    hrefs = links(response)
    assert '<rect width="24" height="24" rx="4" fill="#111111"/>' in html
    assert "Black" in html and "Beige" in html
    assert "Calfskin" in html and "Twist lock" in html and "Small, medium, large" in html
    for obj in (world.brand, world.hobo, world.campaign, world.kim, world.article):
        assert obj.get_absolute_url() in hrefs
    assert "Fall 2024 show" in html
    assert 'style="' not in html


def test_variant_page_links_to_the_original(client, world):
    response = get_ok(client, world.hobo.get_absolute_url())
    assert world.bag.get_absolute_url() in links(response)
    assert "An iteration of the" in response.content.decode()


def test_brand_page_shows_products_campaigns_ambassadors_stories_and_timeline(client, world):
    response = get_ok(client, world.brand.get_absolute_url())
    ctx = response.context
    assert ctx["products"] == [world.bag, world.hobo]
    assert set(ctx["campaigns"]) == {world.campaign, world.older_campaign}
    assert [a.person for a in ctx["ambassadorships"]] == [world.kim]
    assert ctx["articles"] == [world.article]
    assert any(entry.kind == "Founded" and entry.label == "1917" for entry in ctx["timeline"])


def test_tag_page_lists_published_stories(client, world):
    ctx = get_ok(client, "/tags/handbags/").context
    assert ctx["page"].items == [world.article]


def test_article_list_pages_with_cursors_and_no_count(client, db, django_assert_max_num_queries):
    articles = [make_article(headline=f"Story {i}") for i in range(45)]
    newest_first = sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)
    first = get_ok(client, "/articles/").context["page"]
    assert first.items == newest_first[:20]
    assert first.newer is None and first.older is not None
    second = get_ok(client, f"/articles/?after={first.older}").context["page"]
    assert second.items == newest_first[20:40]
    third = get_ok(client, f"/articles/?after={second.older}").context["page"]
    assert third.items == newest_first[40:]
    assert third.older is None
    back = get_ok(client, f"/articles/?before={third.newer}").context["page"]
    assert back.items == newest_first[20:40]


def test_article_list_ignores_a_malformed_cursor(client, db):
    make_article()
    assert client.get("/articles/?after=not-a-cursor").status_code == 200
    assert client.get("/articles/?after=99999999999999999999999999-1").status_code == 200


def test_staff_preview_of_a_draft_on_the_public_url(client, world, editor):
    client.force_login(editor)
    response = client.get(world.draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview — not published" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-cache" in response["Cache-Control"]
    assert response.context["is_preview"]
    assert response.context["related"] == ""
    assert "Related stories" not in html


def test_preview_needs_the_change_permission(client, world, django_user_model):
    user = django_user_model.objects.create_user(username="reader", password="x")
    client.force_login(user)
    assert client.get(world.draft.get_absolute_url()).status_code == 404


def test_published_article_seen_by_staff_is_not_a_preview(client, world, editor):
    client.force_login(editor)
    response = client.get(world.article.get_absolute_url())
    assert "Preview — not published" not in response.content.decode()
    assert not response.context["is_preview"]


def test_404_and_500_pages(client, db, settings):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()

    from newsroom.views.site import server_error

    error = server_error(None)
    assert error.status_code == 500
    assert b"Something went wrong" in error.content


def test_robots_txt_points_at_the_sitemap(client, db):
    response = get_ok(client, "/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_every_page_has_unique_title_description_canonical_and_sharing_tags(client, world):
    titles = set()
    for url in (
        "/",
        "/articles/",
        world.article.get_absolute_url(),
        world.kim.get_absolute_url(),
        world.campaign.get_absolute_url(),
        world.brand.get_absolute_url(),
        world.bag.get_absolute_url(),
        "/tags/handbags/",
    ):
        html = get_ok(client, url).content.decode()
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert title not in titles
        titles.add(title)
        assert re.search(r'<meta name="description" content="[^"]+">', html)
        assert f'<link rel="canonical" href="http://testserver{url}">' in html
        assert '<meta property="og:title"' in html
        assert '<meta name="twitter:card"' in html
        assert 'type="application/rss+xml"' in html


def test_nothing_links_to_a_product_or_campaign_whose_brand_is_under_embargo(client, world):
    """Their pages answer 404 while the brand is embargoed, so no page may link to them."""
    from tests.factories import make_campaign

    house = make_brand(name="Veiled House", embargoed_until=tomorrow())
    bag = make_product(name="Veiled House Bag", brand=house)
    campaign = make_campaign(name="Veiled House Campaign", brand=house, date="2030-01-01")
    campaign.people.add(world.kim)
    campaign.products.add(bag)
    world.campaign.products.add(bag)
    world.article.products.add(bag)
    world.article.campaigns.add(campaign)
    world.article.body += "<p>The Veiled House Bag and the Veiled House Campaign.</p>"
    world.article.save()
    for url in (
        "/",
        world.article.get_absolute_url(),
        world.kim.get_absolute_url(),
        world.campaign.get_absolute_url(),
        "/search/?q=veiled",
    ):
        hrefs = links(client.get(url))
        assert bag.get_absolute_url() not in hrefs, url
        assert campaign.get_absolute_url() not in hrefs, url
        assert house.get_absolute_url() not in hrefs, url
    assert client.get(campaign.get_absolute_url()).status_code == 404
    sitemap = client.get("/sitemap-products.xml").content.decode()
    assert bag.slug not in sitemap


def test_later_pages_have_their_own_canonical_url_without_other_parameters(client, db):
    for i in range(25):
        make_article(headline=f"Story {i}")
    older = get_ok(client, "/articles/").context["page"].older
    html = get_ok(client, f"/articles/?utm_source=x&after={older}").content.decode()
    assert f'<link rel="canonical" href="http://testserver/articles/?after={older}">' in html
    assert 'href="?before=' in html


def test_preview_shows_the_drafts_own_quotes_but_readers_never_see_them(client, world, editor):
    assert "Secret words." not in client.get(world.kim.get_absolute_url()).content.decode()
    client.force_login(editor)
    html = client.get(world.draft.get_absolute_url()).content.decode()
    assert "<blockquote><p>Secret words.</p></blockquote>" in html


def test_an_empty_site_still_has_working_pages(client, db):
    for url in (
        "/",
        "/articles/",
        "/search/",
        "/search/?q=anything",
        "/feeds/articles/",
        "/sitemap.xml",
        "/robots.txt",
    ):
        assert client.get(url).status_code == 200, url
    assert "No stories yet." in client.get("/articles/").content.decode()


def test_robots_txt_answers_head_requests(client, db):
    assert client.head("/robots.txt").status_code == 200


def test_favicon_answers_with_the_site_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")


@pytest.mark.parametrize("page", ["kim", "campaign"])
def test_quotes_show_with_the_published_stories_that_report_them(client, world, page):
    html = get_ok(client, getattr(world, page).get_absolute_url()).content.decode()
    assert "My guess will be 130." in html
    reported = html.split("My guess will be 130.", 1)[1].split("</p>", 2)[1]
    assert "Reported in" in reported
    assert f'href="{world.article.get_absolute_url()}"' in reported
    assert "Secret words." not in html
