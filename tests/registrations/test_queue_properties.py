"""Random sequences of register, change, cancel, queue and leave, checked after every step.

The rules: every confirmed person holds exactly one workshop per pass, no workshop is over
capacity, a queue is never left waiting beside a free seat, and people move in strictly in
queue order (nobody is skipped).
"""

from collections import defaultdict

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrations import services
from registrations.models import Choice, QueueEntry, Registration
from tests.conftest import make_event
from workshops.models import Workshop

PEOPLE = 5
PASSES = 2
PER_PASS = 2
CAPACITY = 2

person = st.integers(0, PEOPLE - 1)
pass_index = st.integers(0, PASSES - 1)
workshop_index = st.integers(0, PER_PASS - 1)
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
    ),
    min_size=10,
    max_size=25,
)


def confirmed(event, number):
    return Registration.objects.confirmed().filter(event=event, email=f"p{number}@example.se")


def apply(event, grid, operation) -> int | None:
    """Run one operation; returns the id of the registration that acted, if any."""
    kind, *args = operation
    if kind == "grow":
        workshop = grid[args[0]][args[1]]
        workshop.refresh_from_db()
        workshop.capacity = workshop.effective_capacity + 1
        workshop.save()
        services.fill_workshops(workshops=[workshop])
        return None
    if kind == "register":
        services.register(
            event=event,
            name=f"P{args[0]}",
            email=f"p{args[0]}@example.se",
            organisation="O",
            consent=True,
            workshops=[grid[p][i] for p, i in enumerate(args[1])],
        )
        return confirmed(event, args[0]).values_list("pk", flat=True).first()
    registration = confirmed(event, args[0]).first()
    if registration is None:
        return None
    if kind == "change":
        workshops = [grid[p][i] for p, i in enumerate(args[1])]
        services.change_choices(registration=registration, workshops=workshops, notify=False)
    elif kind == "cancel":
        services.cancel(registration=registration, notify=False)
    elif kind == "join":
        services.join_queue(registration=registration, workshop=grid[args[1]][args[2]])
    elif kind == "leave":
        services.leave_queue(registration=registration, slot=grid[args[1]][0].slot)
    return registration.pk


def snapshot():
    seats = {
        (c.registration_id, c.slot_id): c.workshop_id
        for c in Choice.objects.filter(registration__status=Registration.Status.CONFIRMED)
    }
    queues = defaultdict(list)
    for entry in QueueEntry.objects.in_order():
        queues[entry.workshop_id].append(entry.registration_id)
    return seats, queues


def check_rules(event, before, actor):
    seats, queues = snapshot()
    people = set(Registration.objects.confirmed().values_list("pk", flat=True))
    passes = set(event.slots.values_list("pk", flat=True))
    # One confirmed workshop per pass.
    for pk in people:
        assert {slot for (reg, slot) in seats if reg == pk} == passes
    # No workshop over capacity; no queue beside a free seat.
    taken = defaultdict(int)
    for workshop_id in seats.values():
        taken[workshop_id] += 1
    for workshop in Workshop.objects.filter(event=event).select_related("room"):
        assert taken[workshop.pk] <= workshop.effective_capacity, workshop
        if queues[workshop.pk]:
            assert taken[workshop.pk] == workshop.effective_capacity, workshop
    # Queue entries belong to confirmed people, outside the workshop they already hold.
    for entry in QueueEntry.objects.all():
        assert entry.registration_id in people
        assert entry.slot_id == entry.workshop.slot_id
        assert seats[(entry.registration_id, entry.slot_id)] != entry.workshop_id
    # Those moved in by this operation were the first in that queue, in order.
    seats_before, queues_before = before
    moved = defaultdict(set)
    for key, workshop_id in seats.items():
        if key[0] != actor and key in seats_before and seats_before[key] != workshop_id:
            moved[workshop_id].add(key[0])
    for workshop_id, registrations in moved.items():
        waiting = [r for r in queues_before[workshop_id] if r != actor]
        assert set(waiting[: len(registrations)]) == registrations


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=operations)
def test_rules_hold_after_every_operation(db, operations):
    with transaction.atomic():
        event = make_event(
            slug="prop", slots=PASSES, workshops_per_slot=PER_PASS, capacity=CAPACITY
        )
        grid = [
            list(Workshop.objects.filter(slot=slot).order_by("number"))
            for slot in event.slots.order_by("number")
        ]
        # Four people fill every workshop, so queues of two can form from the first step.
        for number in range(PER_PASS * CAPACITY):
            apply(event, grid, ("register", number, [number // CAPACITY] * PASSES))
        for operation in operations:
            before = snapshot()
            try:
                actor = apply(event, grid, operation)
            except services.RegistrationError:
                actor = None
                assert snapshot() == before
            check_rules(event, before, actor)
        # Each example starts from an empty database.
        transaction.set_rollback(True)
