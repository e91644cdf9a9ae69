import pytest


@pytest.fixture(autouse=True)
def _private_held_uploads(settings, tmp_path):
    """Uploads held for a confirmation go to a temporary private folder."""
    settings.HELD_UPLOADS_ROOT = tmp_path / "held-uploads"
