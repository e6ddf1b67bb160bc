"""The registrations admin: lists, and edits that go through the services."""

import pytest
from django.core import mail
from django.urls import reverse

from registrations import services
from registrations.models import Choice, Registration
from tests.conftest import make_event, register_people
from workshops.models import Workshop

CHANGELIST = reverse("admin:registrations_registration_changelist")
ADD = reverse("admin:registrations_registration_add")


def change_url(registration):
    return reverse("admin:registrations_registration_change", args=[registration.pk])


def workshop(event, number):
    return Workshop.objects.get(event=event, number=number)


def passes(event, *numbers):
    return {f"pass_{i}": workshop(event, n).pk for i, n in enumerate(numbers, start=1)}


def add_data(event, *numbers, **extra):
    return {
        "event": event.pk,
        "name": "Anna Admin",
        "email": "anna@example.se",
        "organisation": "Region Test",
        "consent": "on",
        **passes(event, *numbers),
        **extra,
    }


@pytest.fixture
def tiny(db):
    """Three passes of two workshops (W1 W2 | W3 W4 | W5 W6) with one seat each."""
    return make_event(slug="tiny", capacity=1)


def test_list_shows_the_three_workshops_and_marks_cancelled(organiser_client, small_event):
    kept, gone = register_people(small_event, 2)
    services.cancel(registration=gone, notify=False)
    html = organiser_client.get(CHANGELIST).content.decode()
    assert "W1 · W3 · W5" in html
    assert kept.email in html and gone.email in html
    assert '<strong class="reglab-cancelled">Avbokad</strong>' in html


def test_list_searches_name_email_and_organisation(organiser_client, small_event):
    register_people(small_event, 3)
    for term, expected in [('"Person 001"', 1), ("person2@", 1), ('"Organisation 1"', 1)]:
        response = organiser_client.get(CHANGELIST, {"q": term})
        assert response.context["cl"].result_count == expected, term


def test_list_filters_by_workshop_and_pass(organiser_client, small_event):
    register_people(small_event, 2, index=0)
    register_people(small_event, 3, start=10, index=1)
    w2 = workshop(small_event, 2)
    response = organiser_client.get(CHANGELIST, {"choices__workshop__id__exact": w2.pk})
    assert response.context["cl"].result_count == 3
    slot = small_event.slots.get(number=1)
    response = organiser_client.get(CHANGELIST, {"choices__slot__id__exact": slot.pk})
    assert response.context["cl"].result_count == 5


def test_list_takes_the_same_number_of_queries_for_few_and_many(
    organiser_client, django_assert_num_queries
):
    event = make_event(capacity=100)
    register_people(event, 2)
    organiser_client.get(CHANGELIST)
    with django_assert_num_queries(QUERIES) as few:
        organiser_client.get(CHANGELIST)
    register_people(event, 40, start=100)
    with django_assert_num_queries(QUERIES):
        response = organiser_client.get(CHANGELIST)
    assert response.context["cl"].result_count == 42
    assert len(few) == QUERIES


# Session, user, permissions (user's and groups'), the list's counts, rows, choices (one
# prefetch) and the filters' choices (event, workshop, pass).
QUERIES = 11


def test_organiser_adds_a_registration_through_the_services(organiser_client, small_event):
    response = organiser_client.post(ADD, add_data(small_event, 1, 3, 6))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.event == small_event
    assert [c.workshop.number for c in registration.choices.order_by("slot__number")] == [1, 3, 6]
    assert len(mail.outbox) == 0  # queued until commit


def test_the_add_form_starts_with_the_event_when_there_is_only_one(organiser_client, small_event):
    html = organiser_client.get(ADD).content.decode()
    assert f'<option value="{small_event.pk}" selected>' in html
    make_event(slug="another-day")
    html = organiser_client.get(ADD).content.decode()
    assert f'<option value="{small_event.pk}" selected>' not in html


def test_add_refused_when_a_workshop_is_full(organiser_client, tiny):
    register_people(tiny, 1)  # takes W1, W3, W5
    response = organiser_client.post(ADD, add_data(tiny, 2, 4, 5))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "har blivit fullt" in " ".join(form.errors["pass_3"])
    assert Registration.objects.count() == 1
    assert Choice.objects.count() == 3


def test_add_refused_for_a_workshop_under_the_wrong_pass(organiser_client, small_event):
    data = add_data(small_event, 1, 3, 5)
    data["pass_2"] = workshop(small_event, 2).pk  # a pass 1 workshop under pass 2
    response = organiser_client.post(ADD, data)
    assert response.status_code == 200
    assert "pass_2" in response.context["adminform"].form.errors
    assert Registration.objects.count() == 0


def test_add_refused_for_an_address_already_registered(organiser_client, small_event):
    (existing,) = register_people(small_event, 1)
    data = add_data(small_event, 2, 4, 6, email=existing.email.upper())
    response = organiser_client.post(ADD, data)
    assert response.status_code == 200
    assert "redan anmäld" in str(response.context["adminform"].form.errors["email"])
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 0


def test_a_refusal_naming_the_address_is_shown_at_the_address(small_event):
    """Registered meanwhile (between the form's check and the save): the services' verdict
    is shown where the organiser typed the address, as when the form's check found it."""
    from registrations.admin.forms import RegistrationAdminForm

    refused = services.already_registered_error("anna@example.se")
    form = type("Refused", (RegistrationAdminForm,), {"refused": refused})(
        add_data(small_event, 1, 3, 5)
    )
    assert not form.is_valid()
    assert form.errors["email"] == ["anna@example.se är redan anmäld till evenemanget."]


