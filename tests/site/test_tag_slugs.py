"""Tags in any script: ASCII slugs from one rule, on every save path, on every page."""

import importlib
import json
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from taggit.models import Tag

from newsroom import tags as tag_rules
from newsroom.models import Article
from tests.admin.postdata import article_data
from tests.factories import make_article

pytestmark = pytest.mark.django_db

URL_SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # Django's <slug:> converter
NAMES = ["Hermès", "エルメス", "Ünïcödé ✨", ",", "---", "Luxury fashion", "123", "Ça va?"]


def _slug_of(name):
    return Tag.objects.get(name=name).slug


# --- The rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Hermès", "hermes"),
        ("Luxury fashion", "luxury-fashion"),
        ("Ça va?", "ca-va"),
        ("123", "123"),
    ],
)
def test_latin_names_lose_their_accents(name, slug):
    assert tag_rules.tag_slug(name) == slug


@pytest.mark.parametrize("name", ["エルメス", ",", "---", "✨", ""])
def test_names_without_ascii_letters_get_a_stable_hashed_slug(name):
    slug = tag_rules.tag_slug(name)
    assert slug.startswith("tag-") and URL_SLUG.fullmatch(slug)
    assert tag_rules.tag_slug(name) == slug


def test_hashed_slugs_differ_by_name_but_not_by_case():
    assert tag_rules.tag_slug("エルメス") != tag_rules.tag_slug("シャネル")
    assert tag_rules.tag_slug("Ωmega") == tag_rules.tag_slug("ωmega") == "mega"
    assert tag_rules.tag_slug("ΩΜΕΓΑ") == tag_rules.tag_slug("ωμεγα")


def test_very_long_names_leave_room_for_a_suffix():
    slug = tag_rules.tag_slug("word " * 60)
    assert len(slug) <= tag_rules.BASE_MAX_LENGTH and URL_SLUG.fullmatch(slug)


# --- Every save path ----------------------------------------------------------------


def test_tags_added_to_an_article_get_ascii_slugs():
    article = make_article()
    article.tags.add(*NAMES)
    for name in NAMES:
        assert URL_SLUG.fullmatch(_slug_of(name)), name
    assert _slug_of("Hermès") == "hermes"
    assert _slug_of("エルメス") == tag_rules.tag_slug("エルメス")


def test_names_sharing_a_slug_get_distinct_ones():
    make_article().tags.add("Hermès", "Hermes", "HERMÈS!")
    # Case-insensitive tags: "HERMÈS!" is another name, "Hermes" too.
    slugs = sorted(Tag.objects.values_list("slug", flat=True))
    assert slugs == ["hermes", "hermes-2", "hermes-3"]


def test_a_valid_ascii_slug_given_with_the_tag_is_kept():
    Tag.objects.create(name="Dior", slug="christian-dior")
    assert _slug_of("Dior") == "christian-dior"


def test_a_unicode_slug_given_with_the_tag_is_replaced():
    tag = Tag.objects.create(name="Hermès", slug="hermès")
    tag.refresh_from_db()
    assert tag.slug == "hermes"


def test_loaddata_gives_ascii_slugs_and_a_second_load_changes_nothing(tmp_path):
    fixture = tmp_path / "unicode_tags.json"
    fixture.write_text(
        json.dumps(
            [
                {"model": "taggit.tag", "fields": {"name": "Hermès", "slug": "hermès"}},
                {"model": "taggit.tag", "fields": {"name": "エルメス", "slug": "エルメス"}},
                {"model": "taggit.tag", "fields": {"name": ",", "slug": ""}},
            ]
        ),
        encoding="utf-8",
    )
    call_command("loaddata", str(fixture), verbosity=0)
    first = dict(Tag.objects.values_list("name", "slug"))
    call_command("loaddata", str(fixture), verbosity=0)
    assert dict(Tag.objects.values_list("name", "slug")) == first
    assert first["Hermès"] == "hermes"
    assert all(URL_SLUG.fullmatch(slug) for slug in first.values())


# --- The data migration --------------------------------------------------------------

migration = importlib.import_module("newsroom.migrations.0004_ascii_tag_slugs")


class _SchemaEditor:
    connection = connection


