from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_planner_statistics_for_story_lists"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = []
