"""A new date for the event, or new times for a pass: everyone whose agenda it changes is
told once, with a calendar file that replaces the old one; the admin says how many before
saving. Passes of one event may not overlap."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from registrations import services
from registrations.calendar import agenda_ics
from registrations.models import AuditEntry, Registration
from tests.conftest import make_event, register_people
from workshops.models import Event, TimeSlot

MOVED = AuditEntry.Action.MOVED_BY_PROGRAMME


@pytest.fixture
def event(db):
    """Passes 09:00–09:45, 10:00–10:45, 11:00–11:45; three registered, one cancelled."""
    event = make_event(slug="agenda")
    event.date = datetime.date(2027, 3, 18)
    event.save()
    people = register_people(event, 4)
    services.cancel(registration=people[3], notify=False)
    mail.outbox.clear()
    return event


def confirmed(event):
    return list(Registration.objects.confirmed().filter(event=event).order_by("pk"))


def vevents(registration):
    return Calendar.from_ical(agenda_ics(registration)).walk("VEVENT")


def test_a_new_date_needs_confirmation_then_mails_each_confirmed_person_once(
    event, organiser, django_capture_on_commit_callbacks
):
    anna = confirmed(event)[0]
    before = {str(e["uid"]): int(e["sequence"]) for e in vevents(anna)}
    event.date = datetime.date(2027, 3, 19)
    (problem,) = services.agenda_change_problems(event=event, confirm_notify=False)
    assert problem.field == "notify_participants"
    assert problem.message.startswith("Datum flyttat till 19 mars 2027. Det ändrar programmet")
    assert "för 3 anmälda" in problem.message
    assert problem.confirm_label == "Spara och mejla de 3 anmälda"
    with pytest.raises(services.RegistrationError):
        services.save_agenda(event=event)
    assert Event.objects.get(pk=event.pk).date == datetime.date(2027, 3, 18)

    with django_capture_on_commit_callbacks(execute=True):
        told = services.save_agenda(
            event=event, confirm_notify=True, by=services.Actor.of(organiser)
        )
    assert told == confirmed(event)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in confirmed(event))
    assert all(m.subject == f"Ny tid eller plats: {event.name}" for m in mail.outbox)
    # The attached calendar: same UIDs, a higher SEQUENCE, the new date.
    message = next(m for m in mail.outbox if m.to == [anna.email])
    ics = Calendar.from_ical(message.attachments[0][1])
    after = {str(e["uid"]): int(e["sequence"]) for e in ics.walk("VEVENT")}
    assert after.keys() == before.keys()
    assert all(after[uid] > before[uid] for uid in before)
    assert {e.decoded("dtstart").date() for e in ics.walk("VEVENT")} == {datetime.date(2027, 3, 19)}
    assert "19 mars 2027" in message.body
    entry = AuditEntry.objects.get(registration=anna, action=MOVED)
    assert entry.summary == "Datum flyttat till 19 mars 2027"
    assert entry.actor_name == organiser.username


def test_a_pass_moved_in_time_is_told_with_the_new_times(event, django_capture_on_commit_callbacks):
    slot = event.slots.get(number=1)
    slot.start_time, slot.end_time = datetime.time(9, 15), datetime.time(10, 0)
    later = event.slots.get(number=2)
    later.start_time, later.end_time = datetime.time(10, 15), datetime.time(11, 0)
    with django_capture_on_commit_callbacks(execute=True):
        told = services.save_agenda(event=event, slots=[slot, later], confirm_notify=True)
    assert len(told) == 3
    # One e-mail each, however many passes moved.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in told)
    assert [e.summary for e in AuditEntry.objects.filter(action=MOVED, registration=told[0])] == [
        "Pass 1 flyttat till 09:15–10:00; Pass 2 flyttat till 10:15–11:00"
    ]
    starts = sorted(e.decoded("dtstart").time() for e in vevents(told[0]))
    assert starts == [datetime.time(9, 15), datetime.time(10, 15), datetime.time(11, 0)]


def test_an_edit_that_moves_nothing_mails_nobody_and_asks_nothing(
    event, django_capture_on_commit_callbacks
):
    event.name = "Nytt namn"
    slot = event.slots.get(number=1)
    assert services.agenda_change_problems(event=event, slots=[slot], confirm_notify=False) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.save_agenda(event=event, slots=[slot]) == []
    assert mail.outbox == [] and not AuditEntry.objects.filter(action=MOVED).exists()
    assert Event.objects.get(pk=event.pk).name == "Nytt namn"


def test_overlapping_passes_are_refused_in_swedish(event):
    first = event.slots.get(number=1)
    first.start_time, first.end_time = datetime.time(9, 30), datetime.time(10, 30)
    (problem, *_) = services.agenda_change_problems(event=event, slots=[first], confirm_notify=True)
    assert problem.message == (
        "Pass 1 (09:30–10:30) och Pass 2 (10:00–10:45) överlappar. "
        "Ett pass måste sluta innan nästa börjar."
    )
    with pytest.raises(services.RegistrationError, match="överlappar"):
        services.save_agenda(event=event, slots=[first], confirm_notify=True)
    assert TimeSlot.objects.get(pk=first.pk).start_time == datetime.time(9, 0)


def test_passes_that_all_shift_together_do_not_overlap_each_other(event):
    slots = list(event.slots.order_by("number"))
    for slot in slots:
        slot.start_time = slot.start_time.replace(minute=30)
        slot.end_time = (
            datetime.datetime.combine(event.date, slot.end_time) + datetime.timedelta(minutes=30)
        ).time()
    assert services.pass_overlap_problems(slots) == []
    services.save_agenda(event=event, slots=slots, confirm_notify=True)


# The admin: Event (with its passes inline) and TimeSlot, registered by registrations.admin.


def event_url(event):
    return reverse("admin:workshops_event_change", args=[event.pk])


def event_data(event, **changes):
    slots = list(event.slots.order_by("number"))
    data = {
        "name": event.name,
        "tagline": event.tagline,
        "slug": event.slug,
        "date": event.date.isoformat(),
        "venue": event.venue,
        "introduction": event.introduction,
        "anonymise_after_days": event.anonymise_after_days,
        "reminder_days_before": event.reminder_days_before,
        "registration_opens_0": event.registration_opens.astimezone().date().isoformat(),
        "registration_opens_1": event.registration_opens.astimezone().strftime("%H:%M:%S"),
        "registration_closes_0": event.registration_closes.astimezone().date().isoformat(),
        "registration_closes_1": event.registration_closes.astimezone().strftime("%H:%M:%S"),
        "slots-TOTAL_FORMS": len(slots),
        "slots-INITIAL_FORMS": len(slots),
        "slots-MIN_NUM_FORMS": 0,
        "slots-MAX_NUM_FORMS": 1000,
    }
    for i, slot in enumerate(slots):
        data.update(
            {
                f"slots-{i}-id": slot.pk,
                f"slots-{i}-event": event.pk,
                f"slots-{i}-number": slot.number,
                f"slots-{i}-start_time": slot.start_time.strftime("%H:%M"),
                f"slots-{i}-end_time": slot.end_time.strftime("%H:%M"),
            }
        )
    data.update(changes)
    return data


def test_the_event_form_says_how_many_will_be_told_before_saving(
    organiser_client, event, django_capture_on_commit_callbacks
):
    assert "notify_participants" not in organiser_client.get(event_url(event)).content.decode()
    data = event_data(event, **{"slots-0-start_time": "09:15", "slots-0-end_time": "10:00"})
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(event_url(event), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    (message,) = form.errors["notify_participants"]
    assert message.startswith("Pass 1 flyttat till 09:15–10:00. Det ändrar programmet för 3")
    assert "Spara och mejla de 3 anmälda" in response.content.decode()
    assert TimeSlot.objects.get(event=event, number=1).start_time == datetime.time(9, 0)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(event_url(event), {**data, "notify_participants": "on"})
    assert response.status_code == 302
    assert TimeSlot.objects.get(event=event, number=1).start_time == datetime.time(9, 15)
    assert len(mail.outbox) == 3
    assert AuditEntry.objects.filter(action=MOVED, actor_kind="organiser").count() == 3


def test_the_event_form_refuses_overlapping_passes_in_swedish(organiser_client, event):
    data = event_data(event, **{"slots-0-start_time": "09:30", "slots-0-end_time": "10:30"})
    response = organiser_client.post(event_url(event), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert errors == [
        "Pass 1 (09:30–10:30) och Pass 2 (10:00–10:45) överlappar. "
        "Ett pass måste sluta innan nästa börjar."
    ]


def test_an_event_edit_without_new_times_saves_at_once(organiser_client, event):
    response = organiser_client.post(event_url(event), event_data(event, name="Nytt namn"))
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).name == "Nytt namn"


def test_the_pass_form_asks_too_and_refuses_an_overlap(
    organiser_client, event, django_capture_on_commit_callbacks
):
    slot = event.slots.get(number=2)
    url = reverse("admin:workshops_timeslot_change", args=[slot.pk])
    data = {"number": 2, "start_time": "09:30", "end_time": "10:30"}
    response = organiser_client.post(url, data)
    assert "överlappar" in str(response.context["adminform"].form.errors["start_time"])
    data.update(start_time="10:15", end_time="11:00")
    response = organiser_client.post(url, data)
    assert "Pass 2 flyttat till 10:15–11:00" in str(
        response.context["adminform"].form.errors["notify_participants"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url, {**data, "notify_participants": "on"})
    assert response.status_code == 302
    assert len(mail.outbox) == 3


def test_every_change_of_the_agenda_raises_the_sequence(event):
    anna = confirmed(event)[0]
    sequences = [{int(e["sequence"]) for e in vevents(anna)}]
    w2 = event.workshops.get(number=2)
    services.change_choices(
        registration=anna, workshops=[w2, *[c.workshop for c in anna.choices.exclude(slot=w2.slot)]]
    )
    sequences.append({int(e["sequence"]) for e in vevents(anna)})
    event.venue = "Nya huset"
    services.save_agenda(event=event, confirm_notify=True)
    sequences.append({int(e["sequence"]) for e in vevents(anna)})
    assert sequences == [{0}, {1}, {2}]
