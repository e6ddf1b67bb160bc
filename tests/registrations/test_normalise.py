"""One mailbox is one person, and names cannot carry line breaks or reversed text: the
normaliser (registrations.normalise) as the site's form, the admin and the services use it."""

import pytest
from django.urls import reverse

from registrations import services
from registrations.models import Registration
from registrations.normalise import has_bad_characters, normalise_email
from tests.conftest import make_event
from workshops.models import Workshop

NAME_MESSAGE = "Namnet innehåller otillåtna tecken"
ORGANISATION_MESSAGE = "Organisationen innehåller otillåtna tecken"


@pytest.mark.parametrize(
    "typed",
    [
        "dup@example.org",
        "dup@ｅxample.org",  # fullwidth e
        "dup@exam\u00adple.org",  # soft hyphen
        "dup@exa\u200bmple.org",  # zero-width space
        "\u200ddup@example.org\ufeff",  # zero-width joiner, byte order mark
        " dup@EXAMPLE.Org ",
        "ｄｕｐ@example.org",  # fullwidth local part
    ],
)
def test_every_spelling_of_one_mailbox_normalises_to_it(typed):
    assert normalise_email(typed) == "dup@example.org"


def test_the_local_part_keeps_its_case():
    assert normalise_email("Anna.Berg@Region.SE") == "Anna.Berg@region.se"


@pytest.mark.parametrize(
    "text, bad",
    [
        ("Åsa Öberg-Ek", False),
        ("Anna\nBerg", True),
        ("Anna\rBerg", True),
        ("Anna\tBerg", True),
        ("Anna\x00", True),
        ("Anna\x85", True),  # C1 next line
        ("Region \u202eHalland", True),  # right-to-left override
        ("\u2066Anna\u2069", True),  # isolates
        ("\u202aAnna", True),
        ("Anna \u200fBerg", False),  # a right-to-left mark is not an override
    ],
)
def test_control_and_bidi_override_characters_are_bad(text, bad):
    assert has_bad_characters(text) is bad


@pytest.fixture
def event(db):
    return make_event(slug="norm")


def first_of_each_pass(event):
    return [s.workshops.order_by("number").first() for s in event.slots.order_by("number")]


def register(event, *, email="dup@example.org", name="Anna", organisation="Org"):
    return services.register(
        event=event,
        name=name,
        email=email,
        organisation=organisation,
        consent=True,
        workshops=first_of_each_pass(event),
    )


def test_the_services_store_the_normalised_address_and_find_the_person_by_it(event):
    first = register(event, email="dup@exam\u00adple.org")
    assert first.created and first.registration.email == "dup@example.org"
    again = register(event, email="dup@ｅxample.org")
    assert not again.created and again.registration.pk == first.registration.pk
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    "field, message",
    [("name", NAME_MESSAGE), ("organisation", ORGANISATION_MESSAGE)],
)
def test_the_services_refuse_bad_characters_in_names_and_organisations(event, field, message):
    with pytest.raises(services.RegistrationError) as error:
        register(event, **{field: "Anna\r\nBcc: x@example.org"})
    assert message in error.value.message and error.value.field == field
    registration = register(event).registration
    with pytest.raises(services.RegistrationError):
        services.change_choices(
            registration=registration,
            workshops=first_of_each_pass(event),
            **{field: "Anna \u202eBerg"},
        )
    registration.refresh_from_db()
    assert (registration.name, registration.organisation) == ("Anna", "Org")


def site_form(event, **changes):
    data = {"name": "Anna", "email": "anna@example.org", "organisation": "Org", "consent": "on"}
    for slot in event.slots.order_by("number"):
        data[f"pass_{slot.number}"] = str(slot.workshops.order_by("number").first().pk)
    return data | changes


def test_the_form_refuses_a_line_break_in_the_name_in_swedish_and_keeps_the_rest(client, event):
    url = reverse("registrations:register", args=[event.slug])
    response = client.post(url, site_form(event, name="Anna\nBerg", organisation="Reg\u202eion"))
    page = response.content.decode()
    assert response.status_code == 200
    assert NAME_MESSAGE in page and ORGANISATION_MESSAGE in page
    assert 'value="anna@example.org"' in page
    assert Registration.objects.count() == 0


def test_the_form_stores_the_normalised_address(client, event):
    url = reverse("registrations:register", args=[event.slug])
    assert client.post(url, site_form(event, email="Anna@ＥXAMPLE.org")).status_code == 302
    assert Registration.objects.get().email == "Anna@example.org"


def test_the_change_form_refuses_bad_characters_too(client, event):
    registration = register(event).registration
    url = reverse("registrations:change", args=[registration.token])
    data = site_form(event, organisation="Org\r\nX")
    response = client.post(url, data)
    assert ORGANISATION_MESSAGE in response.content.decode()
    registration.refresh_from_db()
    assert registration.organisation == "Org"


def test_the_admin_normalises_and_refuses_like_the_site(organiser_client, event):
    add = reverse("admin:registrations_registration_add")
    register(event, email="dup@example.org")
    data = {
        "event": event.pk,
        "name": "Anna Admin",
        "email": "dup@exam\u00adple.org",
        "organisation": "Org",
        "consent": "on",
        **{
            f"pass_{w.slot.number}": w.pk
            for w in Workshop.objects.filter(event=event).order_by("number")[::2]
        },
    }
    page = organiser_client.post(add, data).content.decode()
    assert "dup@example.org är redan anmäld" in page
    page = organiser_client.post(add, data | {"email": "ny@example.org", "name": "A\nB"}).content
    assert NAME_MESSAGE in page.decode()
    assert Registration.objects.count() == 1
