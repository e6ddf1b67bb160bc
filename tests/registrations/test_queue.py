"""The waiting list: queueing for a full workshop and being moved in when a seat frees up."""

import pytest
from django.core import mail
from django.urls import reverse

from registrations import selectors, services
from registrations.models import Choice, QueueEntry
from registrations.services import RegistrationError
from tests.conftest import make_event, register_people
from workshops.models import Workshop


def workshops_of_pass(event, number):
    return list(Workshop.objects.filter(event=event, slot__number=number).order_by("number"))


def workshop_in_pass(registration, number):
    return Choice.objects.get(registration=registration, slot__number=number).workshop


@pytest.fixture
def full_event(db):
    """Three passes of three workshops (capacity 1), each person in workshop `index`."""
    event = make_event(slug="queue", workshops_per_slot=3, capacity=1)
    people = [register_people(event, 1, start=i, index=i)[0] for i in range(3)]
    return event, people


def test_cannot_queue_for_a_workshop_with_free_seats(db):
    event = make_event(slug="free", capacity=2)
    (anna,) = register_people(event, 1)
    other = workshops_of_pass(event, 1)[1]
    with pytest.raises(RegistrationError, match="lediga platser"):
        services.join_queue(registration=anna, workshop=other)
    assert not QueueEntry.objects.exists()


def test_cannot_queue_for_ones_own_workshop(full_event):
    event, (anna, *_) = full_event
    with pytest.raises(RegistrationError, match="redan en plats"):
        services.join_queue(registration=anna, workshop=workshop_in_pass(anna, 1))


def test_one_queue_per_pass(full_event):
    event, (anna, *_) = full_event
    w1, w2, w3 = workshops_of_pass(event, 1)
    services.join_queue(registration=anna, workshop=w2)
    with pytest.raises(RegistrationError, match="redan i kö"):
        services.join_queue(registration=anna, workshop=w3)
    assert QueueEntry.objects.get().workshop == w2


def test_a_chain_of_three_swaps_from_one_freed_seat(db, django_capture_on_commit_callbacks):
    event = make_event(slug="chain", workshops_per_slot=4, capacity=1)
    people = [register_people(event, 1, start=i, index=i)[0] for i in range(4)]
    w1, w2, w3, w4 = workshops_of_pass(event, 1)
    # Person 1 (in W2) queues for W1, person 2 (W3) for W2, person 3 (W4) for W3.
    for person, wanted in zip(people[1:], [w1, w2, w3], strict=True):
        services.join_queue(registration=person, workshop=wanted)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration=people[0], notify=False)

    assert [workshop_in_pass(p, 1) for p in people[1:]] == [w1, w2, w3]
    assert Choice.objects.filter(workshop=w4, registration__status="confirmed").count() == 0
    assert not QueueEntry.objects.exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[1:])
    assert all(m.attachments for m in mail.outbox)


def test_freed_seat_with_an_empty_queue_stays_free(full_event, django_capture_on_commit_callbacks):
    event, (anna, bertil, cecilia) = full_event
    w1, _, _ = workshops_of_pass(event, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration=anna)
    assert selectors.seats_taken([w1.pk]) == {}
    assert len(mail.outbox) == 1


