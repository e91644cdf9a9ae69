"""Derive the per-story fixtures from ``fixtures/stories.json`` and draw the fixture images.

``fixtures/stories.json`` is the one file edited by hand. Each story's own fixture
(``story-*.json``) is the part of it that one article needs: the article, its tags
and quote wordings, and everything those point at, transitively, plus the rows
that hang off what is already in (colourways and images of its products,
ambassadorships and affiliations between its people and brands). Shared rows are
copied verbatim, so loading the stories in any combination and order gives the same
rows.

The illustrations in ``fixtures/media/`` are drawn here with Pillow: title cards for
the articles, schematic drawings of the Bel Air in each colourway and cards for
the other bags. No photograph is used.
"""

import io
import json
import textwrap
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Each story's fixture, by file name (without ".json"), and the article it holds.
STORY_FIXTURES = {
    "story-new-face": "kim-kardashian-is-the-new-face-of-balenciaga",
    "story-closet": "kim-kardashian-returns-to-balenciaga-as-its-ambassador",
    "story-bel-air": "kim-kardashian-fronts-balenciagas-bel-air-campaign",
}

# The fields that make up a record's natural key, where it is not the slug.
KEY_FIELDS = {
    "taggit.tag": ["name"],
    "catalog.colorway": ["product", "name"],
    "catalog.productimage": ["product", "image"],
    "newsroom.ambassadorship": ["person", "brand"],
    "newsroom.affiliation": ["person", "brand", "role"],
    "newsroom.taggedarticle": ["content_object", "tag"],
    "newsroom.quotewording": ["quote", "article"],
    "newsroom.seriesappearance": ["series", "person"],
}

# Rows that belong to a story once all of these references are in it.
ATTACHED = {
    "catalog.colorway": ["product"],
    "catalog.productimage": ["product"],
    "newsroom.ambassadorship": ["person", "brand"],
    "newsroom.affiliation": ["person", "brand"],
    "newsroom.taggedarticle": ["content_object"],
    "newsroom.quotewording": ["article"],
    "newsroom.seriesappearance": ["series", "person"],
}


def fixture_dir():
    return Path(settings.FIXTURE_DIRS[0])


def _as_key(value):
    return tuple(value) if isinstance(value, list) else (value,)


def record_key(record):
    """``(model label, natural key)`` of a serialised record."""
    fields = record["fields"]
    names = KEY_FIELDS.get(record["model"], ["slug"])
    key = ()
    for name in names:
        key += _as_key(fields[name])
    return record["model"], key


def _references(record):
    """The ``(model label, natural key)`` of every row this record points at."""
    model = apps.get_model(record["model"])
    for name, value in record["fields"].items():
        field = model._meta.get_field(name)
        if not field.is_relation or value is None:
            continue
        target = field.related_model._meta.label_lower
        values = value if field.many_to_many else [value]
        for item in values:
            yield target, _as_key(item)


def story_records(records, article_slug):
    """The records of ``records`` that one article needs, in their original order."""
    by_key = {record_key(r): r for r in records}
    included = {("newsroom.article", (article_slug,))}
    if ("newsroom.article", (article_slug,)) not in by_key:
        raise CommandError(f"stories.json has no article with the slug {article_slug!r}.")
    changed = True
    while changed:
        changed = False
        for key in list(included):
            for ref in _references(by_key[key]):
                if ref not in by_key:
                    raise CommandError(f"{key} refers to {ref}, which stories.json lacks.")
                if ref not in included:
                    included.add(ref)
                    changed = True
        for record in records:
            key = record_key(record)
            anchors = ATTACHED.get(record["model"])
            if key in included or not anchors:
                continue
            model = apps.get_model(record["model"])
            targets = [
                (
                    model._meta.get_field(name).related_model._meta.label_lower,
                    _as_key(record["fields"][name]),
                )
                for name in anchors
            ]
            if all(target in included for target in targets):
                included.add(key)
                changed = True
    return [r for r in records if record_key(r) in included]


def dumps(records):
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def story_fixture_texts():
    """``{file name: JSON text}`` of every per-story fixture, derived from stories.json."""
    records = json.loads((fixture_dir() / "stories.json").read_text(encoding="utf-8"))
    return {
        f"{name}.json": dumps(story_records(records, slug))
        for name, slug in STORY_FIXTURES.items()
    }


# --- Illustrations -----------------------------------------------------------------

INK = (28, 28, 28)
PAPER = (246, 243, 236)
METAL = (168, 168, 160)
MUTED = (110, 104, 96)
FOOTER = "ATELIER NEWSROOM · ILLUSTRATION, NOT A PHOTOGRAPH"


