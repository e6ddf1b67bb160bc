"""Races that only a row lock stops, on PostgreSQL: one real test per lock the registration
services take, each with a control that switches that lock off and shows the broken rule.

The threads meet just after the read each lock guards (tests/threads.py), so a missing
lock fails its test every time. Which race proves which lock (the seat locks of a
registration are proved in test_concurrency, a workshop's edit in
test_programme_changes_concurrency, the proposals' locks in tests/proposals):

- rules.lock_confirmed in change_choices: two tabs changing one registration; a change
  against a cancellation. In join_queue: joining a queue against a cancellation.
- cancel's lock on the registration: cancelling twice at once; a change against a
  cancellation.
- rules.lock_passes in cancel: two cancellations in different workshops of one pass; a
  cancellation against a queue move of the same person. In change_choices: a change against
  a queue move of the same person. In save_room: fewer seats in a room against the last
  registration (which also proves that workshops are read again once locked).
- register's lock on the queued workshops, taken with the chosen ones in id order:
  registering with a queue against a cancellation, which would deadlock.
- the lock on the first queue entry (queue.first_in_queue): leaving a queue as it moves.
- join_queue's lock on the workshop: joining a queue as a seat in it is freed.
- anonymise's lock on the registrations: anonymising twice at once.

Three locks have no race here, as each takes again a lock its callers hold: the workshop
lock in sync_queue; the lock on the moved person's choice in fill_freed_seats (whoever else
writes a choice holds its pass); and the workshop lock in fill_freed_seats, whose callers
hold the passes, except in one corner: save_room reads the room's passes before locking
them, so a workshop moved into the room meanwhile has only this lock.

Skips on SQLite, which serialises writers (fails instead under REGLAB_REQUIRE_POSTGRES).
"""

import functools
import threading

import pytest
from django.core import mail
from django.db import OperationalError

from registrations import selectors, services
from registrations.models import Choice, QueueEntry, Registration
from registrations.services import RegistrationError, personal_data, rules
from registrations.services import cancellation as cancellation_service
from registrations.services import queue as queue_service
from registrations.services import registration as registration_service
from tests.conftest import make_event, register_people
from tests.threads import (
    Meeting,
    meet_where_counted_under_locks,
    read_without_lock,
    run_together,
    switched_off_in,
)
from workshops.models import Room, Workshop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def workshops(event) -> dict[int, Workshop]:
    return {w.number: w for w in Workshop.objects.filter(event=event).select_related("room")}


def limit(workshop: Workshop, seats: int) -> None:
    workshop.capacity = seats
    workshop.save()


def seat(registration: Registration, pass_number: int) -> int:
    """The number of the workshop the person holds in that pass."""
    return Choice.objects.get(registration=registration, slot__number=pass_number).workshop.number


def free_seats_beside_a_queue(event) -> list[str]:
    """Workshops with a free seat while someone confirmed queues for them: none, ever."""
    all_of_them = workshops(event).values()
    taken = selectors.seats_taken(w.pk for w in all_of_them)
    return [
        w.code
        for w in all_of_them
        if taken.get(w.pk, 0) < w.effective_capacity
        and QueueEntry.objects.filter(
            workshop=w, registration__status=Registration.Status.CONFIRMED
        ).exists()
    ]


def meet(monkeypatch, meeting: Meeting, module, name: str, **where) -> None:
    monkeypatch.setattr(module, name, meeting.at(getattr(module, name), **where))


def no_pass_lock(slot_ids):
    return []


def unlocked_workshops(ids):
    return list(Workshop.objects.select_related("room", "slot").filter(pk__in=list(ids)))


def refusals(results) -> list[str]:
    return [r.message for r in results if isinstance(r, RegistrationError)]


# --- rules.lock_confirmed in change_choices: two tabs, one registration ---------------------


