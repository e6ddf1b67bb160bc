"""Random sequences of register, change, cancel, queue and leave, and of organisers' edits
(more or fewer seats, another room, another pass, cancelling from the admin, new times for a
pass), checked after every step.

The rules: every confirmed person holds exactly one workshop per pass, and each choice's
workshop lies in that pass; no operation but an organiser's confirmed lowering of seats puts
a workshop over capacity (or further over); a queue is never left waiting beside a free seat;
people move in strictly in queue order (nobody is skipped); a refused operation changes
nothing.
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from registrations import emails, services
from registrations.models import AuditEntry, Choice, QueueEntry, Registration
from tests.conftest import make_event
from workshops.models import Room, Workshop

PEOPLE = 5
PASSES = 3
PER_PASS = 2
CAPACITY = 2

person = st.integers(0, PEOPLE - 1)
pass_index = st.integers(0, PASSES - 1)
# Taken modulo the pass's number of workshops, which moves between passes change.
workshop_index = st.integers(0, PER_PASS)
programme = st.lists(workshop_index, min_size=PASSES, max_size=PASSES)
join = st.tuples(st.just("join"), person, pass_index, workshop_index)
operations = st.lists(
    # Joining is weighted up: a queue of two or more is where order can go wrong.
    st.one_of(
        join,
        join,
        join,
        st.tuples(st.just("cancel"), person),
        st.tuples(st.just("register"), person, programme),
        st.tuples(st.just("change"), person, programme),
        st.tuples(st.just("leave"), person, pass_index),
        st.tuples(st.just("grow"), pass_index, workshop_index),
        st.tuples(st.just("shrink"), pass_index, workshop_index, st.booleans()),
        st.tuples(st.just("room"), pass_index, workshop_index, st.booleans(), st.booleans()),
        st.tuples(st.just("move"), pass_index, workshop_index, st.booleans(), st.booleans()),
        st.tuples(st.just("admin_cancel"), person, person),
        st.tuples(st.just("times"), pass_index, st.sampled_from([-15, 15, 30])),
    ),
    min_size=10,
    max_size=25,
)


def confirmed(event, number):
    return Registration.objects.confirmed().filter(event=event, email=f"p{number}@example.se")


def current_grid(event) -> list[list[Workshop]]:
    return [
        list(Workshop.objects.filter(slot=slot).select_related("room").order_by("number"))
        for slot in event.slots.order_by("number")
    ]


def pick(grid, p, i) -> Workshop | None:
    return grid[p][i % len(grid[p])] if grid[p] else None


def free_room(slot, *, other_than: Room) -> Room:
    used = set(Workshop.objects.filter(slot=slot).values_list("room_id", flat=True))
    return Room.objects.exclude(pk__in=used | {other_than.pk}).order_by("name").first()


def organiser_edit(event, grid, kind, args) -> set[int]:
    """Grow, shrink, or move a workshop to another room or pass, through the admin's service.

    Returns the people the organiser's decision moved (a workshop's participants on a pass
    change), who are not moved by a queue."""
    workshop = pick(grid, args[0], args[1])
    if workshop is None:
        return set()
    confirm, move = (args[2], args[3]) if kind in ("room", "move") else (args[-1], False)
    if kind == "grow":
        workshop.capacity = workshop.effective_capacity + 1
    elif kind == "shrink":
        workshop.capacity = max(workshop.effective_capacity - 1, 0)
    elif kind == "room":
        room = free_room(workshop.slot, other_than=workshop.room)
        # The admin requires a room; with every room of the pass taken there is no move.
        if room is None:
            return set()
        workshop.room = room
    else:
        slots = list(event.slots.order_by("number"))
        slot = slots[(args[0] + 1) % len(slots)]
        room = free_room(slot, other_than=workshop.room)
        if room is None:
            return set()
        workshop.slot, workshop.room = slot, room
    participants = set(
        Choice.objects.filter(
            workshop=workshop, registration__status=Registration.Status.CONFIRMED
        ).values_list("registration_id", flat=True)
    )
    services.save_workshop(workshop=workshop, confirm_overbooking=confirm, move_participants=move)
    return participants if kind == "move" else set()


# An organiser's paths that must tell people, as the admin runs them: cancelling one or two
# at once ("Avboka", and what a superuser's delete becomes) and new times for a pass. Each
# affected person gets exactly one message about it, nobody else any.
ORGANISER = services.Actor(AuditEntry.ActorKind.ORGANISER)


def messages_since(start: int) -> dict[int, list[str]]:
    """The e-mails queued for after the commit since `start`: {registration id: kinds}."""
    sent = defaultdict(list)
    for _, callback, _ in connection.run_on_commit[start:]:
        if getattr(callback, "func", None) == emails.deliver.enqueue:
            registration_id, kind = callback.args
            sent[registration_id].append(kind)
    return dict(sent)


def organiser_tells(event, kind, args) -> set[int]:
    start = len(connection.run_on_commit)
    if kind == "admin_cancel":
        people = [r for n in sorted(set(args)) for r in confirmed(event, n)]
        before = snapshot()[0]
        cancelled = {r.pk for r in services.cancel_many(registrations=people, by=ORGANISER)}
        moved = {reg for (reg, slot), w in snapshot()[0].items() if before[reg, slot] != w}
        expected = {pk: ["cancelled"] for pk in cancelled} | {pk: ["moved"] for pk in moved}
        assert messages_since(start) == expected
        return cancelled
    slot = event.slots.get(number=args[0] + 1)
    day = datetime.datetime.combine(event.date, slot.start_time)
    shift = datetime.timedelta(minutes=args[1])
    length = datetime.datetime.combine(event.date, slot.end_time) - day
    slot.start_time, slot.end_time = (day + shift).time(), (day + shift + length).time()
    services.save_agenda(event=event, slots=[slot], confirm_notify=True, by=ORGANISER)
    everyone = Registration.objects.confirmed().filter(event=event)
    assert messages_since(start) == {r.pk: ["agenda_changed"] for r in everyone}
    return set()


def apply(event, operation) -> tuple[set[int], bool]:
    """Run one operation. Returns the registrations that acted (whose seats may change
    without a queue) and whether an organiser confirmed an overbooking."""
    grid = current_grid(event)
    kind, *args = operation
    if kind in ("grow", "shrink", "room", "move"):
        confirmed_overbooking = kind in ("shrink", "room", "move") and bool(args[2])
        return organiser_edit(event, grid, kind, args), confirmed_overbooking
    if kind in ("admin_cancel", "times"):
        return organiser_tells(event, kind, args), False
    if kind == "register":
        workshops = [pick(grid, p, i) for p, i in enumerate(args[1])]
        if None in workshops:
            return set(), False
        services.register(
            event=event,
            name=f"P{args[0]}",
            email=f"p{args[0]}@example.se",
            organisation="O",
            consent=True,
            workshops=workshops,
        )
        return set(confirmed(event, args[0]).values_list("pk", flat=True)), False
    registration = confirmed(event, args[0]).first()
    if registration is None:
        return set(), False
    if kind == "change":
        workshops = [pick(grid, p, i) for p, i in enumerate(args[1])]
        if None in workshops:
            return set(), False
        services.change_choices(registration=registration, workshops=workshops, notify=False)
    elif kind == "cancel":
        services.cancel(registration=registration, notify=False)
    elif kind == "join":
        workshop = pick(grid, args[1], args[2])
        if workshop is None:
            return set(), False
        services.join_queue(registration=registration, workshop=workshop)
    elif kind == "leave":
        services.leave_queue(registration=registration, slot=event.slots.get(number=args[1] + 1))
    return {registration.pk}, False


def snapshot():
    seats = {
        (c.registration_id, c.slot_id): c.workshop_id
        for c in Choice.objects.filter(registration__status=Registration.Status.CONFIRMED)
    }
    queues = defaultdict(list)
    for entry in QueueEntry.objects.in_order():
        queues[entry.workshop_id].append(entry.registration_id)
    programme = {
        w.pk: (w.slot_id, w.room_id, w.effective_capacity)
        for w in Workshop.objects.select_related("room")
    }
    return seats, queues, programme


def check_rules(event, before, actors, overbooking_confirmed):
    seats, queues, programme = snapshot()
    seats_before, queues_before, programme_before = before
    people = set(Registration.objects.confirmed().values_list("pk", flat=True))
    passes = set(event.slots.values_list("pk", flat=True))
    # One confirmed workshop per pass, and it lies in that pass.
    for pk in people:
        assert {slot for (reg, slot) in seats if reg == pk} == passes
    for (_, slot), workshop_id in seats.items():
        assert programme[workshop_id][0] == slot
    # Over capacity only by an organiser's confirmed decision; no queue beside a free seat.
    taken, taken_before = defaultdict(int), defaultdict(int)
    for workshop_id in seats.values():
        taken[workshop_id] += 1
    for workshop_id in seats_before.values():
        taken_before[workshop_id] += 1
    for workshop_id, (_, _, capacity) in programme.items():
        if not overbooking_confirmed and taken[workshop_id] > capacity:
            # Overbooked before (confirmed then), and neither fuller nor fewer seats now.
            assert taken[workshop_id] <= taken_before[workshop_id], workshop_id
            assert capacity >= programme_before[workshop_id][2], workshop_id
        if queues[workshop_id]:
            assert taken[workshop_id] >= capacity, workshop_id
    # Queue entries belong to confirmed people, outside the workshop they already hold.
    for entry in QueueEntry.objects.select_related("workshop"):
        assert entry.registration_id in people
        assert entry.slot_id == entry.workshop.slot_id
        assert seats[(entry.registration_id, entry.slot_id)] != entry.workshop_id
    # Those moved in by this operation were the first in that queue, in order.
    moved = defaultdict(set)
    for key, workshop_id in seats.items():
        if key[0] not in actors and key in seats_before and seats_before[key] != workshop_id:
            moved[workshop_id].add(key[0])
    for workshop_id, registrations in moved.items():
        waiting = [r for r in queues_before[workshop_id] if r not in actors]
        assert set(waiting[: len(registrations)]) == registrations


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=operations)
# Found in CI: a pass move when the other pass had no free room left.
@example(
    operations=[
        ("join", 0, 0, 0),
        ("join", 0, 0, 0),
        ("room", 0, 0, False, True),
        ("cancel", 0),
        ("join", 0, 0, 0),
        ("join", 0, 0, 0),
        ("join", 0, 0, 0),
        ("move", 0, 1, False, True),
        ("room", 1, 0, True, True),
        ("move", 0, 0, False, False),
    ]
)
# The last pass as well: a freed seat there goes to its queue (a cancellation that filled
# the first two passes only passed with two passes, and the fixed CI draw missed it).
@example(operations=[("join", 1, 2, 1), ("cancel", 2)])
def test_rules_hold_after_every_operation(db, operations):
    with transaction.atomic():
        event = make_event(
            slug="prop", slots=PASSES, workshops_per_slot=PER_PASS, capacity=CAPACITY
        )
        # Spare rooms, smaller and larger, for workshops moving room or pass.
        Room.objects.create(name="prop spare small", capacity=CAPACITY - 1)
        Room.objects.create(name="prop spare large", capacity=CAPACITY + 1)
        # Four people fill every workshop, so queues of two can form from the first step.
        for number in range(PER_PASS * CAPACITY):
            apply(event, ("register", number, [number // CAPACITY] * PASSES))
        for operation in operations:
            before = snapshot()
            try:
                actors, overbooking_confirmed = apply(event, operation)
            except services.RegistrationError:
                actors, overbooking_confirmed = set(), False
                assert snapshot() == before
            check_rules(event, before, actors, overbooking_confirmed)
        # Each example starts from an empty database.
        transaction.set_rollback(True)
