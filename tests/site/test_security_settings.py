"""Hardened settings: deploy checks, CSP, configurable admin path, login lockout."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import make_article

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECURE": "1",
    "DJANGO_SECRET_KEY": "p8Jx3vQ2mZ7rL0tW5yN1bK4cF9hD6gS2aE8uI3oP7qR1sT5vX0zY4wU6",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
}


def _manage(*args, env=None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_the_development_defaults():
    result = _manage("check", "--deploy")
    for code in ("security.W004", "security.W008", "security.W012"):
        assert code in result.stdout + result.stderr
    # No DJANGO_SECRET_KEY: the installation's own random key, not a weak default.
    assert "security.W009" not in result.stdout + result.stderr


def test_admin_path_comes_from_the_environment():
    code = "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_ADMIN_PATH="newsdesk-7f3a/")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "/newsdesk-7f3a/", result.stderr


def test_admin_is_at_admin_by_default(client):
    assert reverse("admin:index") == "/admin/"
    assert client.get("/admin/").status_code == 302  # to the login page


@pytest.mark.django_db
def test_public_pages_get_a_strict_content_security_policy(client):
    article = make_article()
    response = client.get(article.get_absolute_url())
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_public_pages_carry_no_inline_script_or_style(client):
    """What the strict policy would block must not be there in the first place."""
    import re

    article = make_article()
    for url in ("/", article.get_absolute_url(), "/search/?q=bag"):
        page = client.get(url).content.decode()
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        assert all('type="application/ld+json"' in attrs for attrs in scripts), (url, scripts)
        assert " style=" not in page, url
        assert "<style" not in page, url
        assert not re.search(r"\son[a-z]+=", page), url


@pytest.mark.django_db
def test_admin_gets_the_policy_its_theme_needs(admin_client):
    policy = admin_client.get("/admin/")["Content-Security-Policy"]
    assert "'unsafe-eval'" in policy
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/")
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures(client, editor, settings):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "editor", "password": "wrong guess"})
        assert response.status_code == 200
    response = client.post(url, {"username": "editor", "password": "wrong guess"})
    assert response.status_code == 429  # the failure that reaches the limit locks out
    assert "Too many attempts" in response.content.decode()
    # Now even the right password is refused, and nobody is logged in.
    response = client.post(url, {"username": "editor", "password": "correct horse battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_right_password_before_the_limit_logs_in(client, editor):
    url = reverse("admin:login")
    client.post(url, {"username": "editor", "password": "wrong guess"})
    response = client.post(url, {"username": "editor", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["password", "12345678901", "short", "editor2024"])
def test_weak_passwords_are_refused(django_user_model, password):
    user = django_user_model(username="editor2024")
    with pytest.raises(ValidationError):
        validate_password(password, user)
