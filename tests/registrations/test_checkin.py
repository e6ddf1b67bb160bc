"""The event day at the doors: check in, undo, the wrong door, walk-ins, and who may do it."""

import pytest
from django.contrib.auth.models import User
from django.core import mail

from registrations import selectors, services
from registrations.models import AuditEntry, CheckIn, Choice, QueueEntry, Registration
from registrations.services import rules
from tests.conftest import register_people
from workshops.models import Workshop

Action = AuditEntry.Action


def w(event, number) -> Workshop:
    return Workshop.objects.select_related("slot", "room").get(event=event, number=number)


def actions(registration) -> list[tuple[str, str, str]]:
    return list(registration.audit.values_list("action", "actor_name", "summary"))


def attendance(event, number) -> selectors.Attendance:
    return selectors.attendance_of(w(event, number))


@pytest.fixture
def by_staff(staff_member):
    return services.Actor.of(staff_member)


@pytest.fixture
def by_organiser(organiser):
    return services.Actor.of(organiser)


@pytest.fixture
def anna(programme):
    """Registered for W1, W6 and W11."""
    return register_people(programme, 1)[0]


def test_check_in_marks_the_person_present_once_and_records_who(programme, anna, by_staff):
    assert services.check_in(registration=anna, workshop=w(programme, 6), by=by_staff) is True
    assert services.check_in(registration=anna, workshop=w(programme, 6), by=by_staff) is False

    checkin = CheckIn.objects.get()
    assert (checkin.registration, checkin.workshop.code, checkin.by.username) == (
        anna,
        "W6",
        "staff",
    )
    assert actions(anna)[-1] == (Action.CHECKED_IN, "staff", "Pass 2: W6")
    assert [a for a, *_ in actions(anna)].count(Action.CHECKED_IN) == 1


def test_undo_takes_the_check_in_back(programme, anna, by_staff):
    services.check_in(registration=anna, workshop=w(programme, 6), by=by_staff)

    assert services.undo_check_in(registration=anna, workshop=w(programme, 6), by=by_staff)
    assert not services.undo_check_in(registration=anna, workshop=w(programme, 6), by=by_staff)

    assert not CheckIn.objects.exists()
    assert actions(anna)[-1] == (Action.CHECK_IN_UNDONE, "staff", "Pass 2: W6")
    assert attendance(programme, 6).present == 0


def test_at_the_wrong_door_check_in_says_where_the_seat_is(programme, anna, by_staff):
    with pytest.raises(services.RegistrationError) as refused:
        services.check_in(registration=anna, workshop=w(programme, 7), by=by_staff)

    assert refused.value.message == (
        "Person 000: anmäld till W6 i Sal A (exempel) under det här passet"
    )
    assert not CheckIn.objects.exists()


def test_a_cancelled_registration_cannot_be_checked_in(programme, anna, by_staff):
    services.cancel(registration=anna, notify=False)
    with pytest.raises(services.RegistrationError):
        services.check_in(registration=anna, workshop=w(programme, 6), by=by_staff)


def test_present_in_pass_1_is_present_nowhere_in_pass_2(programme, by_staff):
    people = register_people(programme, 3)  # W1, W6, W11
    services.check_in(registration=people[0], workshop=w(programme, 1), by=by_staff)
    services.check_in(registration=people[1], workshop=w(programme, 1), by=by_staff)
    services.check_in(registration=people[1], workshop=w(programme, 6), by=by_staff)

    assert attendance(programme, 1) == selectors.Attendance(registered=3, present=2, walk_ins=0)
    assert attendance(programme, 6) == selectors.Attendance(registered=3, present=1, walk_ins=0)
    assert attendance(programme, 11).present == 0
    assert attendance(programme, 6).absent == 2