def two_tabs(monkeypatch):
    """Anna renames herself (and takes W2) in one tab, and takes W4 in another.

    They meet once the rename holds the passes and the other tab has read the registration:
    without the lock that tab read it before the rename, and writes the old name back after
    it. With the lock one tab waits for the other before reading."""
    event = make_event(slug="tabs")
    (anna,) = register_people(event, 1)
    ws = workshops(event)
    meeting = Meeting(2)
    meet(monkeypatch, meeting, rules, "lock_passes", thread="rename")
    meet(monkeypatch, meeting, rules, "lock_confirmed", thread="rechoose")

    def rename():
        services.change_choices(
            registration=anna, workshops=[ws[2], ws[3], ws[5]], name="Anna Andersson"
        )

    def rechoose():
        services.change_choices(registration=anna, workshops=[ws[1], ws[4], ws[5]])

    run_together(rename, rechoose)
    anna.refresh_from_db()
    return anna


def test_two_tabs_changing_one_registration_keep_the_new_name(monkeypatch):
    anna = two_tabs(monkeypatch)
    assert anna.name == "Anna Andersson"
    # The tab that saved last decides the workshops, whole.
    assert {seat(anna, p) for p in (1, 2, 3)} in ({2, 3, 5}, {1, 4, 5})


def test_control_without_the_registration_lock_writes_the_old_name_back(monkeypatch):
    read_without_lock(monkeypatch, rules, Registration)
    anna = two_tabs(monkeypatch)
    assert anna.name == "Person 000"


# --- rules.lock_confirmed in change_choices, and cancel's own lock: change against cancel ----


def change_and_cancel(monkeypatch):
    """Anna (W1, W3, W5) takes W2 and queues for the full W4 in one tab, and cancels in
    another. They meet once the change has read the registration and the cancellation holds
    the passes: without the change's lock it goes on with the registration it read, still
    confirmed, once the cancellation has committed. Returns (Anna, results)."""
    event = make_event(slug="change-cancel")
    ws = workshops(event)
    limit(ws[4], 1)
    (anna,) = register_people(event, 1)
    register_people(event, 1, start=1, index=1)
    mail.outbox.clear()
    meeting = Meeting(2)
    meet(monkeypatch, meeting, rules, "lock_confirmed", thread="change")
    meet(monkeypatch, meeting, rules, "lock_passes", thread="cancel")

    def change():
        services.change_choices(registration=anna, workshops=[ws[2], ws[3], ws[5]], queue=[ws[4]])

    def cancel():
        services.cancel(registration=anna)

    results = run_together(change, cancel, expected=(RegistrationError,))
    anna.refresh_from_db()
    return anna, results


def test_a_change_and_a_cancellation_at_once_never_change_a_cancelled_registration(monkeypatch):
    anna, results = change_and_cancel(monkeypatch)
    assert anna.status == Registration.Status.CANCELLED
    assert all("avbokad" in message for message in refusals(results))
    assert not QueueEntry.objects.filter(registration=anna).exists()
    assert mail.outbox[-1].subject.startswith("Avbokad")


def test_control_without_the_registration_lock_changes_a_cancelled_registration(monkeypatch):
    read_without_lock(monkeypatch, rules, Registration)
    anna, results = change_and_cancel(monkeypatch)
    assert anna.status == Registration.Status.CANCELLED
    assert refusals(results) == []
    assert QueueEntry.objects.filter(registration=anna).exists()
    assert mail.outbox[-1].subject.startswith("Ändrad")


# --- cancel's lock on the registration: cancelling twice ------------------------------------


def cancel_twice(monkeypatch) -> list[str]:
    """Anna cancels in two tabs at once. They meet once each has seen her registration
    confirmed, before either frees anything. Returns the subjects of the e-mails sent."""
    event = make_event(slug="cancel-twice")
    (anna,) = register_people(event, 1)
    mail.outbox.clear()
    meeting = Meeting(2)
    meet(monkeypatch, meeting, rules, "lock_passes", before=True)
    run_together(*[functools.partial(services.cancel, registration=anna)] * 2)
    return [m.subject for m in mail.outbox]


def test_cancelling_twice_at_once_cancels_once(monkeypatch):
    assert cancel_twice(monkeypatch) == ["Avbokad: Event cancel-twice"]


def test_control_without_the_registration_lock_cancels_twice(monkeypatch):
    read_without_lock(monkeypatch, cancellation_service, Registration)
    assert cancel_twice(monkeypatch) == ["Avbokad: Event cancel-twice"] * 2


# --- rules.lock_passes in cancel: two cancellations in one pass ------------------------------


