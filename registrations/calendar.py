"""A participant's agenda as an iCalendar file: one event per pass, in Stockholm time."""

import datetime
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
    _add_timezones(calendar, event.date.year)
    return calendar.to_ical()


def _add_timezones(calendar: Calendar, year: int) -> None:
    """Calendar.add_missing_timezones, for the event's year and the next (what the file's
    times need, RFC 5545 3.6.5), each zone's VTIMEZONE built once per process. Built from the
    zone's rules for 1970 to 2038 (icalendar's default) it was a third of what writing a
    confirmation cost, and most of the file."""
    for index, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        calendar.subcomponents.insert(index, _vtimezone(tzid, year))


@lru_cache(maxsize=8)
def _vtimezone(tzid: str, year: int) -> Timezone:
    # Shared by every file this process writes, so it must not be changed (to_ical only reads).
    return Timezone.from_tzid(
        tzid, first_date=datetime.date(year, 1, 1), last_date=datetime.date(year + 1, 12, 31)
    )


def ics_filename(registration: Registration) -> str:
    return f"{registration.event.slug}.ics"
