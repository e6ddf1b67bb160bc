"""An organiser lowering a workshop's seats while someone takes the last one, on PostgreSQL.

Either may win, but never both: the lowering is checked against the seats registered with
the workshop's row locked, so it cannot slip past a registration and overbook the workshop
without the organiser's confirmation. Skips on SQLite (fails under REGLAB_REQUIRE_POSTGRES).
"""

import pytest

from registrations import selectors, services
from registrations.services import rules
from tests.conftest import make_event, register_people
from tests.threads import Meeting, meet_where_counted_under_locks, run_together
from workshops.models import Workshop


def lower_while_registering(monkeypatch):
    """W1 has 2 seats and 1 person; the organiser lowers it to 1 as Bertil takes the 2nd.

    They meet once each has counted W1's seats (its first count), before either writes:
    without the locks both count one person; with them the other waits for the lock
    meanwhile, and counts after the first has written. (Left to timing, a loaded machine
    could save the lower seats before Bertil looks, and he would be refused even without
    the locks.)
    """
    event = make_event(slug="lower-race", workshops_per_slot=1, capacity=10)
    w1 = Workshop.objects.select_related("room").get(event=event, number=1)
    w1.capacity = 2
    w1.save()
    register_people(event, 1)
    chosen = list(Workshop.objects.filter(event=event).order_by("number"))
    meeting = Meeting(2)
    meet_where_counted_under_locks(monkeypatch, meeting, selectors, "seats_taken", "seats_now")

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

    results = run_together(organiser, bertil, expected=(services.RegistrationError,))
    outcome = {"refused": []}
    for action, result in zip((organiser, bertil), results, strict=True):
        if isinstance(result, services.RegistrationError):
            outcome["refused"].append(action.__name__)
            assert result.message
    w1.refresh_from_db()
    return w1, selectors.seats_taken([w1.pk])[w1.pk], outcome


@pytest.mark.django_db(transaction=True)
def test_lowering_seats_and_the_last_registration_never_both_win(postgres_only, monkeypatch):
    w1, taken, outcome = lower_while_registering(monkeypatch)
    assert len(outcome["refused"]) == 1
    assert taken <= w1.effective_capacity


@pytest.mark.django_db(transaction=True)
def test_control_without_the_locks_overbooks_unconfirmed(postgres_only, monkeypatch):
    """Proves the test above can fail: without the row locks both win, and W1 holds two
    people in one seat though nobody confirmed it."""

    def unlocked_workshops(ids):
        return list(Workshop.objects.select_related("room", "slot").filter(pk__in=list(ids)))

    monkeypatch.setattr(rules, "lock_workshops", unlocked_workshops)
    w1, taken, outcome = lower_while_registering(monkeypatch)
    assert outcome == {"refused": []}
    assert (taken, w1.effective_capacity) == (2, 1)
