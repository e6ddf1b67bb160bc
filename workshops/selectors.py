"""Read queries for the programme, shared by the public pages, the form and the admin."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from .models import Event, TimeSlot, Workshop


def current_event() -> Event | None:
    """The next event to happen (or, once all are past, the latest one)."""
    today = timezone.localdate()
    upcoming = Event.objects.filter(date__gte=today).order_by("date").first()
    return upcoming or Event.objects.order_by("-date").first()


def workshops_for_programme():
    return Workshop.objects.for_programme()


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


PROGRAMME_VERSION_KEY = "programme-version"


def _new_version() -> int:
    # Not 1: after the cache was emptied (a restart, an eviction) a version must never match
    # one that processes still hold from before.
    return time.time_ns()


def programme_version() -> int:
    """A number that changes whenever the programme is edited (see workshops.signals).

    Part of the cache keys of the programme page and the form's texts, so an edit shows at once
    where the cache is shared (Redis); with per-process memory caches a timeout bounds staleness.
    """
    return cache.get_or_set(PROGRAMME_VERSION_KEY, _new_version, timeout=None)


def programme_changed() -> None:
    try:
        cache.incr(PROGRAMME_VERSION_KEY)
    except ValueError:  # not set yet (or evicted): start a new version
        cache.set(PROGRAMME_VERSION_KEY, _new_version(), timeout=None)
