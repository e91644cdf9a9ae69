"""Adding a kind of entity takes its model, admin, page and one registry entry.

A photographers' agency (``tests.kinds.agency``) is installed for each test: no
reader, assistant, guard, redirect, sitemap or cache module is told about it
except through ``newsroom.entities``. Each test shows one of them handling it
the way it handles people and houses, and the last ones show that nothing of it
is left behind for the next test.
"""

import pytest
from django.apps import apps
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.urls import reverse

from newsroom import entities, sitemaps
from newsroom.assistants import suggestions
from newsroom.models import Article
from newsroom.views.articles import article_entities
from tests.admin.postdata import article_data
from tests.factories import make_article, make_person, tomorrow
from tests.kinds import agency as agency_kind

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.kinds.urls")]

HIT = "hit"


@pytest.fixture(autouse=True)
def _site_is_the_test_server():
    Site.objects.update_or_create(pk=1, defaults={"domain": "testserver", "name": "Test"})
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


@pytest.fixture
def Agency(db):  # noqa: N802 - a model class
    with agency_kind.installed() as model:
        yield model


@pytest.fixture
def magnum(Agency):  # noqa: N803
    return Agency.objects.create(name="Magnum Photos", slug="magnum-photos", aliases="Magnum")


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def publish_data(article, **changes):
    return article_data(article, _transition="publish", **changes)


# -- the registry ------------------------------------------------------------------------


def test_the_kind_is_registered_with_its_article_field(Agency):  # noqa: N803
    kind = entities.get("agency")
    assert entities.for_model(Agency) is kind
    assert "agencies" in entities.article_fields()
    assert Article._meta.get_field("agencies").related_model is Agency
    assert kind.url("magnum-photos") == "/agencies/magnum-photos/"


# -- linked from a story's page -----------------------------------------------------------


def test_a_story_links_the_agency_it_mentions(client, magnum):
    story = make_article(
        headline="Inside the archive",
        body="<p>Magnum Photos opens its archive. Magnum Photos, again.</p>",
    )
    story.agencies.add(magnum)
    magnum.refresh_from_db()
    assert magnum.is_public, "a live story that links it publishes it"

    assert [a.name for a in article_entities(story).agencies] == ["Magnum Photos"]
    page = client.get(story.get_absolute_url()).content.decode()
    body = page.split('class="article__body prose">', 1)[1].split("</div>", 1)[0]
    assert body.count('href="/agencies/magnum-photos/"') == 1, "its first mention is linked"
    assert client.get("/agencies/magnum-photos/").status_code == 200


def test_the_story_page_lists_the_agency_with_the_other_linked_entities(client, magnum):
    story = make_article(headline="Inside the archive", body="<p>No names here.</p>")
    story.agencies.add(magnum)
    page = client.get(story.get_absolute_url()).content.decode()
    assert 'href="/agencies/magnum-photos/"' in page


# -- suggested in the admin ---------------------------------------------------------------


def test_mention_suggestions_offer_the_agency(admin_client, magnum):
    draft = make_article(
        headline="Magnum at seventy-five",
        body="<p>Shot for Magnum Photos.</p>",
        status=Article.Status.DRAFT,
    )
    report = suggestions.mention_report(draft)
    assert [(s.entity.field, s.entity.name) for s in report.suggestions] == [
        ("agencies", "Magnum Photos")
    ]

    page = admin_client.get(change_url(draft)).content.decode()
    assert change_url(magnum) in page, "the panel links to the agency's admin page"
    assert 'name="agencies"' in page, "the article form has the agencies field"

    live = admin_client.post(
        reverse("admin:newsroom_article_check_mentions"),
        {"headline": "Magnum Photos, seventy-five", "body": "", "article": str(draft.pk)},
    ).json()
    assert [(s["field"], s["label"]) for s in live["suggestions"]] == [("agencies", "agency")]

    admin_client.post(
        reverse("admin:newsroom_article_link_mentions", args=[draft.pk]),
        {"link": f"agencies:{magnum.pk}"},
    )
    assert list(draft.agencies.all()) == [magnum]


# -- guarded ------------------------------------------------------------------------------


def test_publishing_a_story_that_links_an_embargoed_agency_asks_first(admin_client, magnum):
    magnum.embargoed_until = tomorrow()
    magnum.save()
    story = make_article(
        headline="Magnum Photos opens its archive",
        body="<p>Magnum Photos opens its archive.</p>",
        status=Article.Status.REVIEW,
    )
    story.agencies.add(magnum)
    data = publish_data(story, agencies=[str(magnum.pk)])

    response = admin_client.post(change_url(story), data)
    assert response.status_code == 200
    assert "admin/newsroom/article/confirm_links.html" in [t.name for t in response.templates]
    assert "Magnum Photos (agency)" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW, "nothing saved before Yes"

    response = admin_client.post(change_url(story), {**data, "_confirm_links": "yes"})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.is_published

    # Published, and the agency still hidden: no page, no link, no sitemap entry.
    admin_client.logout()
    assert admin_client.get("/agencies/magnum-photos/").status_code == 404
    page = admin_client.get(story.get_absolute_url()).content.decode()
    assert "Magnum Photos opens its archive" in page
    assert "/agencies/magnum-photos/" not in page
    assert (
        "/agencies/magnum-photos/" not in admin_client.get("/sitemap-agencies.xml").content.decode()
    )