def two_cancellations_in_one_pass(monkeypatch):
    """W1 holds Anna and David, W2 Bertil and Cecilia (2 seats each); Cecilia queues for W1,
    David for W2. Anna and Bertil cancel at once, and meet once each has found who is first
    in the queue of the seat it freed: without the pass locks each chain then needs the
    other's workshop (Cecilia's seat in W2, David's in W1), and they deadlock.
    Returns (Cecilia, David, results)."""
    event = make_event(slug="one-pass")
    ws = workshops(event)
    limit(ws[1], 2)
    limit(ws[2], 2)
    anna, david = register_people(event, 2, index=0)
    bertil, cecilia = register_people(event, 2, start=2, index=1)
    services.join_queue(registration=cecilia, workshop=ws[1])
    services.join_queue(registration=david, workshop=ws[2])
    meeting = Meeting(2)
    meet(monkeypatch, meeting, queue_service, "first_in_queue")
    results = run_together(
        functools.partial(services.cancel, registration=anna),
        functools.partial(services.cancel, registration=bertil),
        expected=(RegistrationError, OperationalError),
    )
    return cecilia, david, results


def test_two_cancellations_in_different_workshops_of_one_pass_both_go_through(monkeypatch):
    cecilia, david, results = two_cancellations_in_one_pass(monkeypatch)
    assert not [r for r in results if isinstance(r, Exception)]
    assert (seat(cecilia, 1), seat(david, 1)) == (1, 2)
    assert free_seats_beside_a_queue(cecilia.event) == []


def test_control_without_the_pass_locks_one_cancellation_fails(monkeypatch):
    monkeypatch.setattr(rules, "lock_passes", no_pass_lock)
    _, _, results = two_cancellations_in_one_pass(monkeypatch)
    # Deadlocked, or waited out the lock timeout: either way one person could not cancel.
    assert [r for r in results if isinstance(r, Exception)]


# --- rules.lock_passes in cancel: a cancellation against a queue move ------------------------


def cancel_while_moved(monkeypatch):
    """W1 (1 seat) holds Anna; Quentin and Sara, in W2, queue for it, Quentin first. Anna
    cancels, which moves Quentin into W1, while Quentin cancels. They meet once Anna's chain
    has taken Quentin from the queue and Quentin's cancellation has read his seats, before it
    marks him cancelled: without the pass locks it read them before the move, and frees W2
    instead of W1. Returns (the event, Sara)."""
    event = make_event(slug="moved-cancel")
    ws = workshops(event)
    limit(ws[1], 1)
    (anna,) = register_people(event, 1)
    quentin, sara = register_people(event, 2, start=1, index=1)
    for person in (quentin, sara):
        services.join_queue(registration=person, workshop=ws[1])
    meeting = Meeting(2)
    meet(monkeypatch, meeting, queue_service, "first_in_queue", thread="anna_cancels")
    meet(monkeypatch, meeting, Registration, "save", thread="quentin_cancels", before=True)

    def anna_cancels():
        services.cancel(registration=anna)

    def quentin_cancels():
        services.cancel(registration=quentin)

    run_together(anna_cancels, quentin_cancels)
    return event, sara


def test_cancelling_while_a_queue_moves_you_frees_the_seat_you_were_moved_to(monkeypatch):
    event, sara = cancel_while_moved(monkeypatch)
    assert free_seats_beside_a_queue(event) == []
    assert seat(sara, 1) == 1


def test_control_without_the_pass_locks_leaves_a_seat_free_beside_the_queue(monkeypatch):
    monkeypatch.setattr(rules, "lock_passes", no_pass_lock)
    try:
        event, sara = cancel_while_moved(monkeypatch)
    except OperationalError as error:
        # Without the pass locks the two transactions may also lock rows crosswise: the
        # database breaks the deadlock by failing one, which fails the real test too.
        assert "deadlock" in str(error)
        return
    assert free_seats_beside_a_queue(event) == ["W1"]
    assert seat(sara, 1) == 2


# --- the lock on the first queue entry: leaving a queue as it moves --------------------------


