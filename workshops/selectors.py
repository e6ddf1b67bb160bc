"""Read queries for the programme, shared by the public pages, the form and the admin."""

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from reglab import caches

from .models import Event, TimeSlot, Workshop


def current_event() -> Event | None:
    """The next event to happen (or, once all are past, the latest one)."""
    today = timezone.localdate()
    upcoming = Event.objects.filter(date__gte=today).order_by("date").first()
    return upcoming or Event.objects.order_by("-date").first()


def event_to_show(slug: str) -> Event:
    """The event with this slug, for a page that only shows it (its texts, whether its
    registration is open), or Http404. Kept with the programme (an edit of the event changes
    the version), so the page needs no query for it; what is decided on (a submission's
    window) is read from the database."""
    return caches.kept_for_programme(("event-to-show", slug), lambda: _event_or_404(slug))


def _event_or_404(slug: str) -> Event:
    # Raised before anything is kept: only events that exist take room, not every address
    # someone types.
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        raise Http404
    return event


def workshops_for_programme():
    """The published workshops, with what the programme shows; drafts are not on it."""
    return Workshop.objects.published().for_programme()


@dataclass
class SlotProgramme:
    slot: TimeSlot
    workshops: list[Workshop]


def programme_by_slot(event: Event) -> list[SlotProgramme]:
    """The event's passes in order, each with its workshops in number order."""
    workshops = list(workshops_for_programme().filter(event=event))
    return [
        SlotProgramme(slot=slot, workshops=[w for w in workshops if w.slot_id == slot.pk])
        for slot in event.slots.all()
    ]


# The door opens a while before the pass starts: people arrive during the break.
DOOR_OPENS_BEFORE = datetime.timedelta(minutes=20)


def running_slot(event: Event, at: datetime.datetime | None = None) -> TimeSlot | None:
    """The pass people are checking in to now: from DOOR_OPENS_BEFORE its start until its
    end, on the event's day. In the break the next pass has begun (the later one wins)."""
    at = timezone.localtime(at or timezone.now())
    running = None
    for slot in event.slots.select_related("event").order_by("number"):
        if slot.starts_at() - DOOR_OPENS_BEFORE <= at < slot.ends_at():
            running = slot
    return running
