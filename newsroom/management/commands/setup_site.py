"""Get a fresh database ready to browse: the stories once, and an admin account."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from newsroom.models import Article


class Command(BaseCommand):
    help = (
        "Load the seed stories into an empty database and make sure an admin account "
        "exists, printing its generated password once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        self._load_stories()
        self._ensure_admin(username)
        self._ensure_site_domain()

    def _ensure_site_domain(self):
        """Feeds and the sitemap write absolute URLs with the Site's domain: never example.com."""
        from django.contrib.sites.models import Site

        domain = os.environ.get("DJANGO_SITE_DOMAIN", "127.0.0.1:8000")
        site, _ = Site.objects.get_or_create(pk=settings.SITE_ID)
        if site.domain in ("", "example.com") or "DJANGO_SITE_DOMAIN" in os.environ:
            site.domain = domain
            site.name = settings.SITE_NAME
            site.save()

    def _load_stories(self):
        fixture_dir = settings.FIXTURE_DIRS[0]
        if not any(fixture_dir.glob("stories.*")):
            self.stdout.write("No stories fixture yet; starting with an empty site.")
            return
        if Article.objects.exists():
            self.stdout.write("The site already has articles; the stories were not loaded again.")
            return
        call_command("loaddata", "stories", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Loaded the stories."))

    def _ensure_admin(self, username):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account already exists.")
            return
        password = secrets.token_urlsafe(15)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the admin account “{username}” with the password: {password}\n"
                "It is shown only this once; change it in the admin."
            )
        )