def test_a_check_in_counts_only_while_the_person_holds_that_seat(programme, anna, by_staff):
    services.check_in(registration=anna, workshop=w(programme, 6), by=by_staff)
    services.change_choices(
        registration=anna,
        workshops=[w(programme, 1), w(programme, 7), w(programme, 11)],
        check_window=False,
    )
    assert attendance(programme, 6).present == 0
    assert attendance(programme, 7) == selectors.Attendance(registered=1, present=0, walk_ins=0)


@pytest.fixture
def full_w7(programme):
    """W7 (pass 2, Sal B) full with two people; a third, in W6, queues for W7."""
    seven = w(programme, 7)
    seven.capacity = 2
    seven.save()
    in_seven = register_people(programme, 2, index=1)  # W2, W7, W12
    waiting = register_people(programme, 1, start=10)[0]  # W1, W6, W11
    services.join_queue(registration=waiting, workshop=seven)
    return in_seven, waiting


def test_moving_at_the_wrong_door_frees_the_seat_and_moves_the_queue(
    programme, full_w7, by_staff, django_capture_on_commit_callbacks
):
    (mover, _other), waiting = full_w7
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.move_at_door(registration=mover, to_workshop=w(programme, 6), by=by_staff)

    # One workshop per pass still; the other passes are as they were.
    assert sorted(mover.choices.values_list("workshop__number", flat=True)) == [2, 6, 12]
    assert CheckIn.objects.filter(registration=mover, workshop__number=6).exists()
    # W7's freed seat went to the first in its queue, whose W6 seat was freed in turn.
    assert waiting.choices.get(slot__number=2).workshop.code == "W7"
    assert not QueueEntry.objects.exists()
    assert selectors.seats_taken([w(programme, 7).pk])[w(programme, 7).pk] == 2
    # The usual e-mails: "changed" to the one moved at the door, "moved" to the queued one.
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[mover.email].startswith("Ändrad anmälan")
    assert subjects[waiting.email].startswith("Du har fått plats")
    # The trail says who did it.
    trail = actions(mover)
    assert (Action.CHANGED, "staff", "Pass 2: W7 → W6") in trail
    assert (Action.MOVED_AT_DOOR, "staff", "Pass 2: W7 → W6") in trail
    assert trail[-1] == (Action.CHECKED_IN, "staff", "Pass 2: W6")
    assert (Action.MOVED_FROM_QUEUE, "", "Pass 2: W6 → W7") in actions(waiting)


def test_moving_takes_back_a_check_in_at_the_old_door(programme, full_w7, by_staff):
    (mover, _other), _waiting = full_w7
    services.check_in(registration=mover, workshop=w(programme, 7), by=by_staff)

    services.move_at_door(registration=mover, to_workshop=w(programme, 6), by=by_staff)

    assert list(mover.checkins.values_list("workshop__number", flat=True)) == [6]
    assert attendance(programme, 7).present == 0


def test_no_move_into_a_full_workshop(programme, anna, by_staff):
    six = w(programme, 6)
    six.capacity = 1  # Anna holds the one seat
    six.save()
    mover = register_people(programme, 1, start=5, index=1)[0]  # W2, W7, W12

    with pytest.raises(services.RegistrationError) as refused:
        services.move_at_door(registration=mover, to_workshop=six, by=by_staff)

    assert refused.value.message == (
        "W6 har ingen ledig plats, så Person 005 kan inte flyttas hit."
    )
    assert mover.choices.get(slot__number=2).workshop.code == "W7"
    assert not CheckIn.objects.exists()
    assert Action.MOVED_AT_DOOR not in [a for a, *_ in actions(mover)]


