"""Removing a registration in the admin: always a cancellation through the service, after a
page that says what will happen; never Django's delete, not even for a superuser."""

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse

from registrations import services
from registrations.models import AuditEntry, QueueEntry, Registration
from tests.conftest import make_event, register_people
from workshops.models import Workshop

CHANGELIST = reverse("admin:registrations_registration_changelist")
Action = AuditEntry.Action


def cancel_url(registration):
    return reverse("admin:registrations_registration_cancel", args=[registration.pk])


def change_url(registration):
    return reverse("admin:registrations_registration_change", args=[registration.pk])


@pytest.fixture
def full(db):
    """W1 (capacity 2) full with Anna and Bo; Cilla holds W2 and stands first in W1's queue,
    Dag second."""
    event = make_event(slug="full", capacity=2)
    anna, bo = register_people(event, 2)
    cilla, dag = register_people(event, 2, start=2, index=1)
    w1 = Workshop.objects.get(event=event, number=1)
    for person in (cilla, dag):
        services.join_queue(registration=person, workshop=w1)
    mail.outbox.clear()
    return event, anna, bo, cilla, dag, w1


def select(*registrations, **extra):
    return {
        "action": "cancel_selected",
        "_selected_action": [r.pk for r in registrations],
        **extra,
    }


def test_organisers_may_not_delete_registrations(organiser):
    assert not organiser.has_perm("registrations.delete_registration")
    assert not Group.objects.get(name="Arrangörer").permissions.filter(
        codename="delete_registration"
    )


def test_no_delete_action_or_button_even_for_a_superuser(client, organiser, full):
    _, anna, *_ = full
    root = User.objects.create_superuser("root", "root@example.se", "x")
    for user in (organiser, root):
        client.force_login(user)
        response = client.get(CHANGELIST)
        actions = [value for value, _ in response.context["action_form"].fields["action"].choices]
        assert "delete_selected" not in actions and "cancel_selected" in actions
        html = client.get(change_url(anna)).content.decode()
        assert "deletelink" not in html
        assert f'href="{cancel_url(anna)}"' in html


def test_avboka_first_shows_who_is_cancelled_and_who_moves_in_from_the_queue(
    organiser_client, full, django_capture_on_commit_callbacks
):
    event, anna, bo, cilla, dag, w1 = full
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = organiser_client.post(CHANGELIST, select(anna, bo))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Avboka de här 2 anmälningarna?" in html
    assert anna.email in html and bo.email in html
    # Both freed W1 seats go to the queue, in order: Cilla, then Dag, each leaving W2.
    moves = [
        (m.registration, m.slot.number, m.left.code, m.joined.code)
        for m in response.context["preview"].moves
    ]
    assert moves == [(cilla, 1, "W2", "W1"), (dag, 1, "W2", "W1")]
    assert "<td>Person 002</td><td>Pass 1</td><td>W2</td><td>W1</td>" in html
    # Nothing happened yet.
    assert Registration.objects.confirmed().count() == 4
    assert QueueEntry.objects.count() == 2
    assert not AuditEntry.objects.filter(action=Action.CANCELLED).exists()
    assert callbacks == [] and mail.outbox == []


def test_confirming_cancels_moves_the_queue_mails_and_records_the_organiser(
    organiser_client, organiser, full, django_capture_on_commit_callbacks
):
    event, anna, bo, cilla, dag, w1 = full
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(CHANGELIST, select(anna, bo, post="yes"), follow=True)
    assert "2 anmälningar avbokade." in response.content.decode()
    assert set(Registration.objects.confirmed()) == {cilla, dag}
    assert set(Registration.objects.filter(choices__workshop=w1, status="confirmed")) == {
        cilla,
        dag,
    }
    assert not QueueEntry.objects.exists()
    subjects = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)
    assert subjects == [
        (anna.email, "Avbokad"),
        (bo.email, "Avbokad"),
        (cilla.email, "Du har fått plats"),
        (dag.email, "Du har fått plats"),
    ]
    entry = AuditEntry.objects.get(registration=anna, action=Action.CANCELLED)
    assert (entry.actor_kind, entry.actor_name) == ("organiser", organiser.username)
    assert Registration.objects.filter(pk=anna.pk, status="cancelled").exists()  # kept


