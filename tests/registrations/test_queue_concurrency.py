"""Two seats of one workshop freed at the same moment, on PostgreSQL: each goes to the next
person in the queue, nobody is moved twice and no seat is lost.

Like test_concurrency, these skip on SQLite (which serialises writers) and fail instead when
REGLAB_REQUIRE_POSTGRES is set.
"""

import functools

import pytest
from django.core import mail

from registrations import services
from registrations.models import Choice, QueueEntry, Registration
from registrations.services import queue as queue_service
from registrations.services import rules
from tests.conftest import make_event, register_people
from tests.threads import Meeting, run_together
from workshops.models import Workshop


def two_cancellations_at_once(monkeypatch):
    """W1 (2 seats) holds Anna and Bertil; Cecilia, David and Erik queue for it from W2.

    Anna and Bertil cancel at the same moment: they meet once each has read who is first in
    W1's queue (W1 is the first workshop their cancellations fill), before either moves
    anyone. With the locks the second waits for them meanwhile, and reads after the first
    has moved Cecilia. Returns (W1, the queued people).
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

    meeting = Meeting(len(leaving))
    monkeypatch.setattr(queue_service, "first_in_queue", meeting.at(queue_service.first_in_queue))
    run_together(*(functools.partial(services.cancel, registration=r) for r in leaving))
    return w1, queued


def in_w1(w1):
    return set(
        Choice.objects.filter(
            workshop=w1, registration__status=Registration.Status.CONFIRMED
        ).values_list("registration__name", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_two_seats_freed_at_once_go_to_the_first_two_in_the_queue(postgres_only, monkeypatch):
    w1, (cecilia, david, erik) = two_cancellations_at_once(monkeypatch)
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

    def unlocked_first(workshop):
        return (
            QueueEntry.objects.select_related("registration__event")
            .filter(workshop=workshop, registration__status=Registration.Status.CONFIRMED)
            .in_order()
            .first()
        )

    monkeypatch.setattr(rules, "lock_workshops", unlocked_workshops)
    monkeypatch.setattr(queue_service, "first_in_queue", unlocked_first)
    w1, (cecilia, david, erik) = two_cancellations_at_once(monkeypatch)
    moved_mails = [m.to[0] for m in mail.outbox if "fått plats" in m.subject]
    assert moved_mails.count(cecilia.email) == 2
