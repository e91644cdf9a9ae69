"""The editorial workflow through the admin: buttons, actions and direct POSTs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, EditorialEvent
from tests.admin.postdata import article_data
from tests.factories import make_article, tomorrow, yesterday

pytestmark = pytest.mark.django_db

ADD = "admin:newsroom_article_add"
CHANGELIST = "admin:newsroom_article_changelist"


def change_url(article):
    return reverse("admin:newsroom_article_change", args=[article.pk])


def _snapshot(article):
    article.refresh_from_db()
    return (
        article.status,
        article.published_at,
        article.headline,
        article.version,
        article.events_log.count(),
    )


# --- Writers ---------------------------------------------------------------------


def test_writer_saves_a_new_draft(writer_client, writer):
    response = writer_client.post(reverse(ADD), article_data())
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.created_by == writer and article.updated_by == writer
    assert article.version == 1


def test_writer_submits_a_new_article_for_review(writer_client, writer):
    response = writer_client.post(reverse(ADD), article_data(_transition="submit"))
    assert response.status_code == 302
    article = Article.objects.get()
    assert response.url == change_url(article)
    assert article.status == Article.Status.REVIEW
    event = article.events_log.get()
    assert (event.action, event.actor) == (EditorialEvent.Action.SUBMITTED, writer)


def test_writer_cannot_publish_a_new_article_by_direct_post(writer_client):
    response = writer_client.post(reverse(ADD), article_data(_transition="publish"))
    assert response.status_code == 200
    assert "Only editors can publish" in response.content.decode()
    assert not Article.objects.exists()


def test_writer_cannot_publish_an_existing_article_through_the_form(writer_client):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    before = _snapshot(article)
    response = writer_client.post(
        change_url(article), article_data(article, headline="Changed", _transition="publish")
    )
    assert response.status_code == 200
    assert "Only editors can publish" in response.content.decode()
    assert _snapshot(article) == before  # not even the headline


def test_status_field_in_a_forged_post_is_ignored(writer_client):
    """Status is not a form field: posting status=published changes nothing about it."""
    article = make_article(status=Article.Status.DRAFT)
    writer_client.post(
        change_url(article),
        article_data(article, status="published", published_at_0="2020-01-01", published_at_1="10:00:00"),
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None or article.published_at.year != 2020


def test_writer_cannot_set_the_publication_date(writer_client):
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    writer_client.post(
        change_url(article),
        article_data(article, published_at_0="2030-01-01", published_at_1="10:00:00"),
    )
    article.refresh_from_db()
    assert article.published_at is None


@pytest.mark.parametrize("step", ["schedule", "return"])
def test_writer_cannot_take_editor_steps_by_direct_post(writer_client, step):
    article = make_article(status=Article.Status.REVIEW)
    before = _snapshot(article)
    response = writer_client.post(change_url(article), article_data(article, _transition=step))
    assert response.status_code == 200
    assert "Only editors can" in response.content.decode()
    assert _snapshot(article) == before


@pytest.mark.parametrize("step", ["save", "unpublish", "schedule"])
def test_published_articles_are_read_only_for_writers(writer_client, step):
    article = make_article()
    before = _snapshot(article)
    page = writer_client.get(change_url(article))
    assert page.status_code == 200  # they can read it
    assert 'name="headline"' not in page.content.decode()
    response = writer_client.post(
        change_url(article), article_data(article, headline="Quietly changed", _transition=step)
    )
    assert response.status_code == 403
    assert _snapshot(article) == before


def test_form_refuses_a_writer_change_to_a_published_article():
    """The form holds the rule too, whichever view uses it."""
    from django.contrib.auth.models import Group, User

    from newsroom.forms import ArticleAdminForm

    writer = User.objects.create_user("w2")
    writer.groups.add(Group.objects.get(name="Writers"))
    article = make_article()
    form_class = type("F", (ArticleAdminForm,), {"user": writer})
    form = form_class(
        data=article_data(article, headline="Quietly changed", tags="", people=[]),
        instance=article,
    )
    assert not form.is_valid()
    assert "only editors can change it" in str(form.non_field_errors())


@pytest.mark.parametrize("action", ["publish", "unpublish", "return_to_draft"])
def test_writer_cannot_use_editor_actions(writer_client, action):
    article = make_article(
        status=Article.Status.PUBLISHED if action == "unpublish" else Article.Status.REVIEW
    )
    before = _snapshot(article)
    response = writer_client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [article.pk]}, follow=True
    )
    assert response.status_code == 200
    assert _snapshot(article) == before
    assert "No action selected" in response.content.decode()


def test_writer_sees_only_their_buttons(writer_client):
    article = make_article(status=Article.Status.DRAFT)
    page = writer_client.get(change_url(article)).content.decode()
    assert 'value="submit"' in page
    for step in ("publish", "schedule", "unpublish", "return"):
        assert f'value="{step}"' not in page


# --- Editors ---------------------------------------------------------------------


def test_editor_publishes_without_a_date_means_now(editor_client, editor):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    before = timezone.now()
    response = editor_client.post(change_url(article), article_data(article, _transition="publish"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_published
    assert before <= article.published_at <= timezone.now()
    assert article.events_log.get().action == EditorialEvent.Action.PUBLISHED
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_editor_publish_with_a_future_date_schedules(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    at = (timezone.localtime() + timedelta(days=2)).replace(microsecond=0, second=0)
    response = editor_client.post(
        change_url(article),
        article_data(
            article,
            published_at_0=at.strftime("%Y-%m-%d"),
            published_at_1=at.strftime("%H:%M:%S"),
            _transition="schedule",
        ),
        follow=True,
    )
    assert "Scheduled: it goes live by itself" in response.content.decode()
    article.refresh_from_db()
    assert article.is_scheduled and article.published_at == at
    assert not Article.objects.published().filter(pk=article.pk).exists()
    # It goes live at that moment, with nothing to run.
    assert Article.objects.published(now=at).filter(pk=article.pk).exists()
    assert article.events_log.get().action == EditorialEvent.Action.SCHEDULED


def test_schedule_without_a_future_date_is_refused(editor_client):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    before = _snapshot(article)
    response = editor_client.post(change_url(article), article_data(article, _transition="schedule"))
    assert response.status_code == 200
    assert "set a publication date in the future" in response.content.decode()
    assert _snapshot(article) == before


def test_editor_unpublishes(editor_client):
    article = make_article()
    editor_client.post(change_url(article), article_data(article, _transition="unpublish"))
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()
    assert article.events_log.get().action == EditorialEvent.Action.UNPUBLISHED


def test_editor_returns_an_article_to_its_writer(editor_client):
    article = make_article(status=Article.Status.REVIEW)
    editor_client.post(
        change_url(article),
        article_data(article, _transition="return", return_note="Needs a second source."),
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.events_log.get().action == EditorialEvent.Action.RETURNED


def test_a_step_that_does_not_fit_the_status_is_refused(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    before = _snapshot(article)
    response = editor_client.post(change_url(article), article_data(article, _transition="unpublish"))
    assert response.status_code == 200
    assert "cannot be unpublished" in response.content.decode()
    assert _snapshot(article) == before


def test_every_step_has_a_name_for_refusals():
    from newsroom import forms

    assert set(forms.STEP_PARTICIPLES) == set(forms.TRANSITIONS) - {forms.SAVE}


def test_publish_now_is_refused_for_a_draft(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    response = editor_client.post(
        change_url(article), article_data(article, _transition="publish_now")
    )
    assert "Only a scheduled article can be published now" in response.content.decode()


def test_unknown_step_is_refused(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    before = _snapshot(article)
    response = editor_client.post(change_url(article), article_data(article, _transition="launch"))
    assert "Unknown workflow step" in response.content.decode()
    assert _snapshot(article) == before


def test_editor_publishes_through_an_action(editor_client, editor):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    editor_client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.is_published
    assert article.events_log.get().actor == editor


def test_editor_returns_through_an_action(editor_client):
    article = make_article(status=Article.Status.REVIEW)
    editor_client.post(
        reverse(CHANGELIST),
        {
            "action": "return_to_draft",
            "_selected_action": [article.pk],
            "apply": "1",
            "note": "Needs a second source.",
        },
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_writer_submits_through_an_action(writer_client):
    article = make_article(status=Article.Status.DRAFT)
    writer_client.post(
        reverse(CHANGELIST), {"action": "submit_for_review", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_editor_moving_the_date_of_a_scheduled_article_is_logged(editor_client):
    article = make_article(published_at=tomorrow())
    later = (timezone.localtime() + timedelta(days=3)).replace(microsecond=0)
    editor_client.post(
        change_url(article),
        article_data(
            article,
            published_at_0=later.strftime("%Y-%m-%d"),
            published_at_1=later.strftime("%H:%M:%S"),
        ),
    )
    article.refresh_from_db()
    assert article.published_at == later
    assert article.events_log.get().action == EditorialEvent.Action.SCHEDULED


# --- The audit trail ------------------------------------------------------------------


def test_audit_trail_is_visible_and_read_only(editor_client, editor):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    editor_client.post(change_url(article), article_data(article, _transition="publish"))
    page = editor_client.get(change_url(article)).content.decode()
    assert "editorial history" in page.lower()
    assert "Published" in page
    listing = editor_client.get(reverse("admin:newsroom_editorialevent_changelist"))
    assert article.headline in listing.content.decode()
    event = EditorialEvent.objects.get()
    change = editor_client.post(
        reverse("admin:newsroom_editorialevent_change", args=[event.pk]), {"note": "forged"}
    )
    assert change.status_code == 403
    delete = editor_client.post(
        reverse("admin:newsroom_editorialevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.note == ""


def test_past_date_is_kept_when_publishing(editor_client):
    when = yesterday().replace(microsecond=0)
    article = make_article(status=Article.Status.REVIEW, published_at=when)
    editor_client.post(change_url(article), article_data(article, _transition="publish"))
    article.refresh_from_db()
    assert article.is_published and article.published_at == when


def test_scheduled_article_offers_publish_now(editor_client):
    article = make_article(published_at=tomorrow())
    page = editor_client.get(change_url(article)).content.decode()
    assert 'value="publish_now"' in page and 'value="publish"' not in page
    response = editor_client.post(
        change_url(article), article_data(article, _transition="publish_now"), follow=True
    )
    assert "Published now instead of at its scheduled time" in response.content.decode()
    article.refresh_from_db()
    assert article.is_published and article.published_at <= timezone.now()


def test_publish_now_is_refused_for_an_article_that_is_not_scheduled(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    before = _snapshot(article)
    response = editor_client.post(
        change_url(article), article_data(article, _transition="publish_now")
    )
    assert "Only a scheduled article can be published now" in response.content.decode()
    assert _snapshot(article) == before