def leave_while_moved(monkeypatch) -> tuple[int, int]:
    """W1 (1 seat) holds Anna; Quentin, in W2, queues for it. Anna cancels, which moves
    Quentin into W1, while he leaves the queue. He leaves once Anna's chain has taken his
    entry from the queue, and they meet once his leaving has returned: without the lock on
    the entry he has left, in W2, and is moved all the same. Returns his seat in pass 1 when
    his leaving returned, and at the end."""
    event = make_event(slug="leave-moved")
    ws = workshops(event)
    limit(ws[1], 1)
    (anna,) = register_people(event, 1)
    (quentin,) = register_people(event, 1, start=1, index=1)
    services.join_queue(registration=quentin, workshop=ws[1])
    meeting = Meeting(2)
    meet(monkeypatch, meeting, queue_service, "first_in_queue", thread="cancel")

    def cancel():
        services.cancel(registration=anna)

    def leave():
        meeting.wait_for_someone()
        services.leave_queue(registration=quentin, slot=ws[1].slot)
        when_left = seat(quentin, 1)
        meeting.arrive()
        return when_left

    _, when_left = run_together(cancel, leave)
    return when_left, seat(quentin, 1)


def test_who_has_left_a_queue_is_not_moved_by_it(monkeypatch):
    when_left, at_the_end = leave_while_moved(monkeypatch)
    assert when_left == at_the_end


def test_control_without_the_queue_entry_lock_moves_who_has_left(monkeypatch):
    def unlocked_first(workshop):
        return (
            QueueEntry.objects.select_related("registration__event")
            .filter(workshop=workshop, registration__status=Registration.Status.CONFIRMED)
            .in_order()
            .first()
        )

    monkeypatch.setattr(queue_service, "first_in_queue", unlocked_first)
    assert leave_while_moved(monkeypatch) == (2, 1)


# --- rules.lock_passes in change_choices: a change against a queue move ----------------------


def change_while_moved(monkeypatch):
    """W2 (1 seat) holds Sven; Rut and Tove, in W1, queue for it, Rut first. Rut changes to
    W3 while Sven cancels, which moves her into W2. They meet once Rut's change has read her
    seats and Sven's cancellation holds the passes: without the change's pass locks it goes
    on with the seats it read, and frees W1 instead of W2. Returns the event."""
    event = make_event(slug="change-moved", workshops_per_slot=3)
    ws = workshops(event)
    limit(ws[2], 1)
    rut, tove = register_people(event, 2, index=0)
    (sven,) = register_people(event, 1, start=2, index=1)
    for person in (rut, tove):
        services.join_queue(registration=person, workshop=ws[2])
    meeting = Meeting(2)
    meet(monkeypatch, meeting, rules, "lock_and_check_seats", thread="change", before=True)
    meet(monkeypatch, meeting, rules, "lock_passes", thread="cancel")

    def change():
        services.change_choices(registration=rut, workshops=[ws[3], ws[4], ws[7]])

    def cancel():
        services.cancel(registration=sven)

    run_together(change, cancel)
    return event


def test_changing_while_a_queue_moves_you_frees_the_seat_you_hold(monkeypatch):
    assert free_seats_beside_a_queue(change_while_moved(monkeypatch)) == []


def test_control_without_the_change_pass_locks_leaves_a_seat_free_beside_the_queue(
    monkeypatch,
):
    switched_off_in(monkeypatch, rules, "lock_passes", "change", no_pass_lock)
    try:
        event = change_while_moved(monkeypatch)
    except OperationalError as error:
        # As above: without the locks, a deadlock the database breaks by failing one.
        assert "deadlock" in str(error)
        return
    assert free_seats_beside_a_queue(event) == ["W2"]


# --- register's lock on the queued workshops: registering with a queue against a cancel -----


def register_with_a_queue_while_cancelling(monkeypatch):
    """W1 (1 seat) holds Quinn. Petra registers for W2, W3 and W5 and queues for W1, while
    Quinn cancels. Quinn's cancellation starts once Petra's registration has locked the seats
    it takes, and she goes on once it waits for a lock: without the lock on W1 taken with
    them (in id order), Quinn's holds W1 and waits for W2, Petra's holds W2 and waits for W1.
    Returns what each returned: Petra's registration, and None for the cancellation."""
    event = make_event(slug="queue-order")
    ws = workshops(event)
    limit(ws[1], 1)
    (quinn,) = register_people(event, 1)
    meeting = Meeting(2)
    meet(monkeypatch, meeting, rules, "lock_and_check_seats", thread="petra")

    def petra():
        return services.register(
            event=event,
            name="Petra",
            email="petra@example.se",
            organisation="O",
            consent=True,
            workshops=[ws[2], ws[3], ws[5]],
            queue=[ws[1]],
        ).registration

    def quinn_cancels():
        meeting.wait_for_someone()
        services.cancel(registration=quinn)

    return run_together(petra, quinn_cancels, expected=(RegistrationError, OperationalError))


