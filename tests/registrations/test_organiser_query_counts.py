"""The organisers' and the door's pages cost the same number of queries for 10 people as for
100: badges, rosters, the door's rooms, list and poll, a message's preview, the overview and
the registration list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations.models import (
    CheckIn,
    Choice,
    Message,
    MessageRecipient,
    QueueEntry,
    Registration,
)
from tests.conftest import make_event
from workshops.models import Presenter, WorkshopPresenter


def populate(slug: str, people: int):
    """3 passes of 2 workshops; half the people in the first workshop of every pass, half in
    the second; every third checked in at W1, some queued, a cancelled one, a walk-in, and a
    draft message to the first workshops."""
    event = make_event(slug=slug, slots=3, workshops_per_slot=2, capacity=1000)
    workshops = list(event.workshops.select_related("slot").order_by("number"))
    for workshop in workshops:
        presenter = Presenter.objects.create(name=f"{slug} {workshop.number}", organisation="O")
        WorkshopPresenter.objects.create(workshop=workshop, presenter=presenter, order=0)
    registrations = Registration.objects.bulk_create(
        Registration(
            event=event,
            name=f"Förnamn{i} Efternamn{i}",
            email=f"p{i}@{slug}.se",
            organisation=f"Org {i % 5}",
            consent=True,
            status="cancelled" if i == 1 else "confirmed",
            walk_in=i == 2,
        )
        for i in range(people)
    )
    by_pass = [workshops[i : i + 2] for i in range(0, len(workshops), 2)]
    Choice.objects.bulk_create(
        Choice(registration=person, slot_id=pair[i % 2].slot_id, workshop=pair[i % 2])
        for i, person in enumerate(registrations)
        for pair in (by_pass[:1] if person.walk_in else by_pass)
    )
    w1 = workshops[0]
    CheckIn.objects.bulk_create(
        CheckIn(registration=person, workshop=w1) for person in registrations[::6]
    )
    QueueEntry.objects.bulk_create(
        QueueEntry(registration=person, slot_id=w1.slot_id, workshop=w1)
        for person in registrations[1::2][:5]
    )
    message = Message.objects.create(event=event, subject="Hej {namn}", body="{program}\n{länk}")
    message.workshops.set(w[0] for w in by_pass)
    sent = Message.objects.create(
        event=event, subject="Skickat", audience="everyone", status="sent", sent_at=timezone.now()
    )
    MessageRecipient.objects.bulk_create(
        MessageRecipient(message=sent, registration=person, status=("sent", "failed")[i % 2])
        for i, person in enumerate(registrations)
    )
    return event, message


PAGES = {
    "overview": lambda e, m: reverse("admin:registrations_overview", args=[e.slug]),
    "rosters": lambda e, m: reverse("admin:registrations_rosters", args=[e.slug]),
    "badges": lambda e, m: reverse("admin:registrations_badges", args=[e.slug]),
    "badges of a workshop": lambda e, m: reverse("admin:registrations_badges", args=[e.slug, 1]),
    "registrations": lambda e, m: (
        reverse("admin:registrations_registration_changelist") + f"?event__id__exact={e.pk}"
    ),
    "workshops": lambda e, m: (
        reverse("admin:workshops_workshop_changelist") + f"?event__id__exact={e.pk}"
    ),
    "queues": lambda e, m: (
        reverse("admin:registrations_queueentry_changelist") + f"?slot__event__id__exact={e.pk}"
    ),
    "door rooms": lambda e, m: reverse("registrations:door_rooms", args=[e.slug, 1]),
    "door list": lambda e, m: reverse("registrations:door", args=[e.slug, 1]),
    "door search": lambda e, m: reverse("registrations:door", args=[e.slug, 1]) + "?q=efter",
    "door poll": lambda e, m: reverse("registrations:door_status", args=[e.slug, 1]),
    "message draft": lambda e, m: reverse("admin:registrations_message_change", args=[m.pk]),
    "message preview": lambda e, m: reverse("admin:registrations_message_preview", args=[m.pk]),
    "messages": lambda e, m: (
        reverse("admin:registrations_message_changelist") + f"?event__id__exact={e.pk}"
    ),
    "message recipients": lambda e, m: (
        reverse("admin:registrations_messagerecipient_changelist")
        + f"?message__id__exact={Message.objects.get(event=e, status='sent').pk}"
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_organiser_page_runs_the_same_queries_for_10_or_100_people(
    organiser_client, db, page, django_assert_num_queries
):
    small = populate("small", 10)
    large = populate("large", 100)
    organiser_client.get(PAGES[page](*small))  # the session and the login's permissions

    with CaptureQueriesContext(connection) as baseline:
        assert organiser_client.get(PAGES[page](*small)).status_code == 200
    with django_assert_num_queries(len(baseline.captured_queries)):
        assert organiser_client.get(PAGES[page](*large)).status_code == 200
