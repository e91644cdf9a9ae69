"""Without DJANGO_SECRET_KEY, each installation makes its own random key once and keeps it."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from config import secretkey

BASE_DIR = Path(__file__).resolve().parents[2]
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def _start(key_file, **extra):
    """A fresh process of the installation whose key lives at ``key_file``."""
    return subprocess.Popen(
        [sys.executable, "-c", PRINT_KEY],
        cwd=BASE_DIR,
        env=_env(DJANGO_SECRET_KEY_FILE=str(key_file), **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _key(process):
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out.strip()


def test_first_start_makes_a_random_key_that_later_starts_reuse(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    first = _key(_start(key_file))
    assert len(first) >= 50 and not first.startswith("django-insecure")
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _key(_start(key_file)) == first


def test_each_installation_gets_its_own_key(tmp_path):
    one = _key(_start(tmp_path / "one" / "secret_key"))
    two = _key(_start(tmp_path / "two" / "secret_key"))
    assert one != two


def test_processes_starting_together_agree_on_one_key(tmp_path):
    key_file = tmp_path / "secret_key"
    processes = [_start(key_file) for _ in range(6)]
    keys = {_key(process) for process in processes}
    assert keys == {key_file.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary left


def test_a_configured_key_wins_and_no_file_is_written(tmp_path):
    key_file = tmp_path / "secret_key"
    assert _key(_start(key_file, DJANGO_SECRET_KEY="configured-key")) == "configured-key"
    assert not key_file.exists()


def test_load_or_create_in_process(tmp_path):
    key_file = tmp_path / "nested" / "secret_key"
    key = secretkey.load_or_create(key_file)
    assert secretkey.load_or_create(key_file) == key


def test_the_default_key_file_is_not_committed():
    result = subprocess.run(
        ["git", "check-ignore", "-q", "var/secret_key"], cwd=BASE_DIR, capture_output=True
    )
    assert result.returncode == 0