def _font(size):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _title_card(title, lines, size, background=PAPER, ink=INK, swatches=()):
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    margin = width // 15
    draw.rectangle([margin // 2, margin // 2, width - margin // 2, height - margin // 2],
                   outline=ink, width=3)
    y = margin + 10
    title_font = _font(height // 10)
    for line in textwrap.wrap(title, width=26 if width > 1000 else 20):
        draw.text((margin, y), line, font=title_font, fill=ink)
        y += int(height / 10 * 1.2)
    y += height // 30
    detail_font = _font(height // 22)
    for line in lines:
        draw.text((margin, y), line, font=detail_font, fill=MUTED)
        y += int(height / 22 * 1.5)
    if swatches:
        side = height // 8
        x = margin
        for colour in swatches:
            draw.rectangle([x, y + 10, x + side, y + 10 + side], fill=colour, outline=ink, width=2)
            x += side + side // 3
    draw.text((margin, height - margin - height // 40), FOOTER, font=_font(height // 40),
              fill=MUTED)
    return image


def _tote_drawing(colour_name, colour, size=(800, 600)):
    """A schematic Bel Air: rounded tote, metal twist lock, two slender belts across the front."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    outline = INK if sum(colour) > 300 else (90, 90, 90)
    left, right, top, bottom = 210, 590, 200, 500
    # Handles.
    draw.arc([290, 90, 510, 320], start=180, end=360, fill=outline, width=10)
    # Body with round edges.
    draw.rounded_rectangle([left, top, right, bottom], radius=60, fill=colour,
                           outline=outline, width=4)
    # Two slender belts across the front, each with a small buckle.
    for y in (300, 400):
        draw.rectangle([left + 4, y, right - 4, y + 14], fill=colour, outline=outline, width=3)
        draw.rectangle([left + 40, y - 4, left + 62, y + 18], outline=METAL, width=4)
    # Logo-engraved metal twist lock at the top centre.
    draw.rounded_rectangle([365, 215, 435, 262], radius=10, fill=METAL, outline=outline, width=3)
    draw.ellipse([388, 226, 412, 250], outline=outline, width=3)
    draw.text((40, 40), f"Bel Air · {colour_name}", font=_font(40), fill=INK)
    draw.text((40, height - 50), FOOTER, font=_font(18), fill=MUTED)
    return image


def illustrations():
    """``{path under fixtures/media: Pillow image}`` of every fixture illustration."""
    article = (1200, 630)
    product = (800, 600)
    colours = {"Black": (28, 28, 28), "Beige": (214, 194, 160), "Ivory": (242, 236, 220)}
    images = {
        "articles/kim-kardashian-is-the-new-face-of-balenciaga.png": _title_card(
            "Kim Kardashian is the new face of Balenciaga",
            ["Brand ambassador", "with Nicole Kidman, Michelle Yeoh, Isabelle Huppert",
             "and PP Krit Amnuaydechkorn"],
            article,
        ),
        "articles/kim-kardashian-returns-to-balenciaga-as-its-ambassador.png": _title_card(
            "Kim Kardashian returns to Balenciaga as its ambassador",
            ["129 Balenciaga bags counted (her guess: 130)", "Le City returns, first launched 2000"],
            article,
        ),
        "articles/kim-kardashian-fronts-balenciagas-bel-air-campaign.png": _title_card(
            "Kim Kardashian fronts Balenciaga’s Bel Air campaign",
            ["Characters series, photographed by Nadav Kander", "Black · Beige · Ivory"],
            article,
            swatches=list(colours.values()),
        ),
        "products/le-city.png": _title_card(
            "Le City", ["Balenciaga", "Initially launched in 2000"], product
        ),
        "products/bel-air-hobo.png": _title_card(
            "Bel Air Hobo", ["Balenciaga", "The Hobo iteration of the Bel Air"], product
        ),
        "products/rodeo.png": _title_card("Rodeo", ["Balenciaga", "Debuted in July"], product),
    }
    for name, colour in colours.items():
        images[f"products/bel-air-{name.lower()}.png"] = _tote_drawing(name, colour, product)
    return images


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


class Command(BaseCommand):
    requires_system_checks = []  # It only reads and writes files under fixtures/.
    help = (
        "Write the per-story fixtures (story-*.json) from fixtures/stories.json; with "
        "--images, also redraw the illustrations in fixtures/media/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if a per-story fixture is out of date.",
        )
        parser.add_argument(
            "--images", action="store_true", help="Also redraw the illustrations."
        )

    def handle(self, *args, check, images, **options):
        directory = fixture_dir()
        stale = []
        for name, text in story_fixture_texts().items():
            path = directory / name
            if path.exists() and path.read_text(encoding="utf-8") == text:
                continue
            stale.append(name)
            if not check:
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"Wrote {path.relative_to(directory.parent)}")
        if check and stale:
            raise CommandError(
                f"Out of date with stories.json: {', '.join(stale)}. "
                "Run `manage.py build_story_fixtures`."
            )
        if images and not check:
            for relative, image in illustrations().items():
                path = directory / "media" / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(png_bytes(image))
                self.stdout.write(f"Drew {path.relative_to(directory.parent)}")
        self.stdout.write(self.style.SUCCESS("Story fixtures are up to date."))
