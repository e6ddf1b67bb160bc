"""An organiser corrects a participant's e-mail address: checked like a new one, the new
address gets a new private link, the old one nothing."""

import pytest
from django.core import mail
from django.urls import reverse

from registrations import services
from registrations.models import AuditEntry, Registration
from tests.conftest import make_event, register_people
from workshops.models import Workshop


@pytest.fixture
def event(db):
    return make_event(slug="contact")


def change_data(registration, **changes):
    data = {"name": registration.name, "organisation": registration.organisation}
    data["email"] = registration.email
    for choice in registration.choices.select_related("slot"):
        data[f"pass_{choice.slot.number}"] = choice.workshop_id
    return {**data, **changes}


def test_the_new_address_gets_a_new_link_and_the_old_one_nothing(
    event, organiser, django_capture_on_commit_callbacks
):
    (anna,) = register_people(event, 1)
    old_token, old_email = anna.token, anna.email
    with django_capture_on_commit_callbacks(execute=True):
        services.correct_email(
            registration=anna, new_email=" anna.ratt@example.se ", by=services.Actor.of(organiser)
        )
    anna.refresh_from_db()
    assert anna.email == "anna.ratt@example.se"
    assert anna.token != old_token
    assert [m.to for m in mail.outbox] == [["anna.ratt@example.se"]]
    body = mail.outbox[0].body
    assert anna.token in body and old_token not in body
    assert "rättat e-postadressen" in body
    assert old_email not in str([m.to for m in mail.outbox])
    entry = AuditEntry.objects.get(registration=anna, action=AuditEntry.Action.EMAIL_CORRECTED)
    assert entry.actor_name == organiser.username
    assert "@" not in entry.summary


def test_an_address_registered_already_is_refused_in_any_case(event, organiser):
    anna, bo = register_people(event, 2)
    with pytest.raises(services.RegistrationError, match="redan anmäld"):
        services.correct_email(
            registration=anna, new_email=bo.email.upper(), by=services.Actor.of(organiser)
        )
    anna.refresh_from_db()
    assert anna.email == "person0@example.se"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EMAIL_CORRECTED).exists()


def test_an_address_the_constraint_takes_for_a_registered_one_is_refused(
    postgres_only, event, organiser
):
    """PostgreSQL's lower() makes "İlse" "ilse", as the unique constraint compares. The check
    the admin form asks before saving (to show it at the field) compares the same way."""
    anna, bo = register_people(event, 2)
    Registration.objects.filter(pk=bo.pk).update(email="ilse@example.se")
    with pytest.raises(services.RegistrationError, match="redan anmäld"):
        services.refuse_if_email_taken(registration=anna, email="İlse@example.se")
    with pytest.raises(services.RegistrationError, match="redan anmäld"):
        services.correct_email(
            registration=anna, new_email="İlse@example.se", by=services.Actor.of(organiser)
        )
    anna.refresh_from_db()
    assert anna.email == "person0@example.se"


def test_a_cancelled_registrations_address_may_be_taken(event, organiser):
    anna, bo = register_people(event, 2)
    services.cancel(registration=bo, notify=False)
    services.correct_email(registration=anna, new_email=bo.email, by=services.Actor.of(organiser))
    assert Registration.objects.get(pk=anna.pk).email == bo.email


def test_only_the_case_changed_keeps_the_link_and_mails_nobody(
    event, organiser, django_capture_on_commit_callbacks
):
    (anna,) = register_people(event, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.correct_email(
            registration=anna, new_email="Person0@Example.se", by=services.Actor.of(organiser)
        )
    assert Registration.objects.get(pk=anna.pk).token == anna.token
    assert mail.outbox == []


def test_the_admin_form_corrects_the_address_through_the_service(
    organiser_client, event, django_capture_on_commit_callbacks
):
    (anna,) = register_people(event, 1)
    url = reverse("admin:registrations_registration_change", args=[anna.pk])
    assert 'name="email"' in organiser_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url, change_data(anna, email="anna@ratt.se"))
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.email == "anna@ratt.se"
    assert [m.to for m in mail.outbox] == [["anna@ratt.se"]]
    assert AuditEntry.objects.filter(
        registration=anna, action=AuditEntry.Action.EMAIL_CORRECTED, actor_kind="organiser"
    ).exists()


def test_the_admin_form_shows_a_taken_address_at_the_field(organiser_client, event):
    anna, bo = register_people(event, 2)
    url = reverse("admin:registrations_registration_change", args=[anna.pk])
    response = organiser_client.post(url, change_data(anna, email=bo.email.upper()))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        # The address as normalised for the check (the domain in lower case).
        "PERSON1@example.se är redan anmäld till evenemanget."
    ]
    assert Registration.objects.get(pk=anna.pk).email == anna.email


def test_an_unchanged_address_is_no_correction(organiser_client, event):
    (anna,) = register_people(event, 1)
    w2 = Workshop.objects.get(event=event, number=2)
    url = reverse("admin:registrations_registration_change", args=[anna.pk])
    organiser_client.post(url, change_data(anna, pass_1=w2.pk))
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EMAIL_CORRECTED).exists()
    assert Registration.objects.get(pk=anna.pk).token == anna.token
