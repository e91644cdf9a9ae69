"""A GIN index for full-text search of articles, on PostgreSQL only.

The index is built on the same weighted vector expression that
``newsroom.search`` queries (headline A, standfirst B, body C), so PostgreSQL
uses it for ``@@`` matches. It is not declared on the model: SQLite has no GIN
indexes, and its search fallback needs none. On SQLite this migration does
nothing.
"""

from django.db import migrations

INDEX_NAME = "article_search_vector_gin"


def _index(apps):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    vector = (
        SearchVector("headline", weight="A", config="english")
        + SearchVector("dek", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    return apps.get_model("newsroom", "Article"), GinIndex(vector, name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model, index = _index(apps)
    schema_editor.add_index(model, index)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model, index = _index(apps)
    schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
