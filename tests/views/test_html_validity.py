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
