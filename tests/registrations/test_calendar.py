"""The agenda as an .ics file parses back to one event per pass, at the right Stockholm times."""

import datetime
import zoneinfo

from django.core import mail
from icalendar import Calendar, Timezone

from registrations import services
from registrations.calendar import agenda_ics
from workshops.models import Workshop

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _workshops(programme) -> list[Workshop]:
    return [Workshop.objects.get(event=programme, number=n) for n in (1, 7, 13)]


def _register_anna(programme, workshops):
    return services.register(
        event=programme,
        name="Anna",
        email="anna@example.se",
        organisation="Region Test",
        consent=True,
        workshops=workshops,
    ).registration


def test_ics_has_three_events_in_stockholm_time_with_room(
    programme, django_capture_on_commit_callbacks
):
    workshops = _workshops(programme)
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register_anna(programme, workshops)

    attached = mail.outbox[0].attachments[0][1]
    attached = attached.encode() if isinstance(attached, str) else attached
    for ics in (agenda_ics(registration), attached):
        events = Calendar.from_ical(ics).walk("VEVENT")
        assert len(events) == 3
        by_start = sorted(events, key=lambda e: e.decoded("dtstart"))
        for event, workshop in zip(by_start, workshops, strict=True):
            start, end = event.decoded("dtstart"), event.decoded("dtend")
            assert start.tzinfo is not None and str(event["dtstart"].params["TZID"]) == (
                "Europe/Stockholm"
            )
            expected = datetime.datetime.combine(
                programme.date, workshop.slot.start_time, tzinfo=STOCKHOLM
            )
            assert start == expected
            assert end - start == datetime.timedelta(minutes=45)
            assert str(event["summary"]) == f"{workshop.code} {workshop.title}"
            assert workshop.room.name in str(event["location"])
        assert b"BEGIN:VTIMEZONE" in ics


def test_the_time_zone_is_icalendars_own_and_comes_first(programme):
    registration = _register_anna(programme, _workshops(programme))
    for _ in range(2):  # the second file takes the kept VTIMEZONE
        calendar = Calendar.from_ical(agenda_ics(registration))
        assert calendar.subcomponents[0].name == "VTIMEZONE"
        year = programme.date.year
        assert [tz.to_ical() for tz in calendar.timezones] == [
            Timezone.from_tzid(
                "Europe/Stockholm",
                first_date=datetime.date(year, 1, 1),
                last_date=datetime.date(year + 1, 12, 31),
            ).to_ical()
        ]
        assert calendar.get_missing_tzids() == set()
        # The event's times, in that zone: summer or winter time as the day has it.
        (zone,) = calendar.timezones
        start = calendar.walk("VEVENT")[0].decoded("dtstart")
        assert start.utcoffset() == zone.to_tz().utcoffset(start.replace(tzinfo=None))
