"""No lost updates: a save made from a form opened before someone else's save is refused."""

import threading

import pytest
import reversion
from django.db import connection, connections
from django.urls import reverse

from newsroom import services
from newsroom.models import Article
from tests.admin.postdata import article_data
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:newsroom_article_change", args=[article.pk])


@pytest.fixture
def article(editor):
    """An article whose first revision is on record, as after a save in the admin."""
    with reversion.create_revision():
        reversion.set_user(editor)
        return make_article(
            headline="Le City comes back",
            body="<p>First words.</p>",
            dek="The dek.",
            status=Article.Status.REVIEW,
        )


def test_stale_form_is_refused_and_nothing_is_lost(client, editor, writer, article):
    # The writer opens the form (at version 1)...
    client.force_login(writer)
    opened = article_data(article)
    # ... meanwhile the editor saves a new headline.
    client.force_login(editor)
    response = client.post(
        change_url(article), article_data(article, headline="Le City is back")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2

    # The writer's save, made from the form opened at version 1, changes the same
    # field: it is refused (different fields would merge; see test_merge).
    client.force_login(writer)
    opened["headline"] = "The writer's careful headline"
    opened["body"] = "<p>The writer's careful rewrite.</p>"
    response = client.post(change_url(article), opened)
    assert response.status_code == 200
    page = response.content.decode()
    assert "editor saved this article" in page
    assert "after you opened it" in page
    assert "They changed: Headline (you changed it too)" in page
    assert "have NOT been saved" in page
    assert f'href="{change_url(article)}" target="_blank"' in page
    # The writer's input is still in the form, to copy across.
    assert "The writer&#x27;s careful rewrite." in page or "The writer's careful rewrite." in page

    # The editor's save stands; the writer's wrote nothing.
    article.refresh_from_db()
    assert article.headline == "Le City is back"
    assert article.body == "<p>First words.</p>"
    assert article.version == 2


def test_saving_again_from_the_same_stale_form_is_still_refused(editor_client, article):
    stale = article_data(article, dek="Mine")
    editor_client.post(change_url(article), article_data(article, dek="Theirs"))
    for _ in range(2):
        response = editor_client.post(change_url(article), stale)
        assert response.status_code == 200
    article.refresh_from_db()
    assert article.dek == "Theirs"


def test_a_workflow_step_also_makes_open_forms_stale(editor_client, article):
    opened = article_data(article, headline="Edited after all")
    editor_client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "return_to_draft", "_selected_action": [article.pk], "apply": "1", "note": "No."},
    )
    response = editor_client.post(change_url(article), opened)
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Le City comes back"


def test_a_form_without_its_version_is_refused(editor_client, article):
    response = editor_client.post(
        change_url(article), article_data(article, opened_version="", headline="Sneaky")
    )
    assert response.status_code == 200
    assert "missing the version it was opened at" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Le City comes back"


def test_fresh_form_saves_and_bumps_the_version(editor_client, article):
    response = editor_client.post(change_url(article), article_data(article, dek="New dek"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.dek, article.version) == ("New dek", 2)


def test_service_refuses_a_stale_save_with_a_conditional_update(editor, article):
    first = Article.objects.get(pk=article.pk)
    second = Article.objects.get(pk=article.pk)
    first.headline = "First"
    services.article_save(article=first, user=editor, opened_version=1)
    second.headline = "Second"
    with pytest.raises(services.StaleEdit) as error:
        services.article_save(article=second, user=editor, opened_version=1)
    assert "Headline" in error.value.changed_fields
    stored = Article.objects.get(pk=article.pk)
    assert (stored.headline, stored.version) == ("First", 2)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_version_one_wins(django_user_model):
    """Real concurrency: two connections race; exactly one save lands."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with row locks (the PostgreSQL run)")
    user = django_user_model.objects.create_user("racer")
    article = make_article(headline="Start")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(headline):
        try:
            mine = Article.objects.get(pk=article.pk)
            mine.headline = headline
            barrier.wait()
            services.article_save(article=mine, user=user, opened_version=1)
            outcomes.append(("saved", headline))
        except services.StaleEdit:
            outcomes.append(("refused", headline))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(h,)) for h in ("Alpha", "Beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    winner = next(h for kind, h in outcomes if kind == "saved")
    stored = Article.objects.get(pk=article.pk)
    assert (stored.headline, stored.version) == (winner, 2)