def test_the_message_says_one_anmalan_in_the_singular(organiser_client, full):
    _, anna, *_ = full
    html = organiser_client.post(CHANGELIST, select(anna), follow=False).content.decode()
    assert "Avboka den här anmälan?" in html
    response = organiser_client.post(CHANGELIST, select(anna, post="yes"), follow=True)
    assert "1 anmälan avbokad." in response.content.decode()


def test_already_cancelled_ones_are_listed_and_left_alone(
    organiser_client, full, django_capture_on_commit_callbacks
):
    _, anna, bo, *_ = full
    services.cancel(registration=anna, notify=False)
    response = organiser_client.post(CHANGELIST, select(anna, bo))
    preview = response.context["preview"]
    assert (preview.cancelling, preview.already_cancelled) == ([bo], [anna])
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(CHANGELIST, select(anna, bo, post="yes"))
    assert AuditEntry.objects.filter(registration=anna, action=Action.CANCELLED).count() == 1
    assert [m.to for m in mail.outbox if "Avbokad" in m.subject] == [[bo.email]]


def test_one_registrations_avboka_confirms_then_cancels(organiser_client, full):
    _, anna, bo, cilla, *_ = full
    response = organiser_client.get(cancel_url(anna))
    assert response.status_code == 200
    assert "Avboka den här anmälan?" in response.content.decode()
    assert Registration.objects.get(pk=anna.pk).is_confirmed
    response = organiser_client.post(cancel_url(anna), follow=True)
    assert "1 anmälan avbokad." in response.content.decode()
    assert not Registration.objects.get(pk=anna.pk).is_confirmed
    assert Registration.objects.filter(pk=cilla.pk, choices__workshop__number=1).exists()


def test_a_superusers_delete_address_becomes_the_cancellation(client, full):
    _, anna, bo, cilla, *_ = full
    client.force_login(User.objects.create_superuser("root", "root@example.se", "x"))
    delete = reverse("admin:registrations_registration_delete", args=[anna.pk])
    response = client.post(delete, {"post": "yes"})
    assert response.status_code == 302 and response.url == cancel_url(anna)
    assert Registration.objects.get(pk=anna.pk).is_confirmed  # nothing deleted, nothing yet
    client.post(cancel_url(anna))
    assert Registration.objects.get(pk=anna.pk).status == "cancelled"
    assert Registration.objects.filter(pk=cilla.pk, choices__workshop__number=1).exists()


def test_staff_cannot_cancel(staff_client, full):
    _, anna, *_ = full
    assert staff_client.get(cancel_url(anna)).status_code == 403
    assert staff_client.post(cancel_url(anna)).status_code == 403
    assert Registration.objects.get(pk=anna.pk).is_confirmed


def test_removing_someone_from_a_queue_is_recorded(organiser_client, organiser, full):
    *_, cilla, dag, w1 = full
    entry = QueueEntry.objects.get(registration=cilla)
    url = reverse("admin:registrations_queueentry_delete", args=[entry.pk])
    assert organiser_client.post(url, {"post": "yes"}).status_code == 302
    assert not QueueEntry.objects.filter(registration=cilla).exists()
    left = AuditEntry.objects.get(registration=cilla, action=Action.LEFT_QUEUE)
    assert left.actor_name == organiser.username and "W1" in left.summary


def test_cancelling_together_moves_nobody_who_is_cancelled_too(
    full, django_capture_on_commit_callbacks
):
    """Cilla stands first in W1's queue: cancelled with Anna, she is not moved into Anna's
    seat (and mailed) first; Dag, next in the queue, gets it."""
    _, anna, bo, cilla, dag, w1 = full
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_many(registrations=[anna, cilla])
    assert Registration.objects.filter(pk=dag.pk, choices__workshop=w1).exists()
    assert sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox) == [
        (anna.email, "Avbokad"),
        (cilla.email, "Avbokad"),
        (dag.email, "Du har fått plats"),
    ]
