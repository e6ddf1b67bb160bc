"""The admin's workshop and room forms: fewer seats or a move need the organiser's word."""

import pytest
from django.contrib import messages
from django.core import mail
from django.urls import reverse

from registrations import selectors, services
from registrations.admin.forms import WorkshopAdminForm
from tests.conftest import make_event, register_people
from workshops.models import Room, Workshop


@pytest.fixture
def event(db):
    event = make_event(slug="admin-edits", workshops_per_slot=2, capacity=10)
    register_people(event, 3, index=0)
    mail.outbox.clear()
    return event


def w1_of(event):
    return Workshop.objects.get(event=event, number=1)


def workshop_url(workshop):
    return reverse("admin:workshops_workshop_change", args=[workshop.pk])


def room_url(room):
    return reverse("admin:workshops_room_change", args=[room.pk])


def workshop_data(client, workshop, **changes):
    form = client.get(workshop_url(workshop)).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "event": workshop.event_id,
            "slot": workshop.slot_id,
            "room": workshop.room_id,
            "workshop_presenters-TOTAL_FORMS": 0,
            "workshop_presenters-INITIAL_FORMS": 0,
        }
    )
    data.update(changes)
    return data


def test_lowering_a_workshops_seats_shows_the_count_and_a_box_to_confirm(organiser_client, event):
    w1 = w1_of(event)
    response = organiser_client.post(
        workshop_url(w1), workshop_data(organiser_client, w1, capacity=2)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fler är anmälda än det blir platser: W1 (3 anmälda, 2 platser)" in page
    assert "Jag förstår att 3 anmälda är fler än platserna" in page
    assert Workshop.objects.get(pk=w1.pk).capacity is None

    data = workshop_data(organiser_client, w1, capacity=2, confirm_overbooking="on")
    assert organiser_client.post(workshop_url(w1), data).status_code == 302
    assert Workshop.objects.get(pk=w1.pk).capacity == 2
    assert selectors.seats_taken([w1.pk]) == {w1.pk: 3}


def test_lowering_a_rooms_seats_needs_the_box_too(organiser_client, event):
    room = w1_of(event).room
    response = organiser_client.post(room_url(room), {"name": room.name, "capacity": 1})
    assert response.status_code == 200
    assert "Jag förstår att 9 anmälda är fler än platserna" in response.content.decode()
    assert Room.objects.get(pk=room.pk).capacity == 10
    data = {"name": room.name, "capacity": 1, "confirm_overbooking": "on"}
    assert organiser_client.post(room_url(room), data).status_code == 302
    assert Room.objects.get(pk=room.pk).capacity == 1


def refusals_shown(response):
    """{input: its messages} of the form the admin re-showed."""
    return dict(response.context["adminform"].form.errors)


def test_the_overbooking_refusal_sits_on_the_box_that_lifts_it(organiser_client, event):
    """Not at the seats or the room that caused it, but where the organiser acts."""
    w1 = w1_of(event)
    small = Room.objects.create(name="Lilla rummet", capacity=2)
    for change in [{"capacity": 2}, {"room": small.pk, "move_participants": "on"}]:
        data = workshop_data(organiser_client, w1, **change)
        response = organiser_client.post(workshop_url(w1), data)
        assert list(refusals_shown(response)) == ["confirm_overbooking"], change
        page = response.content.decode()
        assert 'id="id_confirm_overbooking_error"><li>Fler är anmälda' in page


def test_a_rooms_overbooking_refusal_sits_on_its_box_too(organiser_client, event):
    room = w1_of(event).room
    response = organiser_client.post(room_url(room), {"name": room.name, "capacity": 1})
    assert list(refusals_shown(response)) == ["confirm_overbooking"]


def boxes_on(response):
    page = response.content.decode()
    return [
        name for name in ["confirm_overbooking", "move_participants"] if f'name="{name}"' in page
    ]


def test_a_fresh_form_has_no_confirmation_boxes(organiser_client, event):
    w1 = w1_of(event)
    assert boxes_on(organiser_client.get(workshop_url(w1))) == []
    assert boxes_on(organiser_client.get(room_url(w1.room))) == []
    assert boxes_on(organiser_client.get(reverse("admin:workshops_workshop_add"))) == []


def test_a_refusal_brings_only_the_box_that_lifts_it(organiser_client, event):
    w1 = w1_of(event)
    hall = Room.objects.create(name="Stora salen", capacity=40)
    fewer = organiser_client.post(workshop_url(w1), workshop_data(organiser_client, w1, capacity=2))
    assert boxes_on(fewer) == ["confirm_overbooking"]
    moved = organiser_client.post(
        workshop_url(w1), workshop_data(organiser_client, w1, room=hall.pk)
    )
    assert boxes_on(moved) == ["move_participants"]
    room = organiser_client.post(room_url(w1.room), {"name": w1.room.name, "capacity": 1})
    assert boxes_on(room) == ["confirm_overbooking"]


def test_a_ticked_box_stays_on_the_page_when_the_form_has_other_errors(organiser_client, event):
    """Never a confirmation sent without the organiser seeing it ticked."""
    w1 = w1_of(event)
    data = workshop_data(organiser_client, w1, capacity=2, title="", confirm_overbooking="on")
    response = organiser_client.post(workshop_url(w1), data)
    assert list(refusals_shown(response)) == ["title"]
    assert boxes_on(response) == ["confirm_overbooking"]
    assert 'name="confirm_overbooking" id="id_confirm_overbooking" checked' in (
        response.content.decode()
    )
    del data["confirm_overbooking"]
    assert boxes_on(organiser_client.post(workshop_url(w1), data)) == []


def test_a_new_room_asks_to_move_and_mail_the_participants(
    organiser_client, event, django_capture_on_commit_callbacks
):
    w1 = w1_of(event)
    hall = Room.objects.create(name="Stora salen", capacity=40)
    response = organiser_client.post(
        workshop_url(w1), workshop_data(organiser_client, w1, room=hall.pk)
    )
    assert response.status_code == 200
    assert "3 anmälda till W1 behåller sina platser i den nya lokalen" in response.content.decode()
    assert mail.outbox == []

    data = workshop_data(organiser_client, w1, room=hall.pk, move_participants="on")
    with django_capture_on_commit_callbacks(execute=True):
        assert organiser_client.post(workshop_url(w1), data).status_code == 302
    assert Workshop.objects.get(pk=w1.pk).room == hall
    assert len(mail.outbox) == 3 and "Stora salen" in mail.outbox[0].body


def test_a_new_pass_moves_the_participants_along(organiser_client, event):
    w1 = w1_of(event)
    pass_2 = event.slots.get(number=2)
    spare = Room.objects.create(name="Extrasalen", capacity=10)
    data = workshop_data(organiser_client, w1, slot=pass_2.pk, room=spare.pk)
    response = organiser_client.post(workshop_url(w1), data)
    assert "byter pass med workshoppen" in response.content.decode()
    data["move_participants"] = "on"
    assert organiser_client.post(workshop_url(w1), data).status_code == 302
    person = event.registrations.first()
    assert person.choices.get(slot=pass_2).workshop == w1
    assert person.choices.get(slot__number=1).workshop.number == 2


def test_a_new_pass_for_a_workshop_with_only_a_queue_asks_about_the_queue(organiser_client, event):
    w2 = Workshop.objects.get(event=event, number=2)
    w2.capacity = 0
    w2.save()
    queued = event.registrations.order_by("pk")[:2]
    for person in queued:
        services.join_queue(registration=person, workshop=w2)
    spare = Room.objects.create(name="Extrasalen", capacity=10)
    pass_2 = event.slots.get(number=2)
    data = workshop_data(organiser_client, w2, slot=pass_2.pk, room=spare.pk)
    response = organiser_client.post(workshop_url(w2), data)
    (message,) = refusals_shown(response)["move_participants"]
    assert message.startswith("Ingen är anmäld till W2, men 2 står i kö.")
    assert "Ta bort kön och mejla de 2 som köar" in response.content.decode()
    data["move_participants"] = "on"
    assert organiser_client.post(workshop_url(w2), data).status_code == 302
    assert Workshop.objects.get(pk=w2.pk).slot == pass_2


def test_a_refusal_at_saving_time_is_shown_on_the_organisers_edit(
    organiser_client, event, monkeypatch
):
    """Someone registered between the form's check and the save (here: the form's first
    check does not see them): the service refuses, nothing is saved, and the organiser sees
    the refusal on their own edit, with the box to confirm it."""
    w1 = w1_of(event)
    checks = []
    see_everyone = WorkshopAdminForm.problems

    def first_check_too_early(form):
        checks.append(form)
        return [] if len(checks) == 1 else see_everyone(form)

    monkeypatch.setattr(WorkshopAdminForm, "problems", first_check_too_early)
    data = workshop_data(organiser_client, w1, capacity=2, title="Ny titel")
    response = organiser_client.post(workshop_url(w1), data)
    assert response.status_code == 200
    assert list(refusals_shown(response)) == ["confirm_overbooking"]
    form = response.context["adminform"].form
    assert (form["title"].value(), form["capacity"].value()) == ("Ny titel", "2")
    assert boxes_on(response) == ["confirm_overbooking"]
    w1.refresh_from_db()
    assert (w1.capacity, w1.title) == (None, "Workshop 1")


def test_a_refusal_at_saving_time_the_form_cannot_see_comes_as_a_message(
    organiser_client, event, monkeypatch
):
    """Should the service refuse what the form's check lets through every time (another
    change in between, each time), the organiser gets its message and nothing is saved."""
    w1 = w1_of(event)
    monkeypatch.setattr(WorkshopAdminForm, "problems", lambda form: [])
    data = workshop_data(organiser_client, w1, capacity=1, title="Ny titel")
    response = organiser_client.post(workshop_url(w1), data, follow=True)
    assert response.status_code == 200
    shown = [(m.level, m.message) for m in response.context["messages"]]
    assert any(level == messages.ERROR and "Fler är anmälda" in text for level, text in shown)
    w1.refresh_from_db()
    assert (w1.capacity, w1.title) == (None, "Workshop 1")


def test_a_busy_database_at_saving_time_is_not_tried_again_at_once(
    organiser_client, event, monkeypatch
):
    """Its refusal names no input the form could show, so the view does not run again."""
    busy = services.RegistrationError("Det är många som anmäler sig just nu.")
    saves = []

    def save_workshop(**kwargs):
        saves.append(kwargs)
        raise busy

    monkeypatch.setattr(services, "save_workshop", save_workshop)
    w1 = w1_of(event)
    data = workshop_data(organiser_client, w1, title="Ny titel")
    response = organiser_client.post(workshop_url(w1), data, follow=True)
    assert [m.message for m in response.context["messages"]] == [busy.message]
    assert len(saves) == 1


def test_workshop_form_tells_who_an_edit_would_affect(organiser_client, event):
    page = organiser_client.get(workshop_url(w1_of(event))).content.decode()
    assert "3 anmälda, 0 i kö" in page
    assert organiser_client.get(reverse("admin:workshops_workshop_add")).status_code == 200


def test_a_room_already_used_in_that_pass_is_refused_in_swedish(organiser_client, event):
    w1 = w1_of(event)
    w2 = Workshop.objects.get(event=event, number=2)  # same pass, another room
    response = organiser_client.post(
        workshop_url(w1), workshop_data(organiser_client, w1, room=w2.room_id)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lokalen används redan av en annan workshop under det passet." in page
    assert Workshop.objects.get(pk=w1.pk).room_id != w2.room_id