def test_add_over_capacity_only_when_allowed_and_then_recorded(organiser_client, tiny):
    register_people(tiny, 1)
    response = organiser_client.post(ADD, add_data(tiny, 1, 4, 6, allow_over_capacity="on"))
    assert response.status_code == 302
    registration = Registration.objects.get(email="anna@example.se")
    over = {c.workshop.number: c.over_capacity for c in registration.choices.all()}
    assert over == {1: True, 4: False, 6: False}


def test_change_goes_through_the_services_and_refuses_a_full_workshop(
    organiser_client, tiny, django_capture_on_commit_callbacks
):
    (anna,) = register_people(tiny, 1)  # W1 W3 W5
    (bo,) = register_people(tiny, 1, start=1, index=1)  # W2 W4 W6
    data = {
        "name": "Bo Ändrad",
        "email": bo.email,
        "organisation": "Ny org",
        **passes(tiny, 2, 3, 6),
    }
    response = organiser_client.post(change_url(bo), data)
    assert response.status_code == 200
    assert "W3" in str(response.context["adminform"].form.errors["pass_2"])
    bo.refresh_from_db()
    assert bo.name == "Person 001", "nothing half-saved: the name change is rolled back too"
    assert sorted(c.workshop.number for c in bo.choices.all()) == [2, 4, 6]

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(change_url(bo), {**data, "allow_over_capacity": "on"})
    assert response.status_code == 302
    bo.refresh_from_db()
    assert bo.name == "Bo Ändrad" and bo.organisation == "Ny org"
    choices = {c.workshop.number: c.over_capacity for c in bo.choices.all()}
    assert choices == {2: False, 3: True, 6: False}
    assert [m.to for m in mail.outbox] == [[bo.email]]  # told about the change
    assert anna.choices.count() == 3


def test_change_page_shows_choices_read_only_with_the_override(organiser_client, tiny):
    register_people(tiny, 1)
    (over,) = register_people(tiny, 1, start=1, allow_over_capacity=True)
    html = organiser_client.get(change_url(over)).content.decode()
    assert "placerad över platsgränsen" in html
    assert 'name="choices-TOTAL_FORMS"' not in html  # no editable choice rows


def test_cancelled_registration_cannot_be_changed(organiser_client, small_event):
    (gone,) = register_people(small_event, 1)
    services.cancel(registration=gone, notify=False)
    data = {"name": "X", "email": gone.email, "organisation": "Y", **passes(small_event, 2, 4, 6)}
    assert organiser_client.post(change_url(gone), data).status_code == 403
    assert organiser_client.get(change_url(gone)).status_code == 200  # still visible


def test_cancel_action_uses_the_service(organiser_client, small_event):
    people = register_people(small_event, 3)
    response = organiser_client.post(
        CHANGELIST,
        {
            "action": "cancel_selected",
            "_selected_action": [p.pk for p in people[:2]],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {
        people[0].pk: "cancelled",
        people[1].pk: "cancelled",
        people[2].pk: "confirmed",
    }


def test_resend_confirmation_action_mails_confirmed_ones_only(
    organiser_client, small_event, django_capture_on_commit_callbacks
):
    kept, gone = register_people(small_event, 2)
    services.cancel(registration=gone, notify=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            CHANGELIST, {"action": "resend_confirmation", "_selected_action": [kept.pk, gone.pk]}
        )
    assert [m.to for m in mail.outbox] == [[kept.email]]
    assert "Bekräftelse" in mail.outbox[0].subject


def test_the_read_only_page_shows_the_workshops_and_queues_in_swedish(
    client, staff_member, organiser, tiny
):
    (anna,) = register_people(tiny, 1)  # W1 W3 W5, all full now
    (bo,) = register_people(tiny, 1, start=1, index=1)  # W2 W4 W6
    services.join_queue(registration=bo, workshop=workshop(tiny, 3))
    client.force_login(staff_member)
    html = client.get(change_url(bo)).content.decode()
    assert "Pass 1, 09:00–09:45: W2. Workshop 2" in html
    assert "Pass 2: W3 (nummer 1 i kön)" in html
    for english in ("None", "Tillåt över platsgränsen"):
        assert english not in html
    services.cancel(registration=anna, notify=False)
    client.force_login(organiser)
    html = client.get(change_url(anna)).content.decode()
    assert "Pass 3, 11:00–11:45: W5. Workshop 5" in html
    assert "Står inte i kö." in html and "None" not in html


def test_a_walk_in_is_edited_with_only_the_passes_they_came_to(organiser_client, organiser, tiny):
    walk_in = services.add_walk_in(
        event=tiny,
        workshop=workshop(tiny, 3),
        name="Greta",
        organisation="Filmen",
        consent=True,
        by=services.Actor.of(organiser),
    )
    form = organiser_client.get(change_url(walk_in)).context["adminform"].form
    assert [form.fields[f"pass_{n}"].required for n in (1, 2, 3)] == [False, True, False]

    response = organiser_client.post(
        change_url(walk_in),
        {
            "name": "Greta Garbo",
            "email": "",
            "organisation": "Filmen",
            "pass_1": "",
            "pass_2": workshop(tiny, 4).pk,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    walk_in.refresh_from_db()
    assert walk_in.name == "Greta Garbo"
    assert list(walk_in.choices.values_list("workshop__number", flat=True)) == [4]
