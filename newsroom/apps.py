from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        from . import cache, publication, redirects, signals, tags  # noqa: F401

        cache.connect_signals()
        publication.connect_signals()
        redirects.connect_signals()