def test_migration_repairs_rows_saved_before_the_rule():
    for name in ("Hermès", "エルメス", ",", "Hermes", "Fine"):
        Tag.objects.create(name=name)
    # Rows as taggit used to write them (an update sends no signal).
    Tag.objects.filter(name="Hermès").update(slug="hermès")
    Tag.objects.filter(name="エルメス").update(slug="エルメス")
    Tag.objects.filter(name=",").update(slug="")
    Tag.objects.filter(name="Hermes").update(slug="hermes")
    Tag.objects.filter(name="Fine").update(slug="a-kept-slug")

    migration.repair_tag_slugs(django_apps, _SchemaEditor())

    slugs = dict(Tag.objects.values_list("name", "slug"))
    assert slugs["Hermès"] == "hermes-2"  # "hermes" was taken
    assert slugs["Hermes"] == "hermes"
    assert slugs["エルメス"] == tag_rules.tag_slug("エルメス")
    assert slugs[","] == tag_rules.tag_slug(",")
    assert slugs["Fine"] == "a-kept-slug"
    migration.repair_tag_slugs(django_apps, _SchemaEditor())
    assert dict(Tag.objects.values_list("name", "slug")) == slugs


@pytest.mark.parametrize("name", [*NAMES, "", "word " * 60, "Ωmega", "  spaced  out  "])
def test_the_migration_follows_the_same_rule(name):
    assert migration.tag_slug(name) == tag_rules.tag_slug(name)
    assert migration.is_url_slug(tag_rules.tag_slug(name))


# --- Forms: a tag needs a letter or a digit -------------------------------------------

_TAG_INLINE = {
    "taggit_taggeditem_items-TOTAL_FORMS": "0",
    "taggit_taggeditem_items-INITIAL_FORMS": "0",
}


def _tag_form(name, slug=""):
    return {"name": name, "slug": slug, **_TAG_INLINE}


@pytest.mark.parametrize("typed", ['","', "---", '"---", Fashion', "🙂"])
def test_article_form_refuses_a_tag_without_letters(editor_client, typed):
    response = editor_client.post(reverse("admin:newsroom_article_add"), article_data(tags=typed))
    assert response.status_code == 200
    assert "tags" in response.context["adminform"].form.errors
    assert "needs at least one letter or digit" in response.content.decode()
    assert not Article.objects.exists()
    assert not Tag.objects.exists()


def test_article_form_accepts_tags_in_any_script(editor_client):
    response = editor_client.post(
        reverse("admin:newsroom_article_add"), article_data(tags="Hermès, エルメス, 123")
    )
    assert response.status_code == 302
    assert sorted(Article.objects.get().tags.values_list("slug", flat=True)) == sorted(
        ["hermes", tag_rules.tag_slug("エルメス"), "123"]
    )


def test_tag_admin_refuses_a_name_without_letters(editor_client):
    response = editor_client.post(reverse("admin:taggit_tag_add"), _tag_form("---"))
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert not Tag.objects.exists()


def test_tag_admin_refuses_a_slug_the_url_would_not_accept(editor_client):
    response = editor_client.post(reverse("admin:taggit_tag_add"), _tag_form("Hermès", "hermès"))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert "hermes" in response.content.decode()
    assert not Tag.objects.exists()


def test_tag_admin_makes_the_slug_when_left_blank(editor_client):
    response = editor_client.post(reverse("admin:taggit_tag_add"), _tag_form("エルメス"))
    assert response.status_code == 302
    assert _slug_of("エルメス") == tag_rules.tag_slug("エルメス")


def test_tag_admin_merge_refuses_a_name_without_letters(editor_client):
    one, two = Tag.objects.create(name="One"), Tag.objects.create(name="Two")
    session = editor_client.session
    session["selected_tag_ids"] = f"{one.pk},{two.pk}"
    session.save()
    url = reverse("admin:taggit_tag_merge_tags")
    response = editor_client.post(url, {"new_tag_name": ",,,"})
    assert response.status_code == 302
    assert not Tag.objects.filter(name=",,,").exists()


# --- Every page that shows a tag ------------------------------------------------------


def test_every_page_renders_tags_in_any_script(client):
    article = make_article(headline="Tags from everywhere")
    article.tags.add(*NAMES)
    tags = list(Tag.objects.all())

    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    for tag in tags:
        url = reverse("newsroom:tag-detail", kwargs={"slug": tag.slug})
        assert f'href="{url}"' in html
        tag_page = client.get(url)
        assert tag_page.status_code == 200
        assert "Tags from everywhere" in tag_page.content.decode()
        feed = client.get(reverse("newsroom:tag-feed", kwargs={"slug": tag.slug}))
        assert feed.status_code == 200
    assert "エルメス" in html and "Hermès" in html

    sitemap = client.get("/sitemap-tags.xml")
    assert sitemap.status_code == 200
    locations = re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", sitemap.content.decode())
    assert sorted(locations) == sorted(
        reverse("newsroom:tag-detail", kwargs={"slug": t.slug}) for t in tags
    )
    for path in ("/", "/articles/", "/feeds/articles/", "/sitemap.xml"):
        assert client.get(path).status_code == 200, path
    search = client.get("/search/", {"q": "everywhere"})
    assert search.status_code == 200
    assert "<mark>everywhere</mark>" in search.content.decode()
