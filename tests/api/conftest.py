import pytest


@pytest.fixture(autouse=True)
def _api_settings(settings):
    """The view's own work: no whole-page cache in front, and no rate limit unless a test sets one."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "newsroom.cache.PageCacheMiddleware"
    ]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }
