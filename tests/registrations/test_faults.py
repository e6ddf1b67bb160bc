"""When things go wrong: a mail server that is down, a workshop row locked for too long."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from registrations import services
from registrations.models import Registration
from tests.conftest import make_event
from tests.registrations.test_pages import form_data
from workshops.models import Workshop

BUSY = "Det är många som anmäler sig just nu – försök igen om en stund."


def test_mail_server_down_keeps_the_registration_logs_and_shows_the_thanks_page(
    client, programme, mail_down, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registrations:register", args=[programme.slug]), form_data(programme)
        )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    registration = Registration.objects.get()
    assert registration.is_confirmed and registration.choices.count() == 3
    # One try inside the request (the immediate backend); the worker would try again later.
    assert mail_down.attempts == 1
    assert f"Could not send confirmation e-mail for registration {registration.pk}" in caplog.text


def test_postgresql_connections_bound_lock_and_statement_waits(postgres_only, db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
        cursor.execute("SHOW statement_timeout")
        statement_timeout = cursor.fetchone()[0]
    assert (lock_timeout, statement_timeout) == ("1s", "15s")


class RowLock:
    """Holds a row lock in another connection (a thread) until the block ends, at most 10 s."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.locked = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        try:
            with transaction.atomic():
                list(self.queryset.select_for_update())
                self.locked.set()
                self.release.wait(10)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join()


@pytest.fixture
def busy_event(postgres_only, transactional_db):
    return make_event(slug="busy")


def test_register_waiting_too_long_for_a_locked_workshop_asks_to_try_again(client, busy_event):
    data = form_data(busy_event)
    started = time.monotonic()
    with RowLock(Workshop.objects.filter(pk=data["pass_1"])):
        response = client.post(reverse("registrations:register", args=["busy"]), data)
        waited = time.monotonic() - started
    assert response.status_code == 200
    assert BUSY in response.content.decode()
    assert waited < 5
    assert not Registration.objects.exists()


def test_a_workshop_already_full_is_refused_without_waiting_for_its_lock(client, busy_event):
    """The control is the test above: the same lock on a workshop with seats makes one wait."""
    data = form_data(busy_event)
    Workshop.objects.filter(pk=data["pass_1"]).update(capacity=0)
    with RowLock(Workshop.objects.filter(pk=data["pass_1"])):
        response = client.post(reverse("registrations:register", args=["busy"]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "har blivit fullt" in page and BUSY not in page
    assert not Registration.objects.exists()


def test_change_and_cancel_waiting_too_long_ask_to_try_again(client, busy_event):
    result = services.register(
        event=busy_event,
        name="A",
        email="a@b.se",
        organisation="O",
        consent=True,
        workshops=Workshop.objects.filter(event=busy_event, number__in=[1, 3, 5]),
    )
    registration = result.registration
    with RowLock(Registration.objects.filter(pk=registration.pk)):
        with pytest.raises(services.RegistrationError, match="försök igen om en stund"):
            services.change_choices(
                registration=registration,
                workshops=Workshop.objects.filter(event=busy_event, number__in=[2, 3, 5]),
            )
        response = client.post(reverse("registrations:cancel", args=[registration.token]))
    assert response.status_code == 200 and BUSY in response.content.decode()
    registration.refresh_from_db()
    assert registration.is_confirmed
    assert sorted(registration.choices.values_list("workshop__number", flat=True)) == [1, 3, 5]
