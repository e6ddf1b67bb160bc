"""Organisers' programme edits that touch registered people: fewer seats, a new room, a new pass.

Nobody loses a seat without an organiser's confirmation, and the one-workshop-per-pass rule
holds after every edit.
"""

import pytest
from django.core import mail

from registrations import selectors, services
from registrations.models import QueueEntry, Registration
from registrations.services import RegistrationError
from tests.conftest import make_event, register_people
from tests.registrations.test_queue import workshop_in_pass, workshops_of_pass
from workshops.models import Room, Workshop


def assert_one_workshop_per_pass(event):
    passes = set(event.slots.values_list("pk", flat=True))
    for registration in Registration.objects.confirmed().filter(event=event):
        choices = list(registration.choices.select_related("workshop"))
        assert {c.slot_id for c in choices} == passes
        assert all(c.workshop.slot_id == c.slot_id for c in choices), registration
    for entry in QueueEntry.objects.select_related("workshop"):
        assert entry.workshop.slot_id == entry.slot_id


def edited(workshop, **changes):
    """The workshop as the admin form hands it over: changed, not saved."""
    workshop = Workshop.objects.select_related("room", "slot").get(pk=workshop.pk)
    for name, value in changes.items():
        setattr(workshop, name, value)
    return workshop


@pytest.fixture
def event(db):
    """Three passes of three workshops in rooms of 10 seats; three people in each first one."""
    event = make_event(slug="edits", workshops_per_slot=3, capacity=10)
    register_people(event, 3, index=0)
    mail.outbox.clear()
    return event


# Fewer seats


def test_lowering_a_workshops_seats_below_those_registered_needs_confirmation(event):
    w1 = workshops_of_pass(event, 1)[0]
    with pytest.raises(RegistrationError, match="Fler är anmälda än det blir platser") as error:
        services.save_workshop(workshop=edited(w1, capacity=2))
    assert error.value.field == "confirm_overbooking"
    assert error.value.confirm_label == "Jag förstår att 3 anmälda är fler än platserna"
    w1.refresh_from_db()
    assert w1.capacity is None


def test_confirmed_lower_seats_keep_everyone_and_overbook(event):
    w1 = workshops_of_pass(event, 1)[0]
    services.save_workshop(workshop=edited(w1, capacity=2), confirm_overbooking=True)
    w1.refresh_from_db()
    assert w1.capacity == 2
    assert selectors.seats_taken([w1.pk]) == {w1.pk: 3}
    assert mail.outbox == []


def test_lowering_seats_to_those_registered_needs_no_confirmation(event):
    w1 = workshops_of_pass(event, 1)[0]
    services.save_workshop(workshop=edited(w1, capacity=3))
    w1.refresh_from_db()
    assert w1.capacity == 3


def test_editing_an_overbooked_workshop_without_lowering_its_seats_needs_no_confirmation(event):
    w1 = workshops_of_pass(event, 1)[0]
    services.save_workshop(workshop=edited(w1, capacity=2), confirm_overbooking=True)
    services.save_workshop(workshop=edited(w1, title="Ny titel"))
    assert Workshop.objects.get(pk=w1.pk).title == "Ny titel"


def test_one_seat_is_one_plats_in_the_message(event):
    w1 = workshops_of_pass(event, 1)[0]
    (problem,) = services.workshop_change_problems(
        workshop=edited(w1, capacity=1), confirm_overbooking=False, move_participants=False
    )
    assert "W1 (3 anmälda, 1 plats)" in problem.message


def test_lowering_a_rooms_seats_needs_confirmation_for_workshops_without_own_limit(event):
    w1, w2, _ = workshops_of_pass(event, 1)
    room = w1.room  # also holds the first workshop of passes 2 and 3
    # W4 (pass 2, same room) has its own limit, so the room's seats do not concern it.
    w4 = workshops_of_pass(event, 2)[0]
    w4.capacity = 10
    w4.save()
    room.capacity = 2
    problems = services.room_change_problems(room=room, confirm_overbooking=False)
    (problem,) = problems
    assert "W1 (3 anmälda, 2 platser)" in problem.message
    assert "W7 (3 anmälda, 2 platser)" in problem.message and "W4" not in problem.message
    assert problem.confirm_label == "Jag förstår att 6 anmälda är fler än platserna"
    assert "workshopparna blir överbokade" in problem.message
    with pytest.raises(RegistrationError):
        services.save_room(room=room)
    assert Room.objects.get(pk=room.pk).capacity == 10

    services.save_room(room=room, confirm_overbooking=True)
    assert Room.objects.get(pk=room.pk).capacity == 2
    assert selectors.seats_taken([w1.pk]) == {w1.pk: 3}