def test_queued_person_who_cancelled_is_skipped(full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, w2, w3 = workshops_of_pass(event, 1)
    services.join_queue(registration=bertil, workshop=w1)
    services.join_queue(registration=cecilia, workshop=w1)
    services.cancel(registration=bertil)
    services.cancel(registration=anna)
    assert workshop_in_pass(cecilia, 1) == w1
    assert not QueueEntry.objects.exists()
    assert selectors.seats_taken([w1.pk, w2.pk, w3.pk]) == {w1.pk: 1}


def test_queue_is_first_come_first_served(full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, _, _ = workshops_of_pass(event, 1)
    services.join_queue(registration=cecilia, workshop=w1)
    services.join_queue(registration=bertil, workshop=w1)
    services.cancel(registration=anna)
    assert workshop_in_pass(cecilia, 1) == w1
    assert QueueEntry.objects.get().registration == bertil


def test_moved_to_front_goes_first(full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, _, _ = workshops_of_pass(event, 1)
    services.join_queue(registration=cecilia, workshop=w1)
    later = services.join_queue(registration=bertil, workshop=w1)
    services.move_to_front(entries=[later])
    services.cancel(registration=anna)
    assert workshop_in_pass(bertil, 1) == w1


def test_changing_away_frees_the_seat_for_the_queue(full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, w2, w3 = workshops_of_pass(event, 1)
    w1.capacity = 2
    w1.save()
    services.join_queue(registration=cecilia, workshop=w2)
    # Bertil leaves W2 for W1 (which has room): Cecilia takes his seat in W2.
    others = [workshop_in_pass(bertil, n) for n in (2, 3)]
    services.change_choices(registration=bertil, workshops=[w1, *others], check_window=False)
    assert workshop_in_pass(cecilia, 1) == w2
    assert selectors.seats_taken([w3.pk]) == {}


def test_choosing_the_queued_workshop_ends_the_wait(full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, w2, w3 = workshops_of_pass(event, 1)
    services.join_queue(registration=bertil, workshop=w3)
    w3.capacity = 2
    w3.save()
    others = [workshop_in_pass(bertil, n) for n in (2, 3)]
    services.change_choices(registration=bertil, workshops=[w3, *others], check_window=False)
    assert not QueueEntry.objects.exists()


def test_leave_queue(full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, _, _ = workshops_of_pass(event, 1)
    services.join_queue(registration=bertil, workshop=w1)
    services.leave_queue(registration=bertil, slot=w1.slot)
    services.cancel(registration=anna)
    assert workshop_in_pass(bertil, 1) != w1
    assert selectors.seats_taken([w1.pk]) == {}


def test_raising_capacity_moves_the_queue_in(full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, _, _ = workshops_of_pass(event, 1)
    services.join_queue(registration=bertil, workshop=w1)
    services.join_queue(registration=cecilia, workshop=w1)
    w1.capacity = 3
    services.save_workshop(workshop=w1)
    assert workshop_in_pass(bertil, 1) == w1 and workshop_in_pass(cecilia, 1) == w1
    assert selectors.seats_taken([w1.pk]) == {w1.pk: 3}


def private_url(registration):
    return reverse("registrations:private", args=[registration.token])


def test_private_page_offers_the_queue_for_full_workshops(client, full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, w2, w3 = workshops_of_pass(event, 1)
    page = client.get(private_url(anna)).content.decode()
    assert "Ställ mig i kö" in page
    assert f'<option value="{w2.pk}">' in page and f'<option value="{w1.pk}">' not in page

    response = client.post(
        reverse("registrations:join_queue", args=[anna.token]), {"workshop": w2.pk}
    )
    assert response.status_code == 302
    client.post(reverse("registrations:join_queue", args=[bertil.token]), {"workshop": w3.pk})
    client.post(reverse("registrations:join_queue", args=[cecilia.token]), {"workshop": w2.pk})
    page = client.get(private_url(cecilia)).content.decode()
    assert "Pass 1: plats 2 i kön till W2" in page

    client.post(reverse("registrations:leave_queue", args=[anna.token, 1]))
    page = client.get(private_url(cecilia)).content.decode()
    assert "Pass 1: plats 1 i kön till W2" in page
    assert QueueEntry.objects.filter(registration=anna).count() == 0


def test_joining_a_workshop_with_free_seats_shows_the_services_message(client, db):
    event = make_event(slug="roomy", capacity=5)
    (anna,) = register_people(event, 1)
    w2 = workshops_of_pass(event, 1)[1]
    response = client.post(
        reverse("registrations:join_queue", args=[anna.token]), {"workshop": w2.pk}, follow=True
    )
    assert "har lediga platser" in response.content.decode()
    assert not QueueEntry.objects.exists()


def test_queue_pages_answer_only_post(client, full_event):
    event, (anna, *_) = full_event
    assert client.get(reverse("registrations:join_queue", args=[anna.token])).status_code == 405
    assert client.get(reverse("registrations:leave_queue", args=[anna.token, 1])).status_code == 405


def test_admin_lists_the_queue_in_order_and_moves_someone_first(organiser_client, full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, _, _ = workshops_of_pass(event, 1)
    services.join_queue(registration=bertil, workshop=w1)
    later = services.join_queue(registration=cecilia, workshop=w1)
    url = reverse("admin:registrations_queueentry_changelist")
    page = organiser_client.get(url).content.decode()
    assert page.index(bertil.name) < page.index(cecilia.name)

    organiser_client.post(url, {"action": "move_to_front", "_selected_action": [later.pk]})
    later.refresh_from_db()
    assert later.moved_to_front_at is not None
    page = organiser_client.get(url).content.decode()
    assert page.index(cecilia.name) < page.index(bertil.name)
    services.cancel(registration=anna)
    assert workshop_in_pass(cecilia, 1) == w1


def test_admin_removes_someone_from_the_queue(organiser_client, full_event):
    event, (anna, bertil, cecilia) = full_event
    entry = services.join_queue(registration=bertil, workshop=workshops_of_pass(event, 1)[0])
    url = reverse("admin:registrations_queueentry_changelist")
    organiser_client.post(
        url, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert not QueueEntry.objects.exists()


def test_workshop_list_shows_queue_lengths(organiser_client, full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, _, _ = workshops_of_pass(event, 1)
    services.join_queue(registration=bertil, workshop=w1)
    services.join_queue(registration=cecilia, workshop=w1)
    page = organiser_client.get(reverse("admin:workshops_workshop_changelist")).content.decode()
    assert '<td class="field-queue_length_display">2</td>' in page


def test_organiser_raising_capacity_in_the_admin_moves_the_queue_in(organiser_client, full_event):
    event, (anna, bertil, cecilia) = full_event
    w1, _, _ = workshops_of_pass(event, 1)
    services.join_queue(registration=bertil, workshop=w1)
    page = organiser_client.get(reverse("admin:workshops_workshop_change", args=[w1.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "event": event.pk,
            "slot": w1.slot_id,
            "room": w1.room_id,
            "capacity": 2,
            "workshop_presenters-TOTAL_FORMS": 0,
            "workshop_presenters-INITIAL_FORMS": 0,
        }
    )
    response = organiser_client.post(reverse("admin:workshops_workshop_change", args=[w1.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert workshop_in_pass(bertil, 1) == w1


def test_one_email_for_a_person_moved_in_two_passes(full_event, django_capture_on_commit_callbacks):
    event, (anna, bertil, cecilia) = full_event
    services.join_queue(registration=bertil, workshop=workshops_of_pass(event, 1)[0])
    services.join_queue(registration=bertil, workshop=workshops_of_pass(event, 2)[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration=anna, notify=False)
    assert workshop_in_pass(bertil, 2) == workshops_of_pass(event, 2)[0]
    assert [m.to[0] for m in mail.outbox] == [bertil.email]


def test_person_whose_change_starts_a_chain_that_moves_them_gets_one_email(
    full_event, django_capture_on_commit_callbacks
):
    """Anna (W1) queues for W3, Cecilia (W3) for W1. Anna changes to W2: Cecilia takes W1,
    which frees W3 for Anna. Anna gets one e-mail about her change and the move, not two."""
    event, (anna, bertil, cecilia) = full_event
    w1, w2, w3 = workshops_of_pass(event, 1)
    w2.capacity = 2
    w2.save()
    services.join_queue(registration=anna, workshop=w3)
    services.join_queue(registration=cecilia, workshop=w1)
    mail.outbox.clear()
    others = [workshop_in_pass(anna, n) for n in (2, 3)]

    with django_capture_on_commit_callbacks(execute=True):
        services.change_choices(registration=anna, workshops=[w2, *others], check_window=False)

    assert workshop_in_pass(anna, 1) == w3 and workshop_in_pass(cecilia, 1) == w1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([anna.email, cecilia.email])
    (to_anna,) = [m for m in mail.outbox if m.to == [anna.email]]
    assert to_anna.subject.startswith("Ändrad anmälan")
    assert "flyttad dit" in to_anna.body and "W3 Workshop 3" in to_anna.body
    (to_cecilia,) = [m for m in mail.outbox if m.to == [cecilia.email]]
    assert to_cecilia.subject.startswith("Du har fått plats")


def test_a_change_that_moves_nobody_sends_the_plain_changed_email(
    full_event, django_capture_on_commit_callbacks
):
    event, (anna, bertil, cecilia) = full_event
    w1, w2, w3 = workshops_of_pass(event, 1)
    w2.capacity = 2
    w2.save()
    mail.outbox.clear()
    others = [workshop_in_pass(anna, n) for n in (2, 3)]
    with django_capture_on_commit_callbacks(execute=True):
        services.change_choices(registration=anna, workshops=[w2, *others], check_window=False)
    (message,) = mail.outbox
    assert message.subject.startswith("Ändrad anmälan") and "flyttad dit" not in message.body
