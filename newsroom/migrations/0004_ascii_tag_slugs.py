"""Give every tag an ASCII slug its page's URL accepts.

taggit made unicode slugs ("hermès") and empty ones (for ","), which the
``<slug:>`` URL pattern rejects. The rule below is a frozen copy of
``newsroom.tags.tag_slug`` as it was when this migration was written
(a migration must not change when the application code does); a test checks
that both still agree.
"""

import hashlib
import re
import unicodedata

from django.db import migrations
from django.utils.text import slugify

SLUG_MAX_LENGTH = 100
BASE_MAX_LENGTH = SLUG_MAX_LENGTH - 10
URL_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def tag_slug(name):
    slug = slugify(name or "")[:BASE_MAX_LENGTH].strip("-_")
    if slug:
        return slug
    key = unicodedata.normalize("NFKC", name or "").casefold()
    return "tag-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def is_url_slug(slug):
    return bool(slug) and URL_SLUG.fullmatch(slug) is not None


def repair_tag_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    db = schema_editor.connection.alias
    tags = Tag.objects.using(db)
    taken = set(tags.values_list("slug", flat=True))
    for tag in tags.order_by("pk").only("pk", "name", "slug").iterator():
        if is_url_slug(tag.slug):
            continue
        taken.discard(tag.slug)
        base = tag_slug(tag.name)
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        tags.filter(pk=tag.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_planner_statistics_for_story_lists"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        # Nothing to undo: the repaired slugs are valid on the way back too.
        migrations.RunPython(repair_tag_slugs, migrations.RunPython.noop, elidable=True),
    ]