def test_a_walk_in_holds_one_seat_at_the_door_and_is_checked_in(
    programme, by_staff, django_capture_on_commit_callbacks
):
    register_people(programme, 3)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        walk_in = services.add_walk_in(
            event=programme,
            workshop=w(programme, 6),
            name=" Greta Garbo ",
            organisation="Region Stockholm",
            email="greta@example.se",
            consent=True,
            by=by_staff,
        )

    assert walk_in.walk_in and walk_in.name == "Greta Garbo"
    assert list(walk_in.choices.values_list("workshop__number", flat=True)) == [6]
    assert CheckIn.objects.filter(registration=walk_in, workshop__number=6).exists()
    # Their seat counts like any other; they are counted apart from the registered.
    assert selectors.seats_taken([w(programme, 6).pk])[w(programme, 6).pk] == 4
    assert attendance(programme, 6) == selectors.Attendance(registered=3, present=0, walk_ins=1)
    assert [a for a, *_ in actions(walk_in)] == [Action.WALK_IN, Action.CHECKED_IN]
    assert actions(walk_in)[0] == (Action.WALK_IN, "staff", "Pass 2: W6")
    (message,) = mail.outbox
    assert message.to == ["greta@example.se"] and message.subject.startswith("Välkommen")
    assert walk_in.token in message.body


