"""Queueing from the registration form and the change form ("Ställ mig i kö")."""

import pytest
from django.core import mail
from django.urls import reverse

from registrations import services
from registrations.models import Choice, QueueEntry, Registration
from tests.conftest import make_event, register_people
from tests.registrations.test_pages import form_data
from tests.registrations.test_queue import workshops_of_pass


@pytest.fixture
def event_with_full_w1(db):
    """Two workshops per pass, one seat each; Anna holds the first of every pass."""
    event = make_event(slug="queue-form", workshops_per_slot=2, capacity=1)
    (anna,) = register_people(event, 1)
    mail.outbox.clear()
    return event, anna


def register_url(event):
    return reverse("registrations:register", args=[event.slug])


def change_url(registration):
    return reverse("registrations:change", args=[registration.token])


def test_form_offers_the_queue_only_for_full_workshops(client, event_with_full_w1):
    event, anna = event_with_full_w1
    w1, w2 = workshops_of_pass(event, 1)
    page = client.get(register_url(event)).content.decode()
    assert f'name="queue_1" id="queue_1-W1" value="{w1.pk}"' in page
    assert '<label class="form-check-label" for="queue_1-W1">Ställ mig i kö till W1</label>' in page
    assert 'id="queue_1-W2"' not in page
    # The full workshop's own radio stays disabled: it cannot be chosen, only queued for.
    assert f'id="pass_1-W1" value="{w1.pk}" disabled' in page


def test_registering_with_a_queue_wish_queues_in_the_same_go(
    client, event_with_full_w1, django_capture_on_commit_callbacks
):
    event, anna = event_with_full_w1
    w1, w2 = workshops_of_pass(event, 1)
    data = form_data(event, index=1, name="Bertil Berg", email="bertil@example.se")
    data["queue_1"] = str(w1.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(event), data)

    assert response.status_code == 302
    bertil = Registration.objects.get(email="bertil@example.se")
    assert Choice.objects.get(registration=bertil, slot__number=1).workshop == w2
    entry = QueueEntry.objects.get()
    assert (entry.registration, entry.workshop) == (bertil, w1)
    thanks = client.get(response["Location"]).content.decode()
    assert "Du bad också att få stå i kö till</h2>" in thanks
    assert "Pass 1: W1 Workshop 1" in thanks
    (message,) = mail.outbox
    assert "Pass 1: plats 1 i kön till W1 Workshop 1" in message.body
    assert "plats 1 i kön till W1 Workshop 1" in message.alternatives[0][0]


def test_thanks_page_without_a_queue_wish_says_nothing_about_queues(client, event_with_full_w1):
    event, anna = event_with_full_w1
    data = form_data(event, index=1, name="Bertil Berg", email="bertil@example.se")
    response = client.post(register_url(event), data, follow=True)
    assert "kö" not in response.content.decode().split("<main")[1].split("</main>")[0]


def test_seat_freed_later_moves_the_person_who_queued_from_the_form(client, event_with_full_w1):
    from registrations import services

    event, anna = event_with_full_w1
    w1, w2 = workshops_of_pass(event, 1)
    data = form_data(event, index=1, name="Bertil Berg", email="bertil@example.se")
    data["queue_1"] = str(w1.pk)
    client.post(register_url(event), data)
    services.cancel(registration=anna)
    bertil = Registration.objects.get(email="bertil@example.se")
    assert Choice.objects.get(registration=bertil, slot__number=1).workshop == w1


def refused(client, url, data):
    """Post and return the page, which must come back (200) with the message at pass 1."""
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="pass_1-error"' in page
    return page.split('id="pass_1-error">')[1].split("</p>")[0]


@pytest.mark.parametrize(
    ("queue_values", "message"),
    [
        (lambda w1, w2, w3: [w2.pk], "Du har redan en plats i W2, så du kan inte köa till den."),
        (
            lambda w1, w2, w3: ["abc"],
            "Välj en av de fulla workshopparna under Pass 1 att köa till.",
        ),
        (
            lambda w1, w2, w3: [999999],
            "Välj en av de fulla workshopparna under Pass 1 att köa till.",
        ),
        (
            lambda w1, w2, w3: [w3.pk],
            "Välj en av de fulla workshopparna under Pass 1 att köa till.",
        ),
    ],
    ids=["own-workshop", "not-a-number", "unknown-id", "workshop-of-another-pass"],
)
def test_bad_queue_wish_on_the_form_is_refused_at_the_pass_and_saves_nothing(
    client, event_with_full_w1, queue_values, message
):
    event, anna = event_with_full_w1
    w1, w2 = workshops_of_pass(event, 1)
    w3 = workshops_of_pass(event, 2)[0]
    data = form_data(event, index=1, name="Bertil Berg", email="bertil@example.se")
    data["queue_1"] = [str(v) for v in queue_values(w1, w2, w3)]
    assert message in refused(client, register_url(event), data)
    assert Registration.objects.count() == 1
    assert not QueueEntry.objects.exists()
    assert mail.outbox == []


def test_queue_for_a_workshop_with_free_seats_is_refused_at_the_pass(client, db):
    event = make_event(slug="roomy-form", capacity=5)
    w1, w2 = workshops_of_pass(event, 1)
    data = form_data(event, index=1, queue_1=str(w1.pk))
    message = refused(client, register_url(event), data)
    assert "W1 har lediga platser: välj den i stället för att köa." in message
    assert not Registration.objects.exists()


@pytest.fixture
def two_queues_ticked(db):
    """W1 and W2 of pass 1 are full; Cecilia picks W3 and ticks the queue of both."""
    event = make_event(slug="two-full", workshops_per_slot=3, capacity=1)
    register_people(event, 1, index=0)
    register_people(event, 1, start=1, index=1)
    w1, w2, w3 = workshops_of_pass(event, 1)
    data = form_data(event, index=2, name="Cecilia", email="cecilia@example.se")
    data["queue_1"] = [str(w1.pk), str(w2.pk)]
    return event, data