def test_embargoing_an_agency_live_stories_link_asks_first(admin_client, magnum):
    story = make_article(headline="Magnum Photos at work")
    story.agencies.add(magnum)
    data = {
        "name": magnum.name,
        "slug": magnum.slug,
        "aliases": magnum.aliases,
        "website": "",
        "embargoed_until_0": tomorrow().strftime("%Y-%m-%d"),
        "embargoed_until_1": "12:00:00",
    }
    response = admin_client.post(change_url(magnum), data)
    assert response.status_code == 200
    assert "Magnum Photos at work" in response.content.decode()
    magnum.refresh_from_db()
    assert magnum.embargoed_until is None, "nothing saved before Yes"


# -- redirected ---------------------------------------------------------------------------


def test_a_slug_change_leaves_a_permanent_redirect(client, magnum):
    magnum.published_by_hand = True
    magnum.save()
    magnum = type(magnum).objects.get(pk=magnum.pk)  # as loaded, the way the admin edits it
    magnum.slug = "magnum"
    magnum.save()

    assert Redirect.objects.filter(
        old_path="/agencies/magnum-photos/", new_path="/agencies/magnum/"
    ).exists()
    response = client.get("/agencies/magnum-photos/")
    assert response.status_code == 301
    assert response["Location"] == "/agencies/magnum/"
    assert client.get("/agencies/magnum/").status_code == 200


# -- in the sitemap -----------------------------------------------------------------------


def test_the_sitemap_lists_public_agencies_only(client, Agency, magnum):  # noqa: N803
    magnum.published_by_hand = True
    magnum.save()
    Agency.objects.create(
        name="Hidden Agency", slug="hidden", published_by_hand=True, embargoed_until=tomorrow()
    )

    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-agencies.xml" in index
    section = client.get("/sitemap-agencies.xml").content.decode()
    assert "http://testserver/agencies/magnum-photos/" in section
    assert "/agencies/hidden/" not in section


# -- invalidated --------------------------------------------------------------------------


def test_a_cached_page_showing_the_agency_changes_when_it_is_renamed(client, magnum):
    story = make_article(headline="Inside the archive", body="<p>With Magnum Photos.</p>")
    story.agencies.add(magnum)
    other = make_article(headline="Unrelated story")
    urls = [story.get_absolute_url(), "/agencies/magnum-photos/", other.get_absolute_url()]
    for url in urls:
        assert client.get(url).status_code == 200
    for url in urls:
        assert client.get(url).get("X-Page-Cache") == HIT, url

    magnum.refresh_from_db()  # published by the story since it was loaded
    magnum.name = "Magnum Agency"
    magnum.save()

    story_page, agency_page = (client.get(url) for url in urls[:2])
    assert story_page.get("X-Page-Cache") != HIT, "the story's page showed the agency"
    assert agency_page.get("X-Page-Cache") != HIT
    assert "Magnum Agency" in agency_page.content.decode()
    assert client.get(urls[2]).get("X-Page-Cache") == HIT, "a page not showing it stays"

    magnum = type(magnum).objects.get(pk=magnum.pk)
    magnum.slug = "magnum"
    magnum.save()
    story_page = client.get(urls[0])
    assert story_page.get("X-Page-Cache") != HIT
    assert 'href="/agencies/magnum/"' in story_page.content.decode()
    assert client.get(urls[2]).get("X-Page-Cache") == HIT


# -- nothing left behind ------------------------------------------------------------------

BUILT_IN = ["person", "brand", "product", "campaign", "event"]


def test_the_agency_is_gone_after_the_block(db):
    before = (
        [k.key for k in entities.kinds()],
        [f.name for f in Article._meta.get_fields()],
        list(sitemaps.sitemaps),
        len(apps.get_models(include_auto_created=True)),
    )
    with agency_kind.installed() as model:
        assert Article._meta.get_field("agencies")
        assert model.objects.count() == 0
    after = (
        [k.key for k in entities.kinds()],
        [f.name for f in Article._meta.get_fields()],
        list(sitemaps.sitemaps),
        len(apps.get_models(include_auto_created=True)),
    )
    assert after == before
    assert [k.key for k in entities.kinds()] == BUILT_IN
    assert not hasattr(Article, "agencies")
    assert "agency" not in apps.all_models["newsroom"]
    assert [name for name, *_ in suggestions.mentionable()] == entities.article_fields()


def test_it_can_be_installed_again(db):
    for _ in range(2):
        with agency_kind.installed() as model:
            model.objects.create(name="Magnum Photos", slug="magnum-photos")
            story = make_article()
            story.agencies.add(model.objects.get())
            assert model.objects.public().count() == 1
    make_person(name="Someone Else")
    assert [k.key for k in entities.kinds()] == BUILT_IN