def test_walk_ins_without_an_address_get_no_mail_and_do_not_clash(
    programme, by_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("Ett", "Två"):
            services.add_walk_in(
                event=programme,
                workshop=w(programme, 6),
                name=name,
                organisation="Org",
                consent=True,
                by=by_staff,
            )
    assert Registration.objects.filter(walk_in=True, email="").count() == 2
    assert mail.outbox == []


def test_a_walk_in_is_refused_when_full_unless_an_organiser_overrides(
    programme, by_staff, by_organiser
):
    six = w(programme, 6)
    six.capacity = 2
    six.save()
    register_people(programme, 2)
    walk_in = {
        "event": programme,
        "workshop": six,
        "name": "Sent Ankommen",
        "organisation": "Org",
        "consent": True,
    }

    with pytest.raises(services.RegistrationError) as full:
        services.add_walk_in(**walk_in, by=by_staff)
    assert full.value.message == (
        "W6 är full. Bara en arrangör kan lägga till någon över platsgränsen."
    )
    with pytest.raises(services.RegistrationError) as not_allowed:
        services.add_walk_in(**walk_in, by=by_staff, allow_over_capacity=True)
    assert "behörighet" in not_allowed.value.message
    assert not Registration.objects.filter(walk_in=True).exists()

    placed = services.add_walk_in(**walk_in, by=by_organiser, allow_over_capacity=True)

    assert placed.choices.get().over_capacity
    assert [a for a, *_ in actions(placed)] == [
        Action.WALK_IN,
        Action.OVERRIDE,
        Action.CHECKED_IN,
    ]
    assert selectors.Seats(selectors.seats_taken([six.pk])[six.pk], 2).overbooked_by == 1


def test_a_registered_address_cannot_walk_in(programme, anna, by_staff):
    with pytest.raises(services.RegistrationError) as refused:
        services.add_walk_in(
            event=programme,
            workshop=w(programme, 7),
            name="Anna",
            organisation="Org",
            email=anna.email.upper(),
            consent=True,
            by=by_staff,
        )
    assert "Sök på namnet i listan" in refused.value.message


def test_a_walk_in_coming_back_in_the_next_pass_gets_that_pass_too(programme, by_staff):
    details = {"name": "Åsa Öberg", "organisation": "Org", "email": "asa@example.se"}
    first = services.add_walk_in(
        event=programme, workshop=w(programme, 1), consent=True, by=by_staff, **details
    )
    again = services.add_walk_in(
        event=programme, workshop=w(programme, 8), consent=True, by=by_staff, **details
    )

    assert again.pk == first.pk
    assert sorted(first.choices.values_list("workshop__number", flat=True)) == [1, 8]
    assert sorted(first.checkins.values_list("workshop__number", flat=True)) == [1, 8]


def test_a_walk_in_needs_consent(programme, by_staff):
    with pytest.raises(services.RegistrationError):
        services.add_walk_in(
            event=programme,
            workshop=w(programme, 6),
            name="X",
            organisation="Org",
            consent=False,
            by=by_staff,
        )


def test_one_per_pass_knows_that_walk_ins_hold_only_their_passes(programme):
    one = [w(programme, 6)]
    assert list(rules.check_one_per_pass(programme, one, walk_in=True).values()) == one
    with pytest.raises(services.RegistrationError, match="Välj en workshop under Pass 1"):
        rules.check_one_per_pass(programme, one)
    with pytest.raises(services.RegistrationError, match="Välj en workshop under Pass 1"):
        rules.check_one_per_pass(programme, [], walk_in=True)
    with pytest.raises(services.RegistrationError, match="Välj bara en workshop under Pass 2"):
        rules.check_one_per_pass(programme, [w(programme, 6), w(programme, 7)], walk_in=True)


# Who may do what at the door.


def test_both_groups_may_check_in_and_only_organisers_override(staff_member, organiser):
    assert services.may_check_in(staff_member) and services.may_check_in(organiser)
    assert not services.may_override(staff_member)
    assert services.may_override(organiser)
    # Staff can do nothing else to a registration.
    assert not staff_member.has_perm("registrations.change_registration")
    assert not staff_member.has_perm("registrations.delete_registration")
    assert not staff_member.has_perm("registrations.add_registration")


@pytest.mark.parametrize(
    "act",
    [
        lambda r, event, by: services.check_in(registration=r, workshop=w(event, 6), by=by),
        lambda r, event, by: services.undo_check_in(registration=r, workshop=w(event, 6), by=by),
        lambda r, event, by: services.move_at_door(registration=r, to_workshop=w(event, 7), by=by),
        lambda r, event, by: services.add_walk_in(
            event=event, workshop=w(event, 6), name="X", organisation="Y", consent=True, by=by
        ),
    ],
    ids=["check_in", "undo", "move", "walk_in"],
)
def test_without_the_door_permission_nothing_happens(programme, anna, act):
    nobody = User.objects.create_user("no-door", is_staff=True)
    for by in (services.Actor.of(nobody), services.SYSTEM, services.PARTICIPANT):
        with pytest.raises(services.RegistrationError, match="behörighet"):
            act(anna, programme, by)
    assert not CheckIn.objects.exists()
    assert Choice.objects.filter(workshop__number=7).count() == 0
    assert not Registration.objects.filter(walk_in=True).exists()


# Review: a walk-in is checked like any registration (the services apply the rules again).


def walk_in_details(programme, **changes):
    return {
        "event": programme,
        "workshop": w(programme, 6),
        "name": "Greta Garbo",
        "organisation": "Filmen",
        "email": "",
        "consent": True,
        **changes,
    }


def test_a_walk_in_address_is_stored_normalised_so_it_cannot_register_twice(
    programme, anna, by_staff
):
    with pytest.raises(services.RegistrationError) as refused:
        services.add_walk_in(
            **walk_in_details(programme, email=anna.email.replace("@", "\u00ad@").upper()),
            by=by_staff,
        )
    assert refused.value.field == "email"

    greta = services.add_walk_in(
        **walk_in_details(programme, email=" greta@ＥXAMPLE.se\u200b "), by=by_staff
    )
    assert greta.email == "greta@example.se"


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Greta\nBcc: x@example.se"), ("organisation", "Film\u202een")],
)
def test_a_walk_in_name_with_control_characters_is_refused(programme, by_staff, field, value):
    with pytest.raises(services.RegistrationError) as refused:
        services.add_walk_in(**walk_in_details(programme, **{field: value}), by=by_staff)
    assert refused.value.field == field
    assert "otillåtna tecken" in refused.value.message
    assert not Registration.objects.filter(walk_in=True).exists()


def test_a_walk_in_is_refused_at_a_draft_workshop(programme, by_staff):
    Workshop.objects.filter(event=programme, number=6).update(status=Workshop.Status.DRAFT)
    with pytest.raises(services.RegistrationError) as refused:
        services.add_walk_in(**walk_in_details(programme), by=by_staff)
    assert refused.value.message == "W6 är inte publicerad än."
    assert not Registration.objects.filter(walk_in=True).exists()
