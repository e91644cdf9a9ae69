"""Revisions: every admin save keeps one; history, a readable diff, and restore."""

import pytest
from django.contrib.redirects.models import Redirect
from django.urls import reverse
from reversion.models import Version

from newsroom.admin.revisions import diff_segments, readable_text
from newsroom.models import Article, EditorialEvent
from tests.admin.postdata import (
    article_data,
    brand_data,
    campaign_data,
    person_data,
    product_data,
)
from tests.factories import make_article, make_brand, make_campaign, make_person, make_product

pytestmark = pytest.mark.django_db


def url(obj, view, *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])


def _versions(obj):
    return list(Version.objects.get_for_object(obj))  # newest first


@pytest.fixture
def edited_article(editor_client):
    """An article saved twice in the admin: headline and body changed the second time."""
    article = make_article(
        status=Article.Status.DRAFT, headline="Le City, at first", body="<p>One two three.</p>"
    )
    editor_client.post(url(article, "change"), article_data(article))
    article.refresh_from_db()
    editor_client.post(
        url(article, "change"),
        article_data(article, headline="Le City, again", body="<p>One two four.</p>"),
    )
    article.refresh_from_db()
    return article


def test_every_save_keeps_a_revision_with_who_and_when(edited_article, editor):
    versions = _versions(edited_article)
    assert len(versions) == 2
    assert all(v.revision.user == editor for v in versions)
    assert versions[0].field_dict["headline"] == "Le City, again"


def test_history_page_lists_revisions(editor_client, edited_article):
    page = editor_client.get(url(edited_article, "history")).content.decode()
    assert page.count('name="from"') == 2
    assert "editor" in page
    assert "Compare selected revisions" in page


def test_compare_two_revisions_shows_a_word_diff(editor_client, edited_article):
    newer, older = _versions(edited_article)
    response = editor_client.get(
        url(edited_article, "compare"), {"from": older.pk, "to": newer.pk}
    )
    page = response.content.decode()
    assert "Le City, <del>at first</del><ins>again</ins>" in page
    assert "One two <del>three.</del><ins>four.</ins>" in page
    assert "2 fields differ" in page


def test_revision_page_diffs_against_the_current_version(editor_client, edited_article):
    older = _versions(edited_article)[1]
    page = editor_client.get(url(edited_article, "revision", older.pk)).content.decode()
    assert "Restore the revision of" in page
    assert "One two <del>three.</del><ins>four.</ins>" in page


def test_diff_escapes_what_editors_wrote(editor_client, editor):
    article = make_article(headline="Plain", status=Article.Status.DRAFT)
    editor_client.post(url(article, "change"), article_data(article))
    article.refresh_from_db()
    editor_client.post(
        url(article, "change"),
        article_data(article, headline='<script>alert("x")</script><img src=x onerror=alert(1)>'),
    )
    newer, older = _versions(article)
    page = editor_client.get(url(article, "compare"), {"from": older.pk, "to": newer.pk})
    content = page.content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert "<img src=x" not in content


def test_restore_brings_back_content_but_keeps_the_workflow_state(editor_client, edited_article):
    older = _versions(edited_article)[1]
    # Published since; restoring an older draft revision must not unpublish it.
    editor_client.post(
        url(edited_article, "change"), article_data(edited_article, _transition="publish")
    )
    edited_article.refresh_from_db()
    version_before = edited_article.version
    response = editor_client.post(url(edited_article, "revision", older.pk))
    assert response.status_code == 302
    edited_article.refresh_from_db()
    assert edited_article.headline == "Le City, at first"
    assert edited_article.body == "<p>One two three.</p>"
    assert edited_article.is_published
    assert edited_article.version == version_before + 1
    assert edited_article.events_log.filter(action=EditorialEvent.Action.RESTORED).exists()
    assert _versions(edited_article)[0].revision.get_comment().startswith("Restored")


def test_restore_makes_forms_opened_before_it_stale(editor_client, edited_article):
    older = _versions(edited_article)[1]
    opened = article_data(edited_article, dek="typed before the restore")
    editor_client.post(url(edited_article, "revision", older.pk))
    response = editor_client.post(url(edited_article, "change"), opened)
    assert response.status_code == 200
    edited_article.refresh_from_db()
    assert edited_article.dek != "typed before the restore"


def test_restore_of_an_old_slug_leaves_a_redirect(editor_client):
    article = make_article(slug="old-address")
    editor_client.post(url(article, "change"), article_data(article))
    article.refresh_from_db()
    editor_client.post(url(article, "change"), article_data(article, slug="new-address"))
    older = _versions(article)[1]
    editor_client.post(url(article, "revision", older.pk))
    article.refresh_from_db()
    assert article.slug == "old-address"
    redirect = Redirect.objects.get(old_path="/articles/new-address/")
    assert redirect.new_path == "/articles/old-address/"
    assert not Redirect.objects.filter(old_path="/articles/old-address/").exists()


def test_writer_without_change_permission_cannot_restore(client, django_user_model, edited_article):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    older = _versions(edited_article)[1]
    assert client.get(url(edited_article, "revision", older.pk)).status_code == 200
    assert client.post(url(edited_article, "revision", older.pk)).status_code == 403
    edited_article.refresh_from_db()
    assert edited_article.headline == "Le City, again"


@pytest.mark.parametrize(
    ("factory", "data", "field"),
    [
        (make_person, person_data, "bio"),
        (make_product, product_data, "description"),
        (make_campaign, campaign_data, "description"),
        (make_brand, brand_data, "description"),
    ],
    ids=["person", "product", "campaign", "brand"],
)
def test_people_products_campaigns_and_brands_have_revisions(editor_client, factory, data, field):
    obj = factory()
    for text in ("First text.", "Second text."):
        response = editor_client.post(url(obj, "change"), data(obj, **{field: text}))
        assert response.status_code == 302, response.content.decode()[:3000]
        obj.refresh_from_db()
    newer, older = _versions(obj)
    compare = editor_client.get(url(obj, "compare"), {"from": older.pk, "to": newer.pk})
    assert "<del>First</del><ins>Second</ins> text." in compare.content.decode()
    editor_client.post(url(obj, "revision", older.pk))
    obj.refresh_from_db()
    assert getattr(obj, field) == "First text."


def test_html_bodies_are_compared_as_text():
    assert readable_text("<p>One &amp; two</p><p>Three</p>") == "One & two\nThree"
    assert diff_segments("a b", "a c") == [("equal", "a "), ("delete", "b"), ("insert", "c")]