def test_more_seats_in_a_room_move_the_queue_in(db):
    event = make_event(slug="room-grow", workshops_per_slot=2, capacity=1)
    (anna,) = register_people(event, 1, index=0)
    (bertil,) = register_people(event, 1, start=1, index=1)
    w1, w2 = workshops_of_pass(event, 1)
    services.join_queue(registration=bertil, workshop=w1)
    room = Room.objects.get(pk=w1.room_id)
    room.capacity = 2
    moved = services.save_room(room=room)
    assert moved == [bertil] and workshop_in_pass(bertil, 1) == w1


# Another room


def test_a_new_room_for_a_workshop_with_participants_needs_the_organisers_word(event):
    w1 = workshops_of_pass(event, 1)[0]
    new_room = Room.objects.create(name="Stora salen", capacity=50)
    with pytest.raises(RegistrationError, match="behåller sina platser") as error:
        services.save_workshop(workshop=edited(w1, room=new_room))
    assert error.value.field == "move_participants"
    assert Workshop.objects.get(pk=w1.pk).room_id != new_room.pk


def test_a_new_room_keeps_the_participants_and_mails_them_the_new_room(
    event, django_capture_on_commit_callbacks
):
    w1 = workshops_of_pass(event, 1)[0]
    new_room = Room.objects.create(name="Stora salen", capacity=50)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_workshop(workshop=edited(w1, room=new_room), move_participants=True)
    assert selectors.seats_taken([w1.pk]) == {w1.pk: 3}
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert message.subject.startswith("Ny lokal")
    assert "Lokal: Stora salen" in message.body
    ((name, ics, mimetype),) = message.attachments
    assert "LOCATION:Stora salen" in ics.replace("\r\n ", "")


def test_a_smaller_new_room_needs_both_confirmations(event):
    w1 = workshops_of_pass(event, 1)[0]
    small = Room.objects.create(name="Lilla rummet", capacity=2)
    problems = services.workshop_change_problems(
        workshop=edited(w1, room=small), confirm_overbooking=False, move_participants=False
    )
    assert [p.field for p in problems] == ["confirm_overbooking", "move_participants"]
    services.save_workshop(
        workshop=edited(w1, room=small), confirm_overbooking=True, move_participants=True
    )
    assert selectors.seats_taken([w1.pk]) == {w1.pk: 3}


def test_a_new_room_for_a_workshop_nobody_chose_needs_no_confirmation(event):
    w2 = workshops_of_pass(event, 1)[1]
    new_room = Room.objects.create(name="Stora salen", capacity=50)
    services.save_workshop(workshop=edited(w2, room=new_room))
    assert Workshop.objects.get(pk=w2.pk).room_id == new_room.pk


# Another pass


@pytest.fixture
def spare_room(db):
    return Room.objects.create(name="Extrasalen", capacity=10)


def test_a_new_pass_needs_the_organisers_word_and_changes_nothing_without_it(event, spare_room):
    w1 = workshops_of_pass(event, 1)[0]
    pass_2 = workshops_of_pass(event, 2)[0].slot
    with pytest.raises(RegistrationError, match="byter pass med workshoppen"):
        services.save_workshop(workshop=edited(w1, slot=pass_2, room=spare_room))
    assert Workshop.objects.get(pk=w1.pk).slot.number == 1
    assert_one_workshop_per_pass(event)


def test_one_person_moved_with_a_workshop_is_told_of_in_the_singular(db, spare_room):
    event = make_event(slug="edits-one", workshops_per_slot=2, capacity=10)
    register_people(event, 1, index=0)
    w1 = workshops_of_pass(event, 1)[0]
    pass_2 = workshops_of_pass(event, 2)[0].slot
    new_pass, new_room = (
        services.workshop_change_problems(
            workshop=edited(w1, slot=pass_2, room=spare_room),
            confirm_overbooking=False,
            move_participants=False,
        ),
        services.workshop_change_problems(
            workshop=edited(w1, room=spare_room), confirm_overbooking=False, move_participants=False
        ),
    )
    assert new_pass[0].message.startswith(
        "Den som är anmäld till W1 byter pass med workshoppen: hen"
    )
    assert new_room[0].message.startswith("Den som är anmäld till W1 behåller sin plats")


