"""A participant's agenda as an iCalendar file: one event per pass, in Stockholm time."""

import hashlib
from functools import lru_cache

from django.utils import timezone
from icalendar import Calendar, Timezone
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
    _add_timezones(calendar)
    return calendar.to_ical()


def _add_timezones(calendar: Calendar) -> None:
    """Calendar.add_missing_timezones, with each zone's VTIMEZONE built once per process:
    building it from the zone's rules was a third of what writing a confirmation cost."""
    for index, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        calendar.subcomponents.insert(index, _vtimezone(tzid))


@lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> Timezone:
    # Shared by every file this process writes, so it must not be changed (to_ical only reads).
    return Timezone.from_tzid(tzid)


def ics_filename(registration: Registration) -> str:
    return f"{registration.event.slug}.ics"
