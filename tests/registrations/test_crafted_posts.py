"""Requests nobody's browser sends: the door's endpoints and the message form posted by hand.
Without the permission: 403 and no change; with bad values: a Swedish answer, never a 500,
nothing saved; CSRF is checked."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from registrations.models import AuditEntry, CheckIn, Message, Registration
from tests.conftest import register_people
from tests.registrations.test_messages_admin import ADD, room_moved

JSON = {"HTTP_ACCEPT": "application/json"}


def door_url(event, number, name):
    return reverse(f"registrations:{name}", args=[event.slug, number])


@pytest.fixture
def anna(programme):
    """In W1, W6 and W11."""
    return register_people(programme, 1)[0]


@pytest.fixture
def bertil(programme):
    """In W2, W7 and W12."""
    return register_people(programme, 1, start=10, index=1)[0]


def nothing_changed(anna, bertil) -> bool:
    return (
        not CheckIn.objects.exists()
        and not Registration.objects.filter(walk_in=True).exists()
        and bertil.choices.get(slot__number=2).workshop.number == 7
        and not AuditEntry.objects.exclude(action=AuditEntry.Action.CREATED).exists()
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("door_mark", lambda a, b: {"registration": a.pk, "present": "1"}),
        ("door_move", lambda a, b: {"registration": b.pk}),
        ("door_walk_in", lambda a, b: {"name": "X", "organisation": "Y", "consent": "on"}),
    ],
)
def test_the_door_endpoints_refuse_a_login_without_the_door_permission(
    client, programme, anna, bertil, name, data
):
    client.force_login(User.objects.create_user("plain", is_staff=True))
    response = client.post(door_url(programme, 6, name), data(anna, bertil), **JSON)
    assert response.status_code == 403
    assert nothing_changed(anna, bertil)


@pytest.mark.parametrize("name", ["door_mark", "door_move", "door_walk_in"])
def test_the_door_endpoints_check_csrf(staff_member, programme, anna, bertil, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_member)
    data = {"registration": bertil.pk, "present": "1", "name": "X", "organisation": "Y"}
    response = client.post(door_url(programme, 7, name), {**data, "consent": "on"}, **JSON)
    assert response.status_code == 403
    assert nothing_changed(anna, bertil)


@pytest.mark.parametrize("value", ["", "abc", "-1", "1.5", "99999999999999999999999"])
@pytest.mark.parametrize("name", ["door_mark", "door_move"])
def test_a_tap_for_no_such_person_is_a_404(staff_client, programme, anna, bertil, name, value):
    response = staff_client.post(
        door_url(programme, 6, name), {"registration": value, "present": "1"}, **JSON
    )
    assert response.status_code == 404
    assert nothing_changed(anna, bertil)


def test_a_tap_for_another_events_registration_is_a_404(staff_client, programme, small_event):
    other = register_people(small_event, 1, start=50)[0]
    response = staff_client.post(
        door_url(programme, 6, "door_mark"), {"registration": other.pk, "present": "1"}, **JSON
    )
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("value", [None, "", "yes", "true", "2"])
def test_a_tap_asking_for_neither_present_nor_absent_changes_nothing(
    staff_client, programme, anna, value
):
    url = door_url(programme, 6, "door_mark")
    staff_client.post(url, {"registration": anna.pk, "present": "1"}, **JSON)
    data = {"registration": anna.pk} | ({} if value is None else {"present": value})

    response = staff_client.post(url, data, **JSON)

    assert response.status_code == 400
    assert "present=1 (här) eller present=0 (inte här)" in response.content.decode()
    # Before, anything but "1" was taken as "not here" and undid the check-in.
    assert CheckIn.objects.filter(registration=anna, workshop__number=6).exists()


def test_a_cancelled_registration_cannot_be_moved_at_the_door(staff_client, programme, bertil):
    bertil.status = Registration.Status.CANCELLED
    bertil.save()
    response = staff_client.post(
        door_url(programme, 6, "door_move"), {"registration": bertil.pk}, follow=True
    )
    assert response.status_code == 200
    assert bertil.choices.get(slot__number=2).workshop.number == 7
    assert not CheckIn.objects.exists()


# The message form and its send button.


def test_sending_a_message_by_an_id_that_is_not_a_number_is_a_404(organiser_client, programme):
    url = reverse("admin:registrations_message_send", args=["abc"])
    assert organiser_client.post(url).status_code == 404


def test_staff_cannot_send_a_draft(staff_member, organiser_client, programme, anna):
    organiser_client.post(ADD, room_moved(programme))
    message = Message.objects.get()
    url = reverse("admin:registrations_message_send", args=[message.pk])
    staff = Client()
    staff.force_login(staff_member)
    assert staff.post(url).status_code == 403
    message.refresh_from_db()
    assert not message.is_sent and not message.recipients.exists()


def test_a_huge_text_is_refused_in_swedish_and_kept(organiser_client, programme, anna):
    body = "Hej {namn}! " + "x" * 20_000
    response = organiser_client.post(ADD, room_moved(programme, body=body))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["body"] == ["Texten har 20\xa0012 tecken. Den får ha högst 20\xa0000."]
    assert response.context["adminform"].form["body"].value() == body
    assert not Message.objects.exists()


def test_a_subject_of_two_lines_is_refused(organiser_client, programme, anna):
    response = organiser_client.post(
        ADD, room_moved(programme, subject="Ny lokal\r\nBcc: alla@example.se")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["subject"] == ["Skriv ämnet på en rad."]
    assert not Message.objects.exists()


def test_workshops_of_another_event_or_unknown_ids_are_refused(
    organiser_client, programme, small_event, anna
):
    theirs = small_event.workshops.first()
    for workshops, error in [
        ([theirs.pk], f"Välj workshoppar från {programme}."),
        (["99999"], "Välj ett giltigt alternativ. 99999 finns inte bland tillgängliga alternativ."),
        (["abc"], "“abc” är inte ett giltigt värde."),
    ]:
        response = organiser_client.post(ADD, room_moved(programme, workshops=workshops))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["workshops"] == [error]
    assert not Message.objects.exists()
