from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        # Every module that listens to model signals says so in one connect_signals().
        from . import cache, publication, redirects, signals, tags

        for module in (cache, publication, redirects, signals, tags):
            module.connect_signals()
