"""Security settings: headers on public pages, admin login lockout, Django's deploy checks."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def public_urls(programme):
    return [
        "/",
        reverse("workshops:event_programme", args=[programme.slug]),
        reverse("workshops:workshop_detail", args=[programme.slug, 1]),
        reverse("registrations:register", args=[programme.slug]),
        reverse("registrations:request_link", args=[programme.slug]),
        reverse("privacy"),
    ]


def test_public_pages_send_a_strict_csp_and_have_no_inline_script_or_style(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, url
        assert "unsafe-inline" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        page = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag, (url, tag)
        assert "<style" not in page and " style=" not in page, url
        assert not re.search(r"\son[a-z]+=", page), url


def test_over_https_cookies_are_secure_and_hsts_is_sent(client, settings, programme):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True
    response = client.get(reverse("registrations:register", args=[programme.slug]), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.cookies["csrftoken"]["secure"]


def deploy_check(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REGLAB_", "DATABASE_URL"))
    }
    env |= {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "reglab.example.org",
        "DJANGO_SETTINGS_MODULE": "reglab.settings",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_djangos_deploy_checks():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_would_catch_missing_hsts():
    # The control: the same check fails once a protection is switched off.
    result = deploy_check(DJANGO_HSTS_SECONDS="0")
    assert result.returncode != 0 and "W004" in result.stdout + result.stderr


@pytest.fixture
def organiser(db):
    return get_user_model().objects.create_superuser("organisator", "o@example.se", "rätt-lösen")


def login(client, password, *, username="organisator", address="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_admin_login_locks_after_five_failures_for_that_address_and_user(client, organiser):
    for _ in range(4):
        assert login(client, "fel").status_code == 200  # the login form with an error
    locked = login(client, "fel")
    assert locked.status_code == 429
    assert "Inloggningen är tillfälligt spärrad" in locked.content.decode()
    # Even the right password is refused from there for the cool-off hour...
    assert login(client, "rätt-lösen").status_code == 429
    # ...but the same user from another address, and another user here, may log in.
    assert login(client, "rätt-lösen", address="10.0.0.2").status_code == 302
    client.logout()
    get_user_model().objects.create_superuser("annan", "a@example.se", "annat-lösen")
    assert login(client, "annat-lösen", username="annan").status_code == 302


def test_a_successful_login_is_not_locked(client, organiser):
    for _ in range(3):
        login(client, "fel")
    assert login(client, "rätt-lösen").status_code == 302


def test_the_lockout_records_read_swedish_in_the_admin(client, organiser):
    for _ in range(2):
        login(client, "fel")
    assert login(client, "rätt-lösen", address="10.0.0.2").status_code == 302
    index = client.get("/admin/").content.decode()
    assert "Inloggningsskydd" in index and "Axes" not in index
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "IP-adress" in attempts and "försök kvar" in attempts
    assert "Attempt Remaining" not in attempts and "IP Address" not in attempts
    assert "Användarnamn" in attempts and "Username" not in attempts
    assert "Filtrera på Tidpunkt" in attempts  # Django 6.1's date navigation
