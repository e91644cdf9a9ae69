"""Autosave: edits kept beside the story, offered back, never published, never
overwriting someone else's save."""

import pytest
from django.test import Client
from django.urls import reverse

from newsroom.models import Article, ArticleAutosave
from tests.admin.postdata import article_data
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:newsroom_article_change", args=[article.pk])


def autosave_url(article):
    return reverse("admin:newsroom_article_autosave", args=[article.pk])


@pytest.fixture
def draft(writer):
    return make_article(
        headline="Draft headline", body="<p>Saved text.</p>", status="draft", created_by=writer
    )


def autosave(client, article, **data):
    data.setdefault("opened_version", str(article.version))
    data.setdefault("headline", article.headline)
    data.setdefault("dek", article.dek)
    data.setdefault("body", article.body)
    data.setdefault("tags", "")
    return client.post(autosave_url(article), data)


def test_autosave_keeps_edits_beside_the_story_without_saving_it(writer_client, writer, draft):
    version = draft.version
    response = autosave(writer_client, draft, body="<p>Typed but not saved.</p>")
    assert response.status_code == 200 and "saved_at" in response.json()
    draft.refresh_from_db()
    assert draft.body == "<p>Saved text.</p>" and draft.version == version
    kept = ArticleAutosave.objects.get(article=draft, user=writer)
    assert kept.data["body"] == "<p>Typed but not saved.</p>"
    assert kept.base_version == version
    # Not a revision, and nothing readers can see.
    assert "Typed but not saved" not in Client().get("/").content.decode()


def test_reopening_offers_the_autosave_and_restore_fills_the_form(writer_client, draft):
    autosave(writer_client, draft, headline="Autosaved headline", tags="Handbags, Opera")
    page = writer_client.get(change_url(draft)).content.decode()
    assert 'id="autosave-offer"' in page
    restored = writer_client.get(change_url(draft) + "?restore_autosave=1")
    content = restored.content.decode()
    assert 'id="autosave-restored"' in content
    assert 'value="Autosaved headline"' in content
    assert "Handbags, Opera" in content
    draft.refresh_from_db()
    assert draft.headline == "Draft headline"  # still nothing saved


def test_saving_removes_the_autosave(writer_client, writer, draft):
    autosave(writer_client, draft, headline="Autosaved headline")
    writer_client.post(change_url(draft), article_data(draft, headline="Autosaved headline"))
    draft.refresh_from_db()
    assert draft.headline == "Autosaved headline"
    assert not ArticleAutosave.objects.filter(article=draft).exists()
    assert 'id="autosave-offer"' not in writer_client.get(change_url(draft)).content.decode()


def test_discard_removes_it(writer_client, draft):
    autosave(writer_client, draft, headline="Autosaved headline")
    writer_client.post(reverse("admin:newsroom_article_autosave_discard", args=[draft.pk]))
    assert not ArticleAutosave.objects.exists()


def test_a_restored_autosave_never_overwrites_a_later_save(writer, editor, draft):
    mine, theirs = Client(), Client()
    mine.force_login(writer)
    theirs.force_login(editor)
    autosave(mine, draft, dek="My autosaved dek")
    theirs.post(change_url(draft), article_data(draft, dek="The editor's dek"))
    draft.refresh_from_db()
    assert draft.dek == "The editor's dek"

    restored = mine.get(change_url(draft) + "?restore_autosave=1").content.decode()
    assert "saving will be refused rather than overwrite their save" in restored
    stale = ArticleAutosave.objects.get(article=draft, user=writer)
    response = mine.post(
        change_url(draft),
        article_data(draft, dek="My autosaved dek", opened_version=str(stale.base_version)),
    )
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.dek == "The editor's dek"


def test_no_autosave_of_a_live_story_nor_by_someone_who_cannot_edit(writer_client, writer):
    live = make_article(created_by=writer)
    assert autosave(writer_client, live).status_code == 403
    assert not ArticleAutosave.objects.exists()
    assert 'id="autosave"' not in writer_client.get(change_url(live)).content.decode()


def test_the_form_carries_the_autosave_marker(writer_client, draft):
    page = writer_client.get(change_url(draft)).content.decode()
    assert f'data-url="{autosave_url(draft)}"' in page
    assert "newsroom/admin/autosave.js" in page
    assert Article.objects.get(pk=draft.pk).autosaves.count() == 0


def test_opening_a_restore_records_no_revision_of_the_autosaved_text(writer_client, draft):
    from reversion.models import Version

    autosave(writer_client, draft, dek="Only in the autosave")
    writer_client.get(change_url(draft) + "?restore_autosave=1")
    assert all(
        v.field_dict.get("dek") != "Only in the autosave"
        for v in Version.objects.get_for_object(draft)
    )
