"""Shared fixtures: the real programme, and small events built in code."""

import datetime
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from workshops.models import Event, Room, TimeSlot, Workshop

PROGRAMME_FIXTURE = "fixtures/utsikt_ar_insikt.json"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (rate-limit counts, cached programme pages)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def programme(db):
    """The real conference day, loaded from the fixture, with registration open now."""
    call_command("loaddata", PROGRAMME_FIXTURE, verbosity=0)
    event = Event.objects.get(slug="utsikt-ar-insikt")
    now = timezone.now()
    event.registration_opens = now - datetime.timedelta(days=1)
    event.registration_closes = now + datetime.timedelta(days=30)
    event.date = (now + datetime.timedelta(days=40)).date()
    event.save()
    return event


def make_event(*, slug="test-event", slots=3, workshops_per_slot=2, capacity=10) -> Event:
    """A small event: `slots` passes, each with `workshops_per_slot` workshops in own rooms."""
    now = timezone.now()
    event = Event.objects.create(
        name=f"Event {slug}",
        slug=slug,
        date=(now + datetime.timedelta(days=40)).date(),
        registration_opens=now - datetime.timedelta(days=1),
        registration_closes=now + datetime.timedelta(days=30),
    )
    number = 0
    for s in range(1, slots + 1):
        slot = TimeSlot.objects.create(
            event=event,
            number=s,
            start_time=datetime.time(8 + s, 0),
            end_time=datetime.time(8 + s, 45),
        )
        for r in range(1, workshops_per_slot + 1):
            room, _ = Room.objects.get_or_create(
                name=f"{slug} room {r}", defaults={"capacity": capacity}
            )
            number += 1
            Workshop.objects.create(
                event=event,
                number=number,
                title=f"Workshop {number}",
                description="Beskrivning",
                slot=slot,
                room=room,
            )
    return event


@pytest.fixture
def small_event(db):
    return make_event()


@pytest.fixture
def postgres_only():
    """Skip on SQLite, except in CI's PostgreSQL pass (REGLAB_REQUIRE_POSTGRES), where a
    skipped PostgreSQL test would hide a missing protection: there it fails instead."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("REGLAB_REQUIRE_POSTGRES"):
            pytest.fail("REGLAB_REQUIRE_POSTGRES is set but the tests run on " + connection.vendor)
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
