"""A registration keeps the language its person registered in, and every e-mail to them (and
the .ics inside) is written in it, whatever language the worker that sends it runs in."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from registrations import emails, services
from registrations.calendar import agenda_ics
from registrations.models import Message, Registration
from tests.conftest import register_people
from workshops.models import Workshop

# Words of the Swedish interface that an English e-mail must not hold once the event's own
# content (names, titles, rooms, the contact) is taken out.
SWEDISH_WORDS = re.compile(
    r"\b(Hej|hälsningar|länk|länken|anmälan|anmäld|Lokal|Pass|Påminnelse|avboka|ändra|"
    r"Frågor|Personuppgiftsansvarig|Telefon|E-post|workshoppar|kö|plats|platser|mejl|"
    r"mejlet|och|för|din|ditt|dina|måndag|tisdag|onsdag|torsdag|fredag|januari|februari|"
    r"mars|april|maj|juni|augusti|september|oktober|november|december)\b",
    re.IGNORECASE,
)


def content_of(event) -> list[str]:
    """The event's own texts, in Swedish whatever the reader's language."""
    texts = [event.name, event.venue, event.contact_name, event.contact_email]
    texts += [event.contact_phone, event.controller_name, event.controller_details]
    for workshop in Workshop.objects.filter(event=event).select_related("room"):
        texts += [workshop.title, workshop.room.name]
        texts += [
            f"{wp.presenter.name}, {wp.presenter.organisation}"
            for wp in workshop.ordered_presenters()
        ]
    return sorted(filter(None, texts), key=len, reverse=True)


def swedish_words(text: str, event) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for piece in content_of(event):
        text = text.replace(piece, " ")
    return SWEDISH_WORDS.findall(text)


def assert_in_english(email, event):
    for part in (email.subject, email.body, email.alternatives[0].content):
        assert swedish_words(part, event) == [], part
    assert '<html lang="en">' in email.alternatives[0].content


def registered_in(language, event, count=1, **kwargs):
    with translation.override(language):
        return register_people(event, count, **kwargs)


def test_a_registration_keeps_the_language_it_was_made_in(programme):
    (sven,) = registered_in("sv", programme)
    (emma,) = registered_in("en-gb", programme, start=1)  # a variant is its language

    assert Registration.objects.get(pk=sven.pk).language == "sv"
    assert Registration.objects.get(pk=emma.pk).language == "en"


@pytest.mark.parametrize("kind_name", sorted(emails._kinds()))
def test_every_kind_of_e_mail_is_in_the_persons_language_whatever_the_worker_speaks(
    programme, kind_name
):
    (emma,) = registered_in("en", programme)
    (sven,) = registered_in("sv", programme, start=1)
    mail.outbox.clear()

    with translation.override("sv"):  # the worker's own language
        emails.send(emma, kind_name)
    with translation.override("en"):
        emails.send(sven, kind_name)

    english, swedish = mail.outbox
    assert_in_english(english, programme)
    assert swedish.body.startswith(f"Hej {sven.name}!")
    assert '<html lang="sv">' in swedish.alternatives[0].content


def test_the_calendar_file_is_in_the_persons_language(programme):
    (emma,) = registered_in("en", programme)
    mail.outbox.clear()

    with translation.override("en"):
        ics = agenda_ics(emma).decode()

    unfolded = ics.replace("\r\n ", "")
    descriptions = re.findall(r"^DESCRIPTION:(.*)$", unfolded, flags=re.M)
    assert len(descriptions) == 3
    for description in descriptions:
        assert swedish_words(description.replace("\\n", "\n").replace("\\,", ","), programme) == []


def test_a_participants_own_change_keeps_their_language_up_to_date_an_organisers_does_not(
    programme, organiser
):
    (person,) = registered_in("sv", programme)
    workshops = [c.workshop for c in person.choices.select_related("workshop")]

    with translation.override("en"):
        services.change_choices(registration=person, workshops=workshops, check_window=False)
    assert Registration.objects.get(pk=person.pk).language == "en"

    with translation.override("sv"):
        services.change_choices(
            registration=person,
            workshops=workshops,
            check_window=False,
            by=services.Actor.of(organiser),
        )
    assert Registration.objects.get(pk=person.pk).language == "en"


def message_to_everyone(event, **texts):
    message = Message.objects.create(
        event=event,
        subject="Ny lokal, {namn}",
        body="Hej {namn}! W6 har flyttat.\n\n{program}\n\n{länk}",
        audience=Message.Audience.EVERYONE,
        **texts,
    )
    return message


def test_an_organisers_message_goes_out_in_english_to_those_who_registered_in_english(
    programme, organiser, django_capture_on_commit_callbacks
):
    (emma,) = registered_in("en", programme)
    (sven,) = registered_in("sv", programme, start=1)
    message = message_to_everyone(
        programme,
        subject_en="New room, {namn}",
        body_en="Hello {namn}! W6 has moved.\n\n{program}\n\n{länk}",
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(message=message, by=services.Actor.of(organiser))

    by_address = {m.to[0]: m for m in mail.outbox}
    english, swedish = by_address[emma.email], by_address[sven.email]
    assert english.subject == f"New room, {emma.name}"
    assert english.body.startswith(f"Hello {emma.name}! W6 has moved.")
    assert_in_english(english, programme)
    assert swedish.subject == f"Ny lokal, {sven.name}"
    assert "W6 har flyttat" in swedish.body


def test_without_an_english_version_english_readers_get_the_swedish_text_in_english_dress(
    programme,
):
    (emma,) = registered_in("en", programme)
    message = message_to_everyone(programme)

    email = services.compose(message, emma)

    assert email.subject == f"Ny lokal, {emma.name}"
    assert "W6 har flyttat" in email.body
    assert '<html lang="en">' in email.alternatives[0].content


@pytest.mark.parametrize(
    "texts, field",
    [
        ({"subject_en": "New room"}, "body_en"),
        ({"body_en": "W6 has moved."}, "subject_en"),
        ({"subject_en": "For {name}", "body_en": "Hello"}, "subject_en"),
        ({"subject_en": "New room", "body_en": "{programme}"}, "body_en"),
    ],
)
def test_an_english_version_is_a_subject_and_a_text_with_the_known_placeholders(texts, field):
    texts = {"subject_en": "", "body_en": "", **texts}
    with pytest.raises(services.RegistrationError) as refused:
        services.check_text(subject="Ny lokal", body="W6 har flyttat.", **texts)
    assert refused.value.field == field


def test_the_reminder_is_in_the_persons_language(programme, django_capture_on_commit_callbacks):
    (emma,) = registered_in("en", programme)
    (sven,) = registered_in("sv", programme, start=1)
    mail.outbox.clear()
    noon_the_day_before = timezone.make_aware(
        datetime.datetime.combine(programme.date - datetime.timedelta(days=1), datetime.time(12))
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(now=noon_the_day_before)

    by_address = {m.to[0]: m for m in mail.outbox}
    assert_in_english(by_address[emma.email], programme)
    assert by_address[sven.email].subject.startswith("Påminnelse:")
    # The record organisers read is in Swedish.
    assert Message.objects.get(kind=Message.Kind.REMINDER).subject.startswith("Påminnelse:")
