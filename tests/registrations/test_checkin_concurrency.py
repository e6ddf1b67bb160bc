"""Two staff at once, on PostgreSQL: marking the same person gives one check-in; moving people
into (or adding walk-ins to) the last seat gives it to one of them. Each with a control run
that switches the protection off, to show the test can fail."""

import threading
import time

import pytest
from django.db import connections

from registrations import selectors, services
from registrations.models import AuditEntry, CheckIn, Choice
from registrations.services import checkin, rules
from tests.conftest import make_event, register_people, user_in_group
from tests.threads import read_without_lock
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)
# Staff marking one person at once. They wait on the person's row in turn, each for the ones
# before: few enough that the last stays well inside the test's 1 s lock timeout.
STAFF = 4


def at_once(count, act):
    """Run act(i) in `count` threads released together; returns (results, refusals, errors)."""
    barrier = threading.Barrier(count)
    results, refusals, errors = [], [], []
    lock = threading.Lock()

    def one(i):
        try:
            barrier.wait()
            outcome = act(i)
        except services.RegistrationError as refusal:
            with lock:
                refusals.append(refusal.message)
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            with lock:
                errors.append(repr(error))
        else:
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, refusals, errors


@pytest.fixture
def staff(groups_again):
    return [services.Actor.of(user_in_group("Personal", f"staff-{i}")) for i in range(STAFF)]


@pytest.fixture
def slow_first_look(monkeypatch):
    """Widen the race: each check-in looks for an earlier one, then waits before writing."""
    seen = []
    real = checkin._already_present

    def slow(registration, workshop):
        present = real(registration, workshop)
        seen.append(present)
        time.sleep(0.05)
        return present

    monkeypatch.setattr(checkin, "_already_present", slow)
    return seen


def one_person(event):
    (person,) = register_people(event, 1)
    return person, Workshop.objects.filter(event=event, slot__number=1).order_by("number").first()


def test_two_staff_marking_one_person_at_once_give_one_check_in(
    postgres_only, staff, slow_first_look
):
    event = make_event(slug="door-race")
    person, workshop = one_person(event)

    results, refusals, errors = at_once(
        STAFF, lambda i: services.check_in(registration=person, workshop=workshop, by=staff[i])
    )

    assert (errors, refusals) == ([], [])
    assert sorted(results) == [False] * (STAFF - 1) + [True]
    assert CheckIn.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CHECKED_IN).count() == 1
    # Under the registration's lock they came one after another: only one found nobody.
    assert slow_first_look.count(False) == 1


def test_control_without_the_lock_the_constraint_still_gives_one(
    postgres_only, staff, slow_first_look, monkeypatch
):
    """With the registration's row lock off, all of them find nobody checked in and try to
    write: the unique constraint (caught in a savepoint) still leaves one check-in."""

    def unlocked(registration):
        return type(registration).objects.select_related("event").get(pk=registration.pk)

    monkeypatch.setattr(rules, "lock_confirmed", unlocked)
    event = make_event(slug="door-race-control")
    person, workshop = one_person(event)

    results, refusals, errors = at_once(
        STAFF, lambda i: services.check_in(registration=person, workshop=workshop, by=staff[i])
    )

    assert (errors, refusals) == ([], [])
    assert slow_first_look.count(False) > 1  # the race happened
    assert sorted(results) == [False] * (STAFF - 1) + [True]
    assert CheckIn.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CHECKED_IN).count() == 1


@pytest.fixture
def widened_seat_count(monkeypatch):
    def slowed(real):
        def slow(*args, **kwargs):
            result = real(*args, **kwargs)
            time.sleep(0.1)
            return result

        return slow

    for name in ("seats_taken", "seats_now"):
        monkeypatch.setattr(selectors, name, slowed(getattr(selectors, name)))


def last_seat(slug):
    """Pass 1's first workshop with one free seat, and two people in its other workshop."""
    event = make_event(slug=slug, workshops_per_slot=2, capacity=3)
    register_people(event, 2, index=0)
    movers = register_people(event, 2, start=10, index=1)
    here = Workshop.objects.filter(event=event, slot__number=1).order_by("number").first()
    return event, here, movers


def seats_in(workshop):
    return Choice.objects.filter(workshop=workshop, registration__status="confirmed").count()


def test_two_staff_moving_people_into_the_last_seat_give_it_to_one(
    postgres_only, staff, widened_seat_count
):
    _event, here, movers = last_seat("move-race")

    results, refusals, errors = at_once(
        2,
        lambda i: services.move_at_door(registration=movers[i], to_workshop=here, by=staff[i]),
    )

    assert errors == []
    assert len(results) == 1
    assert len(refusals) == 1 and "har ingen ledig plats" in refusals[0]
    assert seats_in(here) == 3
    assert CheckIn.objects.filter(workshop=here).count() == 1


def test_two_staff_adding_walk_ins_for_the_last_seat_give_it_to_one(
    postgres_only, staff, widened_seat_count
):
    event, here, _movers = last_seat("walk-in-race")

    results, refusals, errors = at_once(
        2,
        lambda i: services.add_walk_in(
            event=event,
            workshop=here,
            name=f"Walk {i}",
            organisation="Org",
            consent=True,
            by=staff[i],
        ),
    )

    assert errors == []
    assert (len(results), len(refusals)) == (1, 1)
    assert seats_in(here) == 3


def test_control_without_the_row_locks_the_last_seat_is_taken_twice(
    postgres_only, staff, widened_seat_count, monkeypatch
):
    read_without_lock(monkeypatch, rules, Workshop)
    _event, here, movers = last_seat("move-race-control")

    results, refusals, errors = at_once(
        2,
        lambda i: services.move_at_door(registration=movers[i], to_workshop=here, by=staff[i]),
    )

    assert errors == []
    assert len(results) == 2
    assert seats_in(here) == 4  # oversold
