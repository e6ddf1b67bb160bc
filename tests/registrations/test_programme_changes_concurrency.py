"""An organiser lowering a workshop's seats while someone takes the last one, on PostgreSQL.

Either may win, but never both: the lowering is checked against the seats registered with
the workshop's row locked, so it cannot slip past a registration and overbook the workshop
without the organiser's confirmation. Skips on SQLite (fails under REGLAB_REQUIRE_POSTGRES).
"""

import threading

import pytest
from django.db import connections

from registrations import selectors, services
from registrations.services import rules
from tests.conftest import make_event, register_people
from tests.registrations.test_concurrency import widened_race  # noqa: F401 - a fixture
from workshops.models import Workshop


def lower_while_registering():
    """W1 has 2 seats and 1 person; the organiser lowers it to 1 as Bertil takes the 2nd."""
    event = make_event(slug="lower-race", workshops_per_slot=1, capacity=10)
    w1 = Workshop.objects.select_related("room").get(event=event, number=1)
    w1.capacity = 2
    w1.save()
    register_people(event, 1)
    chosen = list(Workshop.objects.filter(event=event).order_by("number"))
    barrier = threading.Barrier(2)
    outcome = {"errors": [], "refused": []}

    def organiser():
        w1.capacity = 1
        services.save_workshop(workshop=w1)

    def bertil():
        services.register(
            event=event,
            name="Bertil",
            email="bertil@example.se",
            organisation="O",
            consent=True,
            workshops=chosen,
        )

    def run(action):
        try:
            barrier.wait()
            action()
        except services.RegistrationError as error:
            outcome["refused"].append(action.__name__)
            assert error.message
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            outcome["errors"].append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in (organiser, bertil)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    w1.refresh_from_db()
    return w1, selectors.seats_taken([w1.pk])[w1.pk], outcome


@pytest.mark.usefixtures("widened_race")
@pytest.mark.django_db(transaction=True)
def test_lowering_seats_and_the_last_registration_never_both_win(postgres_only):
    w1, taken, outcome = lower_while_registering()
    assert outcome["errors"] == []
    assert len(outcome["refused"]) == 1
    assert taken <= w1.effective_capacity


@pytest.mark.django_db(transaction=True)
def test_control_without_the_locks_overbooks_unconfirmed(postgres_only, monkeypatch):
    """Proves the test above can fail: without the row locks both win, and W1 holds two
    people in one seat though nobody confirmed it."""

    def unlocked_workshops(ids):
        return list(Workshop.objects.select_related("room", "slot").filter(pk__in=list(ids)))

    # Both have counted W1's seats before either writes (each only its first count). Left to
    # timing, a loaded machine could save the lower seats before Bertil looks, and he would be
    # refused even without the locks.
    both_have_counted = threading.Barrier(2, timeout=30)
    have_counted = set()
    real_seats_taken = selectors.seats_taken

    def counted_together(*args, **kwargs):
        taken = real_seats_taken(*args, **kwargs)
        # The racing threads only (the test's own thread counts at the end).
        racing = threading.current_thread() is not threading.main_thread()
        if racing and threading.get_ident() not in have_counted:
            have_counted.add(threading.get_ident())
            both_have_counted.wait()
        return taken

    monkeypatch.setattr(rules, "lock_workshops", unlocked_workshops)
    monkeypatch.setattr(selectors, "seats_taken", counted_together)
    w1, taken, outcome = lower_while_registering()
    assert outcome == {"errors": [], "refused": []}
    assert (taken, w1.effective_capacity) == (2, 1)
