"""The organisers' message pages: write a draft, see the count and a preview, send once, see
who got it; and the reminder's status on the overview."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations import services
from registrations.models import Message, MessageRecipient
from tests.conftest import register_people
from workshops.models import Workshop

ADD = reverse("admin:registrations_message_add")
CHANGELIST = reverse("admin:registrations_message_changelist")


def change_url(message):
    return reverse("admin:registrations_message_change", args=[message.pk])


def send_url(message):
    return reverse("admin:registrations_message_send", args=[message.pk])


def w6(event):
    return Workshop.objects.get(event=event, number=6)


def room_moved(event, **extra):
    return {
        "event": event.pk,
        "subject": "W6 har bytt lokal",
        "body": "Hej {namn}!\r\n\r\nW6 är i Hus B, sal 2.\r\n\r\n{program}\r\n\r\n{länk}",
        "audience": "workshops",
        "workshops": [w6(event).pk],
        **extra,
    }


@pytest.fixture
def w6_people(programme):
    people = register_people(programme, 3, index=0)  # in W6
    register_people(programme, 2, start=10, index=1)
    return people


def version_on(page: str) -> str:
    return re.search(r'name="version" value="([^"]+)"', page).group(1)


def test_organiser_tells_w6_the_room_moved_sees_a_preview_and_who_got_it(
    organiser_client, programme, w6_people, django_capture_on_commit_callbacks
):
    response = organiser_client.post(ADD, room_moved(programme))
    assert response.status_code == 302, response.context["adminform"].form.errors
    message = Message.objects.get()
    assert message.body == "Hej {namn}!\n\nW6 är i Hus B, sal 2.\n\n{program}\n\n{länk}"
    assert not message.is_sent

    page = organiser_client.get(change_url(message)).text
    assert "Deltagarna i W6: <strong>3</strong> mottagare." in page
    first = min(w6_people, key=lambda r: r.name)
    assert f"Så här ser mejlet ut för {first.name} ({first.email})" in page
    assert f"Hej {first.name}!" in page  # the text version
    assert f"{programme.slug}.ics" in page  # the attachment the agenda brings
    assert "Skicka till 3 mottagare" in page
    preview = organiser_client.get(
        reverse("admin:registrations_message_preview", args=[message.pk])
    )
    assert preview.status_code == 200
    assert "<strong>W6 Regional utbildnings- och arbetsmarknadsprognos</strong>" in preview.text
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "script-src" not in preview["Content-Security-Policy"]  # default-src 'none'

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = organiser_client.post(send_url(message), {"version": version_on(page)})
    assert sent.url == change_url(message)
    sent = organiser_client.get(sent.url)
    assert "Meddelandet skickas till 3 mottagare." in sent.text
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in w6_people)
    # The kept message: read-only, with who sent it and its delivery.
    assert "3 mottagare: 3 skickade</a>" in sent.text
    assert 'name="subject"' not in sent.text
    assert "organiser" in sent.text
    recipients = organiser_client.get(
        reverse("admin:registrations_messagerecipient_changelist"),
        {"message__id__exact": message.pk},
    ).text
    for person in w6_people:
        assert person.email in recipients
    assert recipients.count("Skickat") >= 3


def test_a_double_click_sends_once(
    organiser_client, programme, w6_people, django_capture_on_commit_callbacks
):
    organiser_client.post(ADD, room_moved(programme))
    message = Message.objects.get()
    version = version_on(organiser_client.get(change_url(message)).text)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(send_url(message), {"version": version})
        second = organiser_client.post(send_url(message), {"version": version}, follow=True)
    assert "Meddelandet var redan skickat. Ingen fick det en gång till." in second.text
    assert len(mail.outbox) == 3
    assert MessageRecipient.objects.count() == 3


def test_an_unknown_placeholder_is_refused_on_the_form(organiser_client, programme):
    response = organiser_client.post(ADD, room_moved(programme, body="Hej {förnamn}!"))
    assert response.status_code == 200
    assert "Okänd platshållare: {förnamn}. Här kan du använda {namn}, {program}, {länk}." in (
        response.text
    )
    assert not Message.objects.exists()


def test_an_english_version_reaches_those_who_registered_in_english(
    organiser_client, programme, w6_people, django_capture_on_commit_callbacks
):
    english_reader = w6_people[1]
    english_reader.language = "en"
    english_reader.save(update_fields=["language"])
    half = organiser_client.post(ADD, room_moved(programme, subject_en="W6 has moved"))
    assert "Skriv både ämne och text på engelska, eller lämna båda tomma." in half.text
    assert not Message.objects.exists()

    english = {"subject_en": "W6 has moved", "body_en": "Hello {namn}! W6 is in B 2.\r\n{länk}"}
    assert organiser_client.post(ADD, room_moved(programme, **english)).status_code == 302
    message = Message.objects.get()
    page = organiser_client.get(change_url(message)).text
    assert "1 av dem anmälde sig på engelska och får ämnet och texten på engelska." in page

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(send_url(message), {"version": version_on(page)})
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects.pop(english_reader.email) == "W6 has moved"
    assert set(subjects.values()) == {"W6 har bytt lokal"}


def test_workshops_must_be_chosen_for_a_message_to_workshops(organiser_client, programme):
    response = organiser_client.post(ADD, room_moved(programme, workshops=[]))
    assert "Välj minst en workshop." in response.text
    assert not Message.objects.exists()


def test_a_draft_edited_after_the_preview_is_not_sent(
    organiser_client, programme, w6_people, django_capture_on_commit_callbacks
):
    organiser_client.post(ADD, room_moved(programme))
    message = Message.objects.get()
    version = version_on(organiser_client.get(change_url(message)).text)
    message.body = "Något annat"
    message.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(send_url(message), {"version": version}, follow=True)
    assert "har ändrats sedan du förhandsgranskade det" in response.text
    assert mail.outbox == []


def test_sending_needs_a_post(organiser_client, programme, w6_people):
    organiser_client.post(ADD, room_moved(programme))
    message = Message.objects.get()
    assert organiser_client.get(send_url(message)).status_code == 405
    message.refresh_from_db()
    assert not message.is_sent


def test_staff_can_neither_see_nor_send_messages(staff_client, programme, w6_people):
    message = Message.objects.create(
        event=programme, subject="Hej", body="Hej", audience="everyone"
    )
    assert staff_client.get(CHANGELIST).status_code == 403
    assert staff_client.post(send_url(message)).status_code == 403
    message.refresh_from_db()
    assert not message.is_sent


def test_the_list_shows_each_message_with_its_recipients_and_delivery(
    organiser_client, organiser, programme, w6_people, django_capture_on_commit_callbacks
):
    message = Message.objects.create(event=programme, subject="Till W6", body="Hej")
    message.workshops.set([w6(programme)])
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(message=message, by=services.Actor.of(organiser))
    Message.objects.create(event=programme, subject="Ett utkast", body="Hej", audience="everyone")
    page = organiser_client.get(CHANGELIST).text
    assert "Till W6" in page and "Deltagarna i W6" in page
    assert "3 mottagare: 3 skickade" in page
    assert "Ett utkast" in page and "Alla bekräftade deltagare" in page


def test_the_overview_says_when_the_reminder_goes_out_and_then_to_how_many(
    organiser_client, programme, w6_people, django_capture_on_commit_callbacks
):
    url = reverse("admin:registrations_overview", args=[programme.slug])
    page = organiser_client.get(url).text
    assert "går ut" in page and "(1 dag före), inte skickad ännu." in page
    day_before = timezone.make_aware(
        datetime.datetime.combine(programme.date - datetime.timedelta(days=1), datetime.time(12))
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(now=day_before)
    page = organiser_client.get(url).text
    assert "till 5 deltagare (5 skickade, 0 misslyckades, 0 väntar)." in page
    reminder = Message.objects.get(kind=Message.Kind.REMINDER)
    assert change_url(reminder) in page
    reminder_page = organiser_client.get(change_url(reminder)).text
    assert "systemet" in reminder_page and "5 mottagare: 5 skickade" in reminder_page

    programme.reminder_days_before = None
    programme.save()
    Message.objects.all().delete()
    assert "av (ställs in på evenemanget)." in organiser_client.get(url).text


def test_the_event_admin_sets_the_reminder(organiser_client, programme):
    page = organiser_client.get(reverse("admin:workshops_event_change", args=[programme.pk])).text
    assert 'name="reminder_days_before"' in page
    assert "Lämna tomt för ingen påminnelse." in page


def test_the_task_list_names_message_tasks(
    organiser_client, organiser, programme, w6_people, database_tasks
):
    message = Message.objects.create(
        event=programme, subject="Hej", body="Hej", audience="everyone"
    )
    services.send_message(message=message, by=services.Actor.of(organiser))
    page = organiser_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert page.text.count("Meddelande till deltagare (se Meddelanden)") == 5
