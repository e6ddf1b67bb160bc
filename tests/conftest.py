"""Shared fixtures: the real programme, and small events built in code."""

import datetime
import os
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from workshops.models import Event, Room, TimeSlot, Workshop

PROGRAMME_FIXTURE = "fixtures/utsikt_ar_insikt.json"

# `make test` explores new random examples on every run; CI (HYPOTHESIS_PROFILE=ci) runs a
# fixed set, so a landing is judged on the code rather than on the draw. A failure found
# locally is pinned with @example in its test.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def swedish_to_begin_with():
    """Each test starts in the site's own language: a request leaves its language active in
    the thread (LocaleMiddleware activates it, nothing deactivates it), and a registration
    made afterwards would take it."""
    from django.utils import translation

    translation.activate("sv")
    yield
    translation.activate("sv")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches (rate-limit counts, cached programme pages)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
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


def register_people(event, count, *, start=0, index=0, **kwargs):
    """`count` confirmed registrations, each in the `index`-th workshop of every pass."""
    from registrations import services

    workshops = [
        list(Workshop.objects.filter(slot=slot).order_by("number"))[index]
        for slot in event.slots.order_by("number")
    ]
    return [
        services.register(
            event=event,
            name=f"Person {n:03d}",
            email=f"person{n}@example.se",
            organisation=f"Organisation {n % 7}",
            consent=True,
            workshops=workshops,
            check_window=False,
            **kwargs,
        ).registration
        for n in range(start, start + count)
    ]


def user_in_group(group_name, username):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username, password="not-used", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def groups_again(transactional_db):
    """The two groups with their permissions, made again as the migrations make them: a
    transactional test empties every table after it, the migrations' rows too."""
    import importlib

    from django.apps import apps

    for migration, function in [
        ("0006_organiser_groups", "create_groups"),
        ("0009_swedish_group_names", "to_swedish"),
        ("0015_check_in_permission", "grant"),
    ]:
        module = importlib.import_module(f"registrations.migrations.{migration}")
        getattr(module, function)(apps, None)


@pytest.fixture
def organiser(db):
    """A member of the Arrangörer group (made by registrations migration 0006 as Organisers)."""
    return user_in_group("Arrangörer", "organiser")


@pytest.fixture
def staff_member(db):
    """A member of the Personal group (Staff before registrations 0009): looks, prints and
    downloads; changes nothing."""
    return user_in_group("Personal", "staff")


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def staff_client(client, staff_member):
    client.force_login(staff_member)
    return client


# --- Browser tests (Playwright driving Debian's Chromium) -----------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser(live_server):
    """Chromium, for the whole session. It asks for the live server so that it closes first.

    The live server answers each browser connection in its own thread, and Chromium keeps
    connections open between requests. A thread ends when its connection closes, and then
    closes its database connections; with in-memory SQLite that is the test's connection,
    which the live server shares with its threads only until it stops. Closed the other way
    round (server first, browser at the very end), every thread still open failed on it
    ("DatabaseWrapper objects created in a thread can only be used in that same thread").
    Django's own SeleniumTestCase quits the browser before stopping its live server too.
    """
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()
    # Its connections are closed now; the server's threads for them end at once, but wait for
    # them, so that none is still running when the live server stops sharing the connection.
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)
    # Database calls made while Playwright's event loop ran got their own connection (Django
    # keeps connections per async context); close them so PostgreSQL can drop the test database.
    from django.db import connections

    connections.close_all()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="sv-SE")
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    yield context.new_page()
    context.close()


@pytest.fixture
def postgres_only():
    """Skip on SQLite, except in CI's PostgreSQL pass (REGLAB_REQUIRE_POSTGRES), where a
    skipped PostgreSQL test would hide a missing protection: there it fails instead."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("REGLAB_REQUIRE_POSTGRES"):
            pytest.fail("REGLAB_REQUIRE_POSTGRES is set but the tests run on " + connection.vendor)
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