def test_participants_follow_a_workshop_to_its_new_pass(
    event, spare_room, django_capture_on_commit_callbacks
):
    """W1 moves from pass 1 to pass 2. Its three participants (all in W4 in pass 2) follow
    it; W4's freed seats go to its queue; in pass 1 they get the freest workshops."""
    people = list(Registration.objects.order_by("created_at", "pk"))
    w1, w2, w3 = workshops_of_pass(event, 1)
    w4, w5, w6 = workshops_of_pass(event, 2)
    pass_2 = w4.slot
    # W4 full, with David (in W2 and W5) waiting for it.
    w4.capacity = 3
    w4.save()
    (david,) = register_people(event, 1, start=10, index=1)
    (erik,) = register_people(event, 1, start=11, index=2)
    services.join_queue(registration=david, workshop=w4)
    # Someone waits for W1 (full at 3 seats); their queue in pass 1 ends with the move.
    w1.capacity = 3
    w1.save()
    services.join_queue(registration=erik, workshop=w1)
    # A participant queues for W6 (Erik's, one seat): a wish against W4, which ends too.
    w6.capacity = 1
    w6.save()
    services.join_queue(registration=people[0], workshop=w6)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.save_workshop(
            workshop=edited(w1, slot=pass_2, room=spare_room), move_participants=True
        )

    assert_one_workshop_per_pass(event)
    for person in people:
        assert workshop_in_pass(person, 2) == w1
    # Placed by most free seats, ties by number: W2 and W3 have 9 each, so W2, W3, W2.
    assert [workshop_in_pass(p, 1).code for p in people] == ["W2", "W3", "W2"]
    assert workshop_in_pass(david, 2) == w4  # the freed seat in W4 went to its queue
    assert not QueueEntry.objects.exists()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert all(subjects[p.email].startswith("Ny tid för din workshop") for p in people)
    assert subjects[david.email].startswith("Du har fått plats")
    assert subjects[erik.email].startswith("Din köplats har tagits bort")
    assert len(mail.outbox) == 5


def test_a_new_pass_for_a_workshop_with_only_a_queue_asks_to_end_the_queue(
    event, spare_room, django_capture_on_commit_callbacks
):
    """Nobody holds a seat in W2 (no seats yet), two queue for it: moving it moves nobody,
    but ends their queue, and that is what the organiser is asked to confirm."""
    w1, w2, w3 = workshops_of_pass(event, 1)
    pass_2 = workshops_of_pass(event, 2)[0].slot
    w2.capacity = 0
    w2.save()
    anna, bertil, _ = Registration.objects.order_by("created_at", "pk")
    for person in (anna, bertil):
        services.join_queue(registration=person, workshop=w2)
    with pytest.raises(RegistrationError) as error:
        services.save_workshop(workshop=edited(w2, slot=pass_2, room=spare_room))
    assert error.value.message.startswith("Ingen är anmäld till W2, men 2 står i kö.")
    assert "0 anmälda" not in error.value.message
    assert error.value.confirm_label == "Ta bort kön och mejla de 2 som köar"
    assert QueueEntry.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.save_workshop(
            workshop=edited(w2, slot=pass_2, room=spare_room), move_participants=True
        )
    assert not QueueEntry.objects.exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([anna.email, bertil.email])
    assert all(m.subject.startswith("Din köplats har tagits bort") for m in mail.outbox)
    assert_one_workshop_per_pass(event)


def test_a_new_pass_is_refused_when_the_old_pass_has_too_few_free_seats(event, spare_room):
    w1, w2, w3 = workshops_of_pass(event, 1)
    pass_2 = workshops_of_pass(event, 2)[0].slot
    Workshop.objects.filter(pk__in=[w2.pk, w3.pk]).update(capacity=1)
    with pytest.raises(RegistrationError, match="där finns bara 2 lediga") as error:
        services.save_workshop(
            workshop=edited(w1, slot=pass_2, room=spare_room), move_participants=True
        )
    assert error.value.field == "slot"
    assert Workshop.objects.get(pk=w1.pk).slot.number == 1


def test_a_walk_in_follows_a_workshop_to_its_new_pass(event, spare_room, organiser):
    w1 = workshops_of_pass(event, 1)[0]
    pass_2 = workshops_of_pass(event, 2)[0].slot
    walk_in = services.add_walk_in(
        event=event,
        workshop=w1,
        name="Greta",
        organisation="Filmen",
        consent=True,
        by=services.Actor.of(organiser),
    )

    services.save_workshop(
        workshop=edited(w1, slot=pass_2, room=spare_room), move_participants=True
    )

    (choice,) = walk_in.choices.all()
    assert (choice.workshop, choice.slot) == (w1, pass_2)
