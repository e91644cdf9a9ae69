"""The pages are valid HTML, checked with the W3C Nu HTML Checker when it is installed.

Install it with ``npm install --prefix /tmp/vnu vnu-jar`` (or point ``VNU_JAR`` at
vnu.jar); it needs Java. Without it the test is skipped.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def _vnu_jar():
    for candidate in (
        os.environ.get("VNU_JAR", ""),
        "/tmp/vnu/node_modules/vnu-jar/build/dist/vnu.jar",
        "node_modules/vnu-jar/build/dist/vnu.jar",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.mark.skipif(
    _vnu_jar() is None or shutil.which("java") is None,
    reason="the Nu HTML Checker (vnu.jar) and Java are not installed",
)
def test_every_page_type_is_valid_html(client, world, editor, tmp_path):
    urls = {
        "home": "/",
        "list": "/articles/",
        "article": world.article.get_absolute_url(),
        "person": world.kim.get_absolute_url(),
        "campaign": world.campaign.get_absolute_url(),
        "brand": world.brand.get_absolute_url(),
        "product": world.bag.get_absolute_url(),
        "tag": "/tags/handbags/",
        "search": "/search/?q=bel+air",
        "not-found": "/no/such/page/",
    }
    files = []
    for name, url in urls.items():
        file = tmp_path / f"{name}.html"
        file.write_bytes(client.get(url).content)
        files.append(str(file))
    client.force_login(editor)
    preview = tmp_path / "preview.html"
    preview.write_bytes(client.get(world.draft.get_absolute_url()).content)
    files.append(str(preview))

    result = subprocess.run(
        ["java", "-jar", _vnu_jar(), "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr or result.stdout


@pytest.mark.skipif(
    _vnu_jar() is None or shutil.which("java") is None,
    reason="the Nu HTML Checker (vnu.jar) and Java are not installed",
)
def test_directories_series_and_event_pages_are_valid_html(client, tmp_path):
    from django.core.management import call_command

    call_command("loaddata", "stories", verbosity=0)
    urls = {
        "people": "/people/",
        "people-filtered": "/people/?role=brand-ambassador&house=balenciaga",
        "brands": "/brands/",
        "products": "/products/",
        "products-filtered": "/products/?colour=black&house=balenciaga",
        "products-empty": "/products/?colour=nothing",
        "campaigns": "/campaigns/",
        "events": "/events/",
        "tags": "/tags/",
        "series": "/campaigns/series/characters/",
        "event": "/events/balenciaga-fall-2024-presentation/",
        "event-undated": "/events/met-gala/",
        "search-entities": "/search/?q=balenciaga",
        "person-with-series": "/people/michelle-yeoh/",
        "product-with-quote": "/products/bel-air/",
        "brand-with-quote": "/brands/balenciaga/",
    }
    files = []
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(str(file))
    result = subprocess.run(
        ["java", "-jar", _vnu_jar(), "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr or result.stdout
