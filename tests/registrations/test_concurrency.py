"""Many people registering for the last seats at once, on PostgreSQL.

SQLite serialises writers, so the race only exists on PostgreSQL: there the test must run.
It skips on SQLite, but fails instead when REGLAB_REQUIRE_POSTGRES is set (.ci/run sets it
for its PostgreSQL pass), so a misconfigured CI cannot silently skip it.
"""

import threading
import time

import pytest
from django.db import connections

from registrations import selectors, services
from registrations.models import Choice, Registration
from registrations.services import rules
from tests.conftest import make_event
from workshops.models import Workshop

THREADS = 16
CAPACITY = 5


@pytest.fixture
def widened_race(monkeypatch):
    """Sleep between counting seats and writing, so racing requests overlap for sure."""
    real = selectors.seats_taken

    def slow_seats_taken(*args, **kwargs):
        result = real(*args, **kwargs)
        time.sleep(0.05)
        return result

    monkeypatch.setattr(selectors, "seats_taken", slow_seats_taken)


def rush(event, workshops, count):
    """`count` threads register at once; returns (registered, refused, other errors)."""
    barrier = threading.Barrier(count)
    outcome = {"registered": 0, "refused": 0, "errors": []}
    lock = threading.Lock()

    def one(i):
        try:
            barrier.wait()
            services.register(
                event=event,
                name=f"Person {i}",
                email=f"person{i}@example.se",
                organisation="Region Test",
                consent=True,
                workshops=workshops,
            )
            key = "registered"
        except services.RegistrationError:
            key = "refused"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            with lock:
                outcome["errors"].append(repr(error))
            return
        finally:
            connections.close_all()
        with lock:
            outcome[key] += 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def chosen(event):
    return [Workshop.objects.filter(slot=slot).first() for slot in event.slots.order_by("number")]


@pytest.mark.django_db(transaction=True)
def test_last_seats_are_never_oversold(postgres_only, widened_race):
    event = make_event(slug="rush", workshops_per_slot=1, capacity=CAPACITY)
    outcome = rush(event, chosen(event), THREADS)
    assert outcome["errors"] == []
    assert outcome["registered"] == CAPACITY
    assert outcome["refused"] == THREADS - CAPACITY
    assert Registration.objects.count() == CAPACITY
    for workshop in Workshop.objects.filter(event=event):
        assert Choice.objects.filter(workshop=workshop).count() == CAPACITY


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_oversells(postgres_only, widened_race, monkeypatch):
    """Proves the test above can fail: with the row lock switched off, seats are oversold."""

    def unlocked(ids):
        return list(Workshop.objects.select_related("room", "slot").filter(pk__in=list(ids)))

    monkeypatch.setattr(rules, "lock_workshops", unlocked)
    event = make_event(slug="rush", workshops_per_slot=1, capacity=CAPACITY)
    outcome = rush(event, chosen(event), THREADS)
    assert outcome["errors"] == []
    assert outcome["registered"] > CAPACITY


@pytest.mark.django_db(transaction=True)
def test_same_address_twice_at_once_registers_once(postgres_only, widened_race):
    event = make_event(slug="twice", workshops_per_slot=1, capacity=50)
    workshops = chosen(event)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def one():
        try:
            barrier.wait()
            results.append(
                services.register(
                    event=event,
                    name="Anna",
                    email="anna@example.se",
                    organisation="Region Test",
                    consent=True,
                    workshops=workshops,
                ).created
            )
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results.count(True) == 1
    assert Registration.objects.count() == 1
    assert Choice.objects.count() == 3
