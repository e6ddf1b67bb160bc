"""Many people registering for the last seats at once, on PostgreSQL.

SQLite serialises writers, so the race only exists on PostgreSQL: there the test must run.
It skips on SQLite, but fails instead when REGLAB_REQUIRE_POSTGRES is set (.ci/run sets it
for its PostgreSQL pass), so a misconfigured CI cannot silently skip it.
"""

import functools

import pytest

from registrations import selectors, services
from registrations.models import Choice, Registration
from registrations.services import rules
from tests.conftest import make_event
from tests.threads import Meeting, read_without_lock, run_together
from workshops.models import Workshop

THREADS = 16
CAPACITY = 5


def rush(monkeypatch, event, workshops, count):
    """`count` people register at once; returns how many registered and were refused (an
    error of another kind in a thread fails the test in `run_together`).

    They meet once each has counted the seats, before any of them writes: without the lock
    all count the same free seats; with it the others wait for the lock meanwhile, and
    count after the one holding it has registered.
    """
    meeting = Meeting(count)
    monkeypatch.setattr(selectors, "seats_taken", meeting.at(selectors.seats_taken))

    def person(i):
        return services.register(
            event=event,
            name=f"Person {i}",
            email=f"person{i}@example.se",
            organisation="Region Test",
            consent=True,
            workshops=workshops,
        )

    results = run_together(
        *(functools.partial(person, i) for i in range(count)),
        expected=(services.RegistrationError,),
    )
    refused = sum(isinstance(r, services.RegistrationError) for r in results)
    return {"registered": count - refused, "refused": refused}


def chosen(event):
    return [Workshop.objects.filter(slot=slot).first() for slot in event.slots.order_by("number")]


@pytest.mark.django_db(transaction=True)
def test_last_seats_are_never_oversold(postgres_only, monkeypatch):
    event = make_event(slug="rush", workshops_per_slot=1, capacity=CAPACITY)
    outcome = rush(monkeypatch, event, chosen(event), THREADS)
    assert outcome["registered"] == CAPACITY
    assert outcome["refused"] == THREADS - CAPACITY
    assert Registration.objects.count() == CAPACITY
    for workshop in Workshop.objects.filter(event=event):
        assert Choice.objects.filter(workshop=workshop).count() == CAPACITY


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_oversells(postgres_only, monkeypatch):
    """Proves the test above can fail: with the row lock switched off, seats are oversold."""

    read_without_lock(monkeypatch, rules, Workshop)
    event = make_event(slug="rush", workshops_per_slot=1, capacity=CAPACITY)
    outcome = rush(monkeypatch, event, chosen(event), THREADS)
    assert outcome["registered"] > CAPACITY


@pytest.mark.django_db(transaction=True)
def test_same_address_twice_at_once_registers_once(postgres_only, monkeypatch):
    event = make_event(slug="twice", workshops_per_slot=1, capacity=50)
    workshops = chosen(event)
    # All have passed every check, and none has saved anything, before any of them inserts:
    # only the unique constraint stands between them.
    meeting = Meeting(8)
    monkeypatch.setattr(rules, "counted_now", meeting.at(rules.counted_now))

    def anna():
        return services.register(
            event=event,
            name="Anna",
            email="anna@example.se",
            organisation="Region Test",
            consent=True,
            workshops=workshops,
        ).created

    results = run_together(*[anna] * 8)
    assert results.count(True) == 1
    assert Registration.objects.count() == 1
    assert Choice.objects.count() == 3