def test_registering_with_a_queue_while_someone_cancels_never_deadlocks(monkeypatch):
    petra, cancelled = register_with_a_queue_while_cancelling(monkeypatch)
    assert cancelled is None
    # Registered and queued first, then moved into Quinn's freed seat.
    assert seat(petra, 1) == 1


def test_control_without_the_queue_lock_deadlocks(monkeypatch):
    class RulesWithoutTheQueueLock:
        """register's own rules.lock_workshops (the queued ones) does nothing; the rest,
        seat locks included, is the rules module."""

        def __getattr__(self, name):
            return getattr(rules, name)

        @staticmethod
        def lock_workshops(ids):
            return []

    monkeypatch.setattr(registration_service, "rules", RulesWithoutTheQueueLock())
    results = register_with_a_queue_while_cancelling(monkeypatch)
    assert [r for r in results if isinstance(r, Exception)]


# --- rules.lock_confirmed in join_queue: joining a queue against a cancellation --------------


def joining_w2_while_cancelling(monkeypatch, slug: str, *, join_meets_at, own: bool):
    """W2 (1 seat) is full, held by Sven; Rut, in W1, queues for it while a cancellation
    runs: her own (`own`, in another tab) or Sven's. They meet once the joining has passed
    `join_meets_at` (module, name) and the cancellation holds the passes.
    Returns (the event, Rut, results)."""
    event = make_event(slug=slug)
    ws = workshops(event)
    limit(ws[2], 1)
    (rut,) = register_people(event, 1)
    (sven,) = register_people(event, 1, start=1, index=1)
    meeting = Meeting(2)
    meet(monkeypatch, meeting, *join_meets_at, thread="join")
    meet(monkeypatch, meeting, rules, "lock_passes", thread="cancel")

    def join():
        services.join_queue(registration=rut, workshop=ws[2])

    def cancel():
        services.cancel(registration=rut if own else sven)

    return event, rut, run_together(join, cancel, expected=(RegistrationError,))


def join_and_cancel(monkeypatch):
    """Anna queues for W2 in one tab and cancels in another. They meet once the joining has
    read the registration: without the lock the joining goes on with the registration it
    read, still confirmed, once the cancellation has committed. Returns (Anna, results)."""
    _event, anna, results = joining_w2_while_cancelling(
        monkeypatch, "join-cancel", join_meets_at=(rules, "lock_confirmed"), own=True
    )
    return anna, results


def test_joining_a_queue_while_cancelling_leaves_nobody_cancelled_in_it(monkeypatch):
    anna, results = join_and_cancel(monkeypatch)
    assert all("avbokad" in message for message in refusals(results))
    assert not QueueEntry.objects.filter(registration=anna).exists()


def test_control_without_the_registration_lock_queues_a_cancelled_person(monkeypatch):
    read_without_lock(monkeypatch, rules, Registration)
    anna, results = join_and_cancel(monkeypatch)
    assert refusals(results) == []
    assert QueueEntry.objects.filter(registration=anna).exists()


# --- join_queue's lock on the workshop: joining a queue as a seat is freed -------------------


def join_as_a_seat_frees(monkeypatch):
    """Rut queues for W2 while Sven cancels his seat in it. They meet once the joining has
    counted W2's seats: without the lock on W2 Rut queues for a full workshop that has just
    got a free seat, after the cancellation looked for someone to give it to.
    Returns (the event, results)."""
    event, _rut, results = joining_w2_while_cancelling(
        monkeypatch, "join-frees", join_meets_at=(selectors, "seats_taken"), own=False
    )
    return event, results


def test_joining_a_queue_as_its_seat_is_freed_never_waits_beside_it(monkeypatch):
    event, results = join_as_a_seat_frees(monkeypatch)
    assert all("lediga platser" in message for message in refusals(results))
    assert free_seats_beside_a_queue(event) == []


