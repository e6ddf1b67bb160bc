"""The thanks page: shown for every committed registration, whatever fails after the commit,
and kept by the browser alone (a signed cookie), so an erasure leaves nothing behind."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import OperationalError
from django.tasks.backends.immediate import ImmediateBackend
from django.urls import reverse

from registrations.models import Registration
from tests.registrations.test_pages import form_data


@pytest.fixture
def urls(programme):
    return {
        "register": reverse("registrations:register", args=[programme.slug]),
        "thanks": reverse("registrations:thanks", args=[programme.slug]),
    }


def test_a_committed_registration_is_answered_with_the_thanks_page_though_the_session_fails(
    client, programme, urls, monkeypatch
):
    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # Whatever might still write a session after the registration committed cannot.
    monkeypatch.setattr(SessionStore, "save", database_gone)
    monkeypatch.setattr(SessionStore, "create", database_gone)

    response = client.post(urls["register"], form_data(programme))

    assert response.status_code == 302 and response["Location"] == urls["thanks"]
    assert Registration.objects.count() == 1
    assert "anna@example.se" in client.get(urls["thanks"]).content.decode()


def test_a_committed_registration_is_answered_with_the_thanks_page_though_queueing_the_mail_fails(
    client, programme, urls, monkeypatch, django_capture_on_commit_callbacks
):
    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ImmediateBackend, "enqueue", database_gone)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(urls["register"], form_data(programme))
    assert response.status_code == 302 and response["Location"] == urls["thanks"]
    assert Registration.objects.count() == 1


def test_the_public_pages_keep_no_session_on_the_server(client, programme, urls):
    client.post(urls["register"], form_data(programme))
    client.get(urls["thanks"])
    link = reverse("registrations:request_link", args=[programme.slug])
    client.post(link, {"email": "anna@example.se"})
    assert Session.objects.count() == 0
    assert "sessionid" not in client.cookies


def test_the_sent_cookie_is_signed_private_and_short_lived(client, programme, urls):
    response = client.post(urls["register"], form_data(programme))
    cookie = response.cookies["reglab_sent"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == urls["register"]
    assert int(cookie["max-age"]) == 30 * 60
    # A cookie changed by hand shows nothing.
    client.cookies["reglab_sent"] = cookie.value.replace("anna", "bert")
    page = client.get(urls["thanks"]).content.decode()
    assert "anna@example.se" not in page and "bert@example.se" not in page


@pytest.mark.parametrize("how", ["erase", "anonymise"])
def test_after_erasure_the_thanks_page_of_that_browser_no_longer_shows_the_address(
    client, programme, urls, how
):
    client.post(urls["register"], form_data(programme))
    page = client.get(urls["thanks"]).content.decode()
    assert "anna@example.se" in page and "Det här valde du" in page
    registration = Registration.objects.get()

    if how == "erase":
        erase = reverse("registrations:erase", args=[registration.token])
        assert client.post(erase).status_code == 302
    else:
        call_command("anonymise_registrations", "--event", programme.slug, "--apply")

    page = client.get(urls["thanks"]).content.decode()
    assert "anna@example.se" not in page
    assert "Det här valde du" not in page
    assert "Vi har skickat ett mejl till adressen du angav." in page


def test_the_migration_forgets_the_sessions_the_public_pages_wrote_before(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("registrations.migrations.0010_forget_participant_sessions")
    participant, organiser = SessionStore(), SessionStore()
    participant["reglab_registered_email"] = "anna@example.se"
    participant.create()
    organiser["_auth_user_id"] = "1"
    organiser.create()

    migration.forget_participant_sessions(apps, None)

    assert list(Session.objects.values_list("pk", flat=True)) == [organiser.session_key]


def test_sessions_expire_within_a_working_day(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
