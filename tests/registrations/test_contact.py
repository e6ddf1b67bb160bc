"""The event's contact and data controller: on the private page, the privacy page and in every
e-mail's footer; replies to every e-mail go to the contact."""

import json
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.urls import reverse

from registrations import emails
from tests.conftest import make_event, register_people
from workshops.models import Event

CONTACT = {
    "contact_name": "Karin Kontaktsson",
    "contact_email": "karin@arrangor.example",
    "contact_phone": "+46 8-123 45 67",
    "controller_name": "Reglab ideell förening",
    "controller_details": "Box 1, 111 11 Stockholm\nOrganisationsnummer 802000-0000",
}
KINDS = list(emails._kinds())


@pytest.fixture
def event(db):
    event = make_event(slug="kontakt")
    Event.objects.filter(pk=event.pk).update(**CONTACT)
    event.refresh_from_db()
    return event


@pytest.fixture
def person(event):
    (person,) = register_people(event, 1)
    return person


def sent(person, kind, mailoutbox):
    mailoutbox.clear()
    emails.send(person, kind)
    (message,) = mailoutbox
    return message


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_email_ends_with_the_contact_and_the_data_controller(
    person, kind, mailoutbox
):
    message = sent(person, kind, mailoutbox)
    html = message.alternatives[0].content
    privacy = "http://testserver" + reverse("event_privacy", args=[person.event.slug])
    for body in (message.body, html):
        footer = body[body.index("Vänliga hälsningar") :]
        assert "Svara på det här mejlet" in footer
        for value in ("Karin Kontaktsson", "karin@arrangor.example", "+46 8-123 45 67"):
            assert value in footer
        assert "Personuppgiftsansvarig: Reglab ideell förening" in footer
        assert "Box 1, 111 11 Stockholm" in footer and "802000-0000" in footer
    assert privacy in message.body
    assert f'href="{privacy}"' in html
    assert 'href="mailto:karin@arrangor.example"' in html


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_email_is_answered_to_the_contact_and_sent_from_the_site(
    person, kind, mailoutbox, settings
):
    message = sent(person, kind, mailoutbox)
    parsed = message_from_bytes(message.message().as_bytes())
    assert str(make_header(decode_header(parsed["Reply-To"]))) == (
        "Karin Kontaktsson <karin@arrangor.example>"
    )
    assert parsed["From"] == settings.DEFAULT_FROM_EMAIL


def test_an_event_without_a_contact_mails_without_reply_to_or_empty_lines(db, mailoutbox, settings):
    (person,) = register_people(make_event(slug="utan-kontakt"), 1)
    message = sent(person, "confirmation", mailoutbox)
    assert message.reply_to == []
    assert "Reply-To" not in message.message()
    assert "Svara på det här mejlet" not in message.body
    assert "Personuppgiftsansvarig" not in message.body
    assert "Så hanterar vi dina personuppgifter" in message.body


def test_the_private_page_shows_the_contact_with_links(client, person):
    html = client.get(reverse("registrations:private", args=[person.token])).content.decode()
    assert "Frågor om din anmälan?" in html
    assert "Karin Kontaktsson" in html
    assert '<a href="mailto:karin@arrangor.example">karin@arrangor.example</a>' in html
    assert '<a href="tel:+4681234567">+46 8-123 45 67</a>' in html
    assert reverse("event_privacy", args=[person.event.slug]) in html


def test_the_private_page_of_an_event_without_a_contact_has_no_empty_box(client, db):
    (person,) = register_people(make_event(slug="utan-kontakt"), 1)
    html = client.get(reverse("registrations:private", args=[person.token])).content.decode()
    assert "Frågor om din anmälan?" not in html and "<address" not in html


@pytest.mark.parametrize("url", ["privacy", "event_privacy"])
def test_the_privacy_page_names_the_data_controller_and_the_contact(client, event, url):
    path = reverse(url, args=[event.slug] if url == "event_privacy" else [])
    html = client.get(path).content.decode()
    assert "Personuppgiftsansvarig för anmälningarna till Event kontakt" in html
    assert "Reglab ideell förening" in html
    assert "Box 1, 111 11 Stockholm<br>Organisationsnummer 802000-0000" in html
    assert "Karin Kontaktsson" in html and "mailto:karin@arrangor.example" in html
    assert "Kontakta Reglab om du vill det" not in html


def test_the_privacy_page_of_one_event_is_that_events(client, event):
    other = make_event(slug="annat")
    Event.objects.filter(pk=other.pk).update(controller_name="Annan ansvarig")
    html = client.get(reverse("event_privacy", args=["annat"])).content.decode()
    assert "Annan ansvarig" in html and "Reglab ideell förening" not in html
    assert client.get(reverse("event_privacy", args=["finns-inte"])).status_code == 404


@pytest.mark.django_db
def test_the_privacy_page_without_any_event_still_answers(client):
    html = client.get(reverse("privacy")).content.decode()
    assert "Så hanterar vi dina personuppgifter" in html
    assert "Kontakta Reglab om du vill det" in html


def test_the_fixture_has_a_contact_and_controller_marked_as_samples():
    """The printed programme names no contact: the fixture's are made up, and say so."""
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "utsikt_ar_insikt.json"
    objects = json.loads(fixture.read_text(encoding="utf-8"))
    (event,) = [o["fields"] for o in objects if o["model"] == "workshops.event"]
    for field in ("contact_name", "contact_phone", "controller_name", "controller_details"):
        assert event[field].startswith("Exempel: "), field
    assert event["contact_email"].endswith("@example.org")  # a domain reserved for examples
