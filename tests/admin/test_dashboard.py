"""The admin index shows the signed-in user's desk."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom import dashboard
from newsroom.models import Article
from tests.factories import make_article, tomorrow, yesterday

pytestmark = pytest.mark.django_db


def boxes(response):
    return {box.key: box for box in response.context["desk"]}


def test_editor_sees_the_review_queue_oldest_first(editor_client, writer):
    first = make_article(headline="Waiting longest", status="review", created_by=writer)
    second = make_article(headline="Waiting less", status="review", created_by=writer)
    Article.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(hours=5))
    make_article(headline="Someone's draft", status="draft", created_by=writer)
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    review = boxes(response)["review"]
    assert review.title == "Waiting for your review"
    assert [a.headline for a in review.articles] == ["Waiting longest", "Waiting less"]
    assert review.count == 2
    content = response.content.decode()
    assert "Waiting for your review" in content
    assert [a.desk_when for a in review.articles] == ["5\xa0hours ago", "just now"]
    assert reverse("admin:newsroom_article_change", args=[second.pk]) in content
    assert "Someone&#x27;s draft" not in content


def test_writer_sees_own_drafts_and_own_stories_in_review(writer_client, writer, editor):
    make_article(headline="My draft", status="draft", created_by=writer)
    make_article(headline="Editor's draft", status="draft", created_by=editor)
    make_article(headline="My submitted", status="review", created_by=writer)
    make_article(headline="Other submitted", status="review", created_by=editor)
    response = writer_client.get(reverse("admin:index"))
    desk = boxes(response)
    assert desk["review"].title == "Your stories in review"
    assert [a.headline for a in desk["review"].articles] == ["My submitted"]
    assert [a.headline for a in desk["drafts"].articles] == ["My draft"]
    assert desk["drafts"].count == 1


def test_scheduled_and_recently_published(editor_client):
    make_article(headline="Tomorrow", published_at=tomorrow())
    make_article(headline="Next week", published_at=timezone.now() + timedelta(days=7))
    make_article(headline="Yesterday", published_at=yesterday())
    make_article(headline="Last month", published_at=timezone.now() - timedelta(days=30))
    desk = boxes(editor_client.get(reverse("admin:index")))
    assert [a.headline for a in desk["scheduled"].articles] == ["Tomorrow", "Next week"]
    assert desk["scheduled"].count == 2
    assert [a.headline for a in desk["published"].articles] == ["Yesterday", "Last month"]
    assert desk["published"].count == 2, "every live story, as the link's list shows"
    assert desk["published"].count_label == "live stories in all"
    first = desk["scheduled"].articles[0]
    assert first.desk_when == f"{timezone.localtime(first.published_at):%-d %b %Y, %H:%M}"


def test_lists_are_short_but_counts_are_whole(editor_client, editor):
    for n in range(dashboard.LIMIT + 3):
        make_article(headline=f"Draft {n}", status="draft", created_by=editor)
    desk = boxes(editor_client.get(reverse("admin:index")))
    assert len(desk["drafts"].articles) == dashboard.LIMIT
    assert desk["drafts"].count == dashboard.LIMIT + 3


def test_see_all_links_open_filtered_changelists(editor_client, editor):
    make_article(status="draft", created_by=editor)
    for box in editor_client.get(reverse("admin:index")).context["desk"]:
        response = editor_client.get(box.more_url)
        assert response.status_code == 200, box.more_url  # an unknown filter would redirect
        assert response.context["cl"].result_count == box.count, box.more_url


def test_desk_costs_a_fixed_number_of_queries(editor, django_assert_num_queries):
    for n in range(30):
        make_article(headline=f"Story {n}", status=["draft", "review", "published"][n % 3])
        make_article(headline=f"Mine {n}", status="draft", created_by=editor)
    make_article(published_at=tomorrow())
    editor.has_perm("newsroom.publish_article")  # the permission cache is the session's, not ours
    with django_assert_num_queries(10):
        lists = dashboard.desk_lists(editor)
    assert [box.key for box in lists] == ["review", "drafts", "scheduled", "published", "rights"]


def test_counts_and_lists_use_indexes(editor):
    """No query of the desk scans the whole article table (checked with EXPLAIN)."""
    for n in range(40):
        make_article(headline=f"Story {n}", status=["draft", "review", "published"][n % 3])
    editor.has_perm("newsroom.publish_article")
    with CaptureQueriesContext(connection) as captured:
        dashboard.desk_lists(editor)
    article_table = Article._meta.db_table
    assert len(captured.captured_queries) == 10
    for query in captured.captured_queries:
        sql = query["sql"]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET enable_seqscan = off")
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                cursor.execute("SET enable_seqscan = on")
                assert f"Seq Scan on {article_table}" not in plan, (sql, plan)
            elif connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = [str(row[-1]) for row in cursor.fetchall()]
                assert not any(line.startswith(f"SCAN {article_table}") for line in plan), (
                    sql,
                    plan,
                )
                assert any(line.startswith(f"SEARCH {article_table}") for line in plan), plan


def test_index_without_article_permission_has_no_desk(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "desk" not in response.context


def test_counts_are_worded_in_the_singular_and_plural(editor_client, editor):
    make_article(status="draft", created_by=editor)
    make_article(published_at=yesterday())
    content = editor_client.get(reverse("admin:index")).content.decode()
    assert ">1 draft<" in content and "1 drafts" not in content
    assert ">1 live story in all<" in content
    make_article(status="draft", created_by=editor)
    assert ">2 drafts<" in editor_client.get(reverse("admin:index")).content.decode()


def test_no_seven_day_count_above_older_stories(editor_client):
    make_article(headline="From 2024", published_at=timezone.now() - timedelta(days=700))
    content = editor_client.get(reverse("admin:index")).content.decode()
    assert "in the last 7 days" not in content
    assert ">1 live story in all<" in content
