import io

import pytest
from django.contrib.auth.models import Group
from PIL import Image


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """A fast password hasher, and uploads written to a temporary folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True, scope="session")
def _cache_in_memory():
    """The installation's default cache is a folder on disk shared by its processes;
    tests keep theirs in memory (Redis, when REDIS_URL sets it, stays Redis)."""
    from django.conf import settings
    from django.test.utils import override_settings

    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        memory = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "newsroom-tests",
                # Never cull: an evicted page-cache state would look like an outage.
                "OPTIONS": {"MAX_ENTRIES": 1_000_000},
            }
        }
        with override_settings(CACHES=memory):
            yield
    else:
        yield


def _reset_process_state():
    """Module-level state that outlives a test: cache back-offs, compiled indexes."""
    from config import cache as cache_backend
    from newsroom import cache as page_cache
    from newsroom.assistants import suggestions

    cache_backend.reset()
    page_cache.reset()
    suggestions.reset_mention_index()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    _reset_process_state()
    cache.clear()
    yield
    _reset_process_state()
    cache.clear()


def _staff_in(group_name, django_user_model, username):
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def writer(db, django_user_model):
    return _staff_in("Writers", django_user_model, "writer")


@pytest.fixture
def editor(db, django_user_model):
    return _staff_in("Editors", django_user_model, "editor")


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def png_bytes(size=(40, 30), colour=(200, 30, 60), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()