def test_two_queues_in_one_pass_are_refused_and_nothing_is_saved(client, two_queues_ticked):
    event, data = two_queues_ticked
    message = refused(client, register_url(event), data)
    assert "Du kan stå i kö till en workshop per pass. Välj bara en under Pass 1." in message
    assert Registration.objects.count() == 2
    assert not QueueEntry.objects.exists()


def test_two_queues_in_one_pass_are_reported_with_the_other_mistakes(client, two_queues_ticked):
    """Not only once everything else is right: the person fixes all at once."""
    event, data = two_queues_ticked
    data["name"] = ""
    page = client.post(register_url(event), data).content.decode()
    assert "Skriv ditt namn." in page
    assert "Du kan stå i kö till en workshop per pass. Välj bara en under Pass 1." in page
    assert Registration.objects.count() == 2


def test_refused_form_keeps_the_ticked_queue(client, event_with_full_w1):
    event, anna = event_with_full_w1
    w1, w2 = workshops_of_pass(event, 1)
    data = form_data(event, index=1, name="", email="bertil@example.se")
    data["queue_1"] = str(w1.pk)
    page = client.post(register_url(event), data).content.decode()
    assert f'id="queue_1-W1" value="{w1.pk}" checked' in page
    assert not QueueEntry.objects.exists()


@pytest.fixture
def bertil_in_w2(client, event_with_full_w1):
    """Bertil holds the second workshop of every pass, so W1 and W2 of pass 1 are full."""
    event, anna = event_with_full_w1
    (bertil,) = register_people(event, 1, start=1, index=1)
    mail.outbox.clear()
    return event, anna, bertil


def change_data(event, registration, **queues):
    data = {"name": registration.name, "organisation": registration.organisation}
    for choice in registration.choices.select_related("slot"):
        data[f"pass_{choice.slot.number}"] = str(choice.workshop_id)
    data.update(queues)
    return data


def test_change_form_queues_keeps_and_leaves(client, bertil_in_w2):
    event, anna, bertil = bertil_in_w2
    w1, w2 = workshops_of_pass(event, 1)
    w3, w4 = workshops_of_pass(event, 2)

    # Join from the change form.
    response = client.post(
        change_url(bertil), change_data(event, bertil, queue_1=str(w1.pk)), follow=True
    )
    page = response.content.decode()
    assert "Din anmälan är sparad." in page and "Vi har mejlat" not in page
    assert "Pass 1: plats 1 i kön till W1" in page
    entry = QueueEntry.objects.get()
    assert (entry.registration, entry.workshop) == (bertil, w1)

    # The form shows it ticked; sending it again keeps the same place.
    page = client.get(change_url(bertil)).content.decode()
    assert f'id="queue_1-W1" value="{w1.pk}" checked' in page
    client.post(
        change_url(bertil), change_data(event, bertil, queue_1=str(w1.pk), queue_2=str(w3.pk))
    )
    assert QueueEntry.objects.get(slot__number=1).pk == entry.pk
    assert QueueEntry.objects.get(slot__number=2).workshop == w3

    # Unticking leaves that queue only.
    client.post(change_url(bertil), change_data(event, bertil, queue_2=str(w3.pk)))
    assert list(QueueEntry.objects.values_list("workshop", flat=True)) == [w3.pk]


def test_change_form_refuses_a_queue_for_ones_own_workshop_and_changes_nothing(
    client, bertil_in_w2
):
    event, anna, bertil = bertil_in_w2
    w1, w2 = workshops_of_pass(event, 1)
    w3, w4 = workshops_of_pass(event, 2)
    # Bertil moves pass 2 to... nowhere new, renames himself, and (tampered) queues for W2,
    # which he holds: nothing of it may be saved.
    data = change_data(event, bertil, queue_1=str(w2.pk))
    data["name"] = "Bertil Nytt Namn"
    assert "Du har redan en plats i W2" in refused(client, change_url(bertil), data)
    bertil.refresh_from_db()
    assert bertil.name != "Bertil Nytt Namn"
    assert not QueueEntry.objects.exists()


def test_change_form_keeps_an_overbooked_workshop_selectable(client, bertil_in_w2):
    """An organiser lowered W2's seats below those registered: Bertil may still keep it."""
    event, anna, bertil = bertil_in_w2
    w1, w2 = workshops_of_pass(event, 1)
    w2.capacity = 0
    w2.save()
    page = client.get(change_url(bertil)).content.decode()
    assert f'id="pass_1-W2" value="{w2.pk}" checked aria-describedby' in page
    assert 'id="queue_1-W2"' not in page
    response = client.post(change_url(bertil), change_data(event, bertil, name="Bertil B"))
    assert response.status_code == 302


def test_change_form_shows_the_place_in_each_queue(client, bertil_in_w2):
    event, anna, bertil = bertil_in_w2
    w1, w2 = workshops_of_pass(event, 1)
    # Cecilia gets second seats beside Bertil and queues for W1 first; Bertil queues after her.
    event.workshops.exclude(pk=w1.pk).update(capacity=2)
    (cecilia,) = register_people(event, 1, start=2, index=1)
    services.join_queue(registration=cecilia, workshop=w1)
    services.join_queue(registration=bertil, workshop=w1)

    page = client.get(change_url(bertil)).content.decode()
    assert "(du står som nummer 2 i kön)" in page
    assert "(du står som nummer 1 i kön)" in client.get(change_url(cecilia)).content.decode()
    # Only on the workshop one queues for.
    assert page.count("du står som nummer") == 1
