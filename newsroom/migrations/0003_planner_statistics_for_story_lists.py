"""Finer planner statistics for the link tables behind per-entity story lists (PostgreSQL).

A tag, person, brand, product or campaign page lists its newest published
stories. With PostgreSQL's default statistics a rarely used tag is estimated to
link to the average number of articles, so the planner walks the whole
"published, newest first" index looking for it: 300-400 ms at 100,000 articles
instead of 3 ms. A larger sample keeps the frequent values and the true spread
of the others, and the planner starts from the link table for rare ones.
SQLite needs nothing: its ANALYZE already leads to the right plan.
"""

from django.db import migrations

TARGET = 1000
COLUMNS = [
    ("newsroom_taggedarticle", "tag_id"),
    ("newsroom_article_people", "person_id"),
    ("newsroom_article_brands", "brand_id"),
    ("newsroom_article_products", "product_id"),
    ("newsroom_article_campaigns", "campaign_id"),
    ("newsroom_article_events", "event_id"),
]


def set_statistics(target):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for table, column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET STATISTICS {target}"
            )
            schema_editor.execute(f"ANALYZE {quote(table)}")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_article_search_index"),
    ]

    operations = [
        migrations.RunPython(set_statistics(TARGET), set_statistics(-1), elidable=True),
    ]
