"""With no REDIS_URL, every process of an installation shares one cache by default."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.cache import cache

BASE_DIR = Path(__file__).resolve().parents[2]


def _manage_shell(command, cache_dir, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DJANGO_CACHE_DIR=str(cache_dir),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", command],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_default_cache_is_a_folder_on_disk_for_every_process(tmp_path):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    backend = _manage_shell(code, tmp_path / "cache", tmp_path)
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"


def test_a_shell_and_another_process_share_the_cache(tmp_path, settings):
    cache_dir = tmp_path / "cache"
    # The cache settings a process of the installation gets by default (no REDIS_URL).
    default = json.loads(
        _manage_shell(
            "import json; from django.conf import settings; "
            "print(json.dumps(settings.CACHES['default']))",
            cache_dir,
            tmp_path,
        )
    )
    _manage_shell(
        "from django.core.cache import cache; cache.set('published', 'yes', 600)",
        cache_dir,
        tmp_path,
    )
    # A second process (a worker, another command) sees what the shell stored...
    seen = _manage_shell(
        "from django.core.cache import cache; print(cache.get('published'))", cache_dir, tmp_path
    )
    assert seen == "yes"
    # ...and so does this one, with the project's default cache settings.
    assert default["LOCATION"] == str(cache_dir)
    settings.CACHES = {"default": default}
    assert cache.get("published") == "yes"
    # An invalidation from the shell reaches every process at once.
    _manage_shell("from django.core.cache import cache; cache.delete('published')", cache_dir, tmp_path)
    assert cache.get("published") is None
