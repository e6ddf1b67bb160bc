"""Two seats of one workshop freed at the same moment, on PostgreSQL: each goes to the next
person in the queue, nobody is moved twice and no seat is lost.

Like test_concurrency, these skip on SQLite (which serialises writers) and fail instead when
REGLAB_REQUIRE_POSTGRES is set.
"""

import threading

import pytest
from django.core import mail
from django.db import connections

from registrations import services
from registrations.models import Choice, QueueEntry, Registration
from registrations.services import queue as queue_service
from registrations.services import rules
from tests.conftest import make_event, register_people
from tests.registrations.test_concurrency import widened_race  # noqa: F401 - a fixture
from workshops.models import Workshop


def two_cancellations_at_once():
    """W1 (2 seats) holds Anna and Bertil; Cecilia, David and Erik queue for it from W2.

    Anna and Bertil cancel at the same moment. Returns (W1, the queued people, errors).
    """
    event = make_event(slug="queue-race", workshops_per_slot=2, capacity=10)
    w1 = Workshop.objects.get(event=event, number=1)
    w1.capacity = 2
    w1.save()
    leaving = register_people(event, 2, index=0)
    queued = register_people(event, 3, start=2, index=1)
    for person in queued:
        services.join_queue(registration=person, workshop=w1)
    mail.outbox.clear()

    barrier = threading.Barrier(len(leaving))
    errors = []

    def cancel(registration):
        try:
            barrier.wait()
            services.cancel(registration=registration)
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return w1, queued, errors


def in_w1(w1):
    return set(
        Choice.objects.filter(
            workshop=w1, registration__status=Registration.Status.CONFIRMED
        ).values_list("registration__name", flat=True)
    )


@pytest.mark.usefixtures("widened_race")
@pytest.mark.django_db(transaction=True)
def test_two_seats_freed_at_once_go_to_the_first_two_in_the_queue(postgres_only):
    w1, (cecilia, david, erik), errors = two_cancellations_at_once()
    assert errors == []
    assert in_w1(w1) == {cecilia.name, david.name}
    assert list(QueueEntry.objects.values_list("registration", flat=True)) == [erik.pk]
    moved_mails = [m.to[0] for m in mail.outbox if "fått plats" in m.subject]
    assert sorted(moved_mails) == sorted([cecilia.email, david.email])


@pytest.mark.django_db(transaction=True)
def test_control_without_the_locks_moves_one_person_twice(postgres_only, monkeypatch):
    """Proves the test above can fail: with the locks switched off, both cancellations take
    the same first person from the queue and move her, so she is moved (and mailed) twice."""

    def unlocked_workshops(ids):
        return list(Workshop.objects.select_related("room", "slot").filter(pk__in=list(ids)))

    # Both cancellations read W1's queue before either moves anyone (each only the first
    # time). Left to timing, a loaded machine ran them one after the other in CI, and the
    # control saw no double move.
    both_have_read = threading.Barrier(2, timeout=30)
    have_read = set()

    def unlocked_first(workshop):
        first = (
            QueueEntry.objects.select_related("registration__event")
            .filter(workshop=workshop, registration__status=Registration.Status.CONFIRMED)
            .in_order()
            .first()
        )
        if workshop.number == 1 and threading.get_ident() not in have_read:
            have_read.add(threading.get_ident())
            both_have_read.wait()
        return first

    monkeypatch.setattr(rules, "lock_workshops", unlocked_workshops)
    monkeypatch.setattr(queue_service, "first_in_queue", unlocked_first)
    w1, (cecilia, david, erik), errors = two_cancellations_at_once()
    assert errors == []
    moved_mails = [m.to[0] for m in mail.outbox if "fått plats" in m.subject]
    assert moved_mails.count(cecilia.email) == 2