def test_control_without_the_workshop_lock_queues_beside_a_free_seat(monkeypatch):
    switched_off_in(monkeypatch, rules, "lock_workshops", "join", unlocked_workshops)
    # Without the lock nothing orders the joining's insert after the cancellation (row locks
    # of NO KEY UPDATE let the insert's key-share lock through): it is held until the
    # cancellation has committed, the order in which the missing lock shows.
    cancelled = threading.Event()
    real_cancel, real_create = services.cancel, QueueEntry.objects.create

    def cancel(**kwargs):
        try:
            return real_cancel(**kwargs)
        finally:
            cancelled.set()

    def create_after_the_cancel(**kwargs):
        assert cancelled.wait(timeout=30)
        return real_create(**kwargs)

    monkeypatch.setattr(services, "cancel", cancel)
    monkeypatch.setattr(QueueEntry.objects, "create", create_after_the_cancel)
    event, results = join_as_a_seat_frees(monkeypatch)
    assert refusals(results) == []
    assert free_seats_beside_a_queue(event) == ["W2"]


# --- rules.lock_passes in save_room: fewer seats in a room against the last registration -----


def lower_room_while_registering(monkeypatch, first: str):
    """A room of 2 seats holds W1, W2 and W3 (one per pass) and one person; the organiser
    lowers it to 1 seat as Bertil takes the second. `first` counts the seats first, and the
    other starts then; they meet once each has counted (or waits for a lock). Returns (the
    room, the most seats taken in a workshop, who was refused)."""
    event = make_event(slug="room-race", workshops_per_slot=1, capacity=2)
    register_people(event, 1)
    room = Room.objects.get(name="room-race room 1")
    chosen = list(Workshop.objects.filter(event=event).order_by("number"))
    meeting = Meeting(2)
    meet_where_counted_under_locks(monkeypatch, meeting, selectors, "seats_taken", "seats_now")

    def organiser():
        if first != "organiser":
            meeting.wait_for_someone()
        room.capacity = 1
        services.save_room(room=room)

    def bertil():
        if first != "bertil":
            meeting.wait_for_someone()
        services.register(
            event=event,
            name="Bertil",
            email="bertil@example.se",
            organisation="O",
            consent=True,
            workshops=chosen,
        )

    results = run_together(organiser, bertil, expected=(RegistrationError,))
    room.refresh_from_db()
    taken = selectors.seats_taken(w.pk for w in chosen)
    refused = [a.__name__ for a, r in zip((organiser, bertil), results, strict=True) if r]
    return room, max(taken.values()), refused


# Bertil waiting for the organiser's locks must then count with the room's new seats.
@pytest.mark.parametrize("first", ["organiser", "bertil"])
def test_fewer_seats_in_a_room_and_the_last_registration_never_both_win(monkeypatch, first):
    room, most, refused = lower_room_while_registering(monkeypatch, first)
    assert refused == ["bertil" if first == "organiser" else "organiser"]
    assert most <= room.capacity


@pytest.mark.parametrize("first", ["organiser", "bertil"])
def test_control_without_the_room_pass_locks_overbooks_unconfirmed(monkeypatch, first):
    switched_off_in(monkeypatch, rules, "lock_passes", "organiser", no_pass_lock)
    room, most, refused = lower_room_while_registering(monkeypatch, first)
    assert refused == []
    assert (most, room.capacity) == (2, 1)


# --- anonymise's lock on the registrations: anonymising twice at once ------------------------


def anonymise_twice(monkeypatch) -> list[int]:
    """Two organisers anonymise the event's three registrations at once; they meet once
    each has read them, before either writes. Returns the counts the two report."""
    event = make_event(slug="anonymise")
    register_people(event, 3)
    meeting = Meeting(2)
    meet(monkeypatch, meeting, personal_data, "_anonymise_one", before=True)
    return run_together(*[functools.partial(services.anonymise, event=event)] * 2)


def test_anonymising_twice_at_once_anonymises_each_registration_once(monkeypatch):
    assert sorted(anonymise_twice(monkeypatch)) == [0, 3]


def test_control_without_the_lock_anonymises_everyone_twice(monkeypatch):
    read_without_lock(monkeypatch, personal_data, Registration)
    assert anonymise_twice(monkeypatch) == [3, 3]
