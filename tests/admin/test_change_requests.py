"""Sending a story back with a note: editors from the form or the list, reviewers from a share link.

The note is required; it shows at the top of the story's form and on the writer's
desk until the writer resubmits, and stays in the editorial history.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.models import Article, EditorialEvent
from tests.admin.postdata import article_data
from tests.factories import make_article

pytestmark = pytest.mark.django_db

NOTE = "The second paragraph needs a source for the price."


def change_url(article):
    return reverse("admin:newsroom_article_change", args=[article.pk])


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story(writer):
    return make_article(headline="Bel Air at the opera", status=Article.Status.REVIEW, created_by=writer)


def test_return_to_draft_without_a_note_is_refused(editor_client, story):
    version = story.version
    response = editor_client.post(change_url(story), article_data(story, _transition="return"))
    assert response.status_code == 200
    assert "a note is required to send a story back" in response.content.decode()
    story.refresh_from_db()
    assert (story.status, story.version) == (Article.Status.REVIEW, version)
    assert not story.events_log.exists()


def test_editor_form_offers_the_note_only_for_a_story_in_review(editor_client, story):
    assert 'name="return_note"' in editor_client.get(change_url(story)).content.decode()
    draft = make_article(status=Article.Status.DRAFT)
    assert 'name="return_note"' not in editor_client.get(change_url(draft)).content.decode()


def test_note_shows_on_the_form_and_desk_until_the_writer_resubmits(writer, editor, story):
    editor.first_name = "Edith"
    editor.save()
    response = as_user(editor).post(
        change_url(story), article_data(story, _transition="return", return_note=f"  {NOTE} ")
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    event = story.events_log.get()
    assert (event.action, event.actor, event.note) == (EditorialEvent.Action.RETURNED, editor, NOTE)

    writer_client = as_user(writer)
    form = writer_client.get(change_url(story)).content.decode()
    assert 'id="change-request"' in form
    assert "Sent back by Edith" in form and NOTE in form
    desk = writer_client.get(reverse("admin:index")).content.decode()
    assert f"Sent back by Edith: {NOTE}" in desk
    assert "1 draft<" in desk

    # In the history: the audit trail and the revision's comment.
    assert NOTE in form  # the editorial history inline lists it too
    from reversion.models import Version

    assert Version.objects.get_for_object(story).first().revision.get_comment() == (
        f"Sent back by Edith: {NOTE}"
    )

    # Resubmitting closes it.
    story.refresh_from_db()
    writer_client.post(change_url(story), article_data(story, _transition="submit"))
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    assert story.events_log.get(action=EditorialEvent.Action.RETURNED).closed_at is not None
    assert 'id="change-request"' not in writer_client.get(change_url(story)).content.decode()
    story.status = Article.Status.DRAFT
    story.save()
    assert "Sent back by" not in writer_client.get(reverse("admin:index")).content.decode()


def test_service_refuses_a_blank_note(editor, story):
    with pytest.raises(services.NoteRequired):
        services.article_return_to_draft(article=story, user=editor, note="   ")
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW


def test_list_action_asks_for_the_note_first(editor_client, story):
    changelist = reverse("admin:newsroom_article_changelist")
    response = editor_client.post(
        changelist, {"action": "return_to_draft", "_selected_action": [story.pk]}
    )
    assert response.status_code == 200
    assert "Send stories back to their writers" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW

    blank = editor_client.post(
        changelist,
        {"action": "return_to_draft", "_selected_action": [story.pk], "apply": "1", "note": " "},
    )
    assert blank.status_code == 200
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW

    editor_client.post(
        changelist,
        {"action": "return_to_draft", "_selected_action": [story.pk], "apply": "1", "note": NOTE},
    )
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    assert story.events_log.get().note == NOTE


# --- Outside reviewers ----------------------------------------------------------------


@pytest.fixture
def link(editor, story):
    return services.review_link_create(
        article=story, user=editor, expires_at=timezone.now() + timedelta(days=3), label="PR"
    )


def link_url(link):
    return reverse("review:review-link", args=[services.review_link_token(link)])


def test_reviewer_must_write_a_note_to_request_changes(client, link, story):
    response = client.post(link_url(link), {"name": "Anna", "note": "", "verdict": "request_changes"})
    assert response.status_code == 200
    assert "a note is required to ask for changes" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    assert not story.events_log.filter(action=EditorialEvent.Action.CHANGES_REQUESTED).exists()


def test_reviewer_requests_changes_and_the_writer_sees_the_note(client, writer, link, story):
    response = client.post(
        link_url(link), {"name": "Anna from PR", "note": NOTE, "verdict": "request_changes"}
    )
    assert response.status_code == 302
    page = client.get(link_url(link)).content.decode()
    assert "Changes requested by Anna from PR" in page
    assert "Approve this version" not in page

    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT  # back with its writer
    event = story.events_log.get(action=EditorialEvent.Action.CHANGES_REQUESTED)
    assert (event.actor, event.actor_name, event.note) == (None, "Anna from PR", NOTE)

    writer_client = as_user(writer)
    form = writer_client.get(change_url(story)).content.decode()
    assert "Sent back by Anna from PR (outside reviewer)" in form
    desk = writer_client.get(reverse("admin:index")).content.decode()
    assert f"Sent back by Anna from PR: {NOTE}" in desk


def test_a_review_is_answered_once(client, link, story):
    client.post(link_url(link), {"name": "Anna", "note": NOTE, "verdict": "request_changes"})
    client.post(link_url(link), {"name": "Anna", "note": "", "verdict": "approve"})
    link.refresh_from_db()
    assert link.changes_requested_at is not None and link.approved_at is None
    assert story.events_log.filter(action=EditorialEvent.Action.APPROVED).count() == 0


def test_reviewer_approval_still_works(client, link, story):
    client.post(link_url(link), {"name": "Anna", "note": "", "verdict": "approve"})
    link.refresh_from_db()
    assert link.approved_by_name == "Anna"
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
