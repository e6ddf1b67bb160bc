"""A participant's agenda as an iCalendar file: one event per pass, in Stockholm time."""

import hashlib

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .models import Registration
from .selectors import agenda, calendar_sequence


def agenda_ics(registration: Registration, choices=None) -> bytes:
    choices = agenda(registration) if choices is None else choices
    event = registration.event
    calendar = Calendar()
    calendar.add("prodid", "-//Reglab//reglab//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", event.name_text)
    # The UID must stay the same when the person changes workshops, so calendars update the
    # entry in place; it is derived from the token by a one-way hash, so it reveals nothing.
    uid_base = hashlib.sha256(registration.token.encode()).hexdigest()[:24]
    # A higher SEQUENCE with the same UID tells calendars that this replaces the entry they
    # have (RFC 5545 3.8.7.4): it grows with every change of the person's agenda.
    sequence = calendar_sequence(registration)
    for choice in choices:
        workshop = choice.workshop
        item = CalendarEvent()
        item.add("uid", f"{uid_base}-pass{choice.slot.number}@reglab")
        item.add("dtstamp", timezone.now())
        item.add("sequence", sequence)
        item.add("dtstart", choice.slot.starts_at())
        item.add("dtend", choice.slot.ends_at())
        item.add("summary", f"{workshop.code} {workshop.title_text}")
        item.add(
            "location",
            f"{workshop.room.name}, {event.venue}" if event.venue else workshop.room.name,
        )
        presenters = ", ".join(
            f"{wp.presenter.name}, {wp.presenter.organisation}"
            for wp in workshop.ordered_presenters()
        )
        item.add("description", f"{event.name_text}\n{choice.slot}\n{presenters}".strip())
        calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_filename(registration: Registration) -> str:
    return f"{registration.event.slug}.ics"
