"""Every page costs the same number of queries, however big the programme and the crowd."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import Choice, Registration
from tests.conftest import make_event
from workshops.models import Presenter, WorkshopPresenter


def populate(slug: str, *, workshops_per_slot: int, registrations: int):
    """An event of 5 passes with presenters on every workshop and `registrations` people."""
    event = make_event(slug=slug, slots=5, workshops_per_slot=workshops_per_slot, capacity=5000)
    workshops = list(event.workshops.select_related("slot").order_by("number"))
    for workshop in workshops:
        for order in range(2):
            presenter = Presenter.objects.create(
                name=f"{slug} person {workshop.number}-{order}", organisation="Org"
            )
            WorkshopPresenter.objects.create(workshop=workshop, presenter=presenter, order=order)
    people = Registration.objects.bulk_create(
        Registration(
            event=event, name=f"P{i}", email=f"p{i}@{slug}.se", organisation="O", consent=True
        )
        for i in range(registrations)
    )
    first_of_slot = {}
    for workshop in workshops:
        first_of_slot.setdefault(workshop.slot_id, workshop)
    Choice.objects.bulk_create(
        Choice(registration=person, slot_id=slot_id, workshop=workshop)
        for person in people
        for slot_id, workshop in first_of_slot.items()
    )
    return event, people[0]


PAGES = {
    "programme": lambda event, person: reverse("workshops:event_programme", args=[event.slug]),
    "workshop": lambda event, person: reverse("workshops:workshop_detail", args=[event.slug, 1]),
    "form": lambda event, person: reverse("registrations:register", args=[event.slug]),
    "private": lambda event, person: reverse("registrations:private", args=[person.token]),
    "change": lambda event, person: reverse("registrations:change", args=[person.token]),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_the_same_queries_for_5_or_50_workshops_and_10_or_1000_people(
    client, db, page, django_assert_num_queries
):
    small = populate("small", workshops_per_slot=1, registrations=10)
    large = populate("large", workshops_per_slot=10, registrations=1000)

    with CaptureQueriesContext(connection) as baseline:
        assert client.get(PAGES[page](*small)).status_code == 200
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(PAGES[page](*large))
    assert response.status_code == 200
    assert len(baseline.captured_queries) <= 8


def test_confirmation_email_costs_the_same_queries_for_one_or_many_presenters(
    db, django_assert_max_num_queries, mailoutbox
):
    from registrations import emails

    event, person = populate("mail", workshops_per_slot=1, registrations=1)
    # The agenda (with presenters) and nothing per pass: slot, event and room come along;
    # one count for the calendar's SEQUENCE.
    with django_assert_max_num_queries(4):
        emails.send(person, "confirmation")
    assert len(mailoutbox) == 1


def test_a_refused_submission_costs_the_same_few_queries_for_a_known_or_an_unknown_address(
    client, programme
):
    """Refused before the address is looked up: no lock, no session, nothing written."""
    from registrations import services
    from tests.registrations.test_pages import form_data

    url = reverse("registrations:register", args=[programme.slug])
    workshops = programme.workshops.order_by("number")
    services.register(
        event=programme,
        name="Känd",
        email="known@example.se",
        organisation="O",
        consent=True,
        workshops=[workshops[1], workshops[6], workshops[11]],
    )
    programme.workshops.filter(number=1).update(capacity=0)
    client.post(url, form_data(programme, email="warm@example.se"))  # the programme kept
    counts = {}
    for email in ("known@example.se", "unknown@example.se"):
        data = form_data(programme, email=email)
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, data).status_code == 200
        counts[email] = [q["sql"].split(" ")[0] for q in queries.captured_queries]
    assert counts["known@example.se"] == counts["unknown@example.se"]
    # The event, its passes and workshops in one query; one count of seats, for the refusal
    # and for the page that shows it.
    assert len(counts["known@example.se"]) == 2
    assert not {"INSERT", "UPDATE", "DELETE"} & set(counts["known@example.se"])


def test_a_registration_locks_its_workshops_only_for_the_count_and_the_choices(
    postgres_only, programme
):
    """Everyone registering for a workshop queues behind its lock: the person's row and the
    audit entry are written before it is taken, and only the seats (one statement) and the
    choices after."""
    from registrations import services

    workshops = list(programme.workshops.order_by("number"))
    with CaptureQueriesContext(connection) as queries:
        services.register(
            event=programme,
            name="Anna",
            email="anna@example.se",
            organisation="O",
            consent=True,
            workshops=[workshops[0], workshops[5], workshops[10]],
        )
    statements = [
        q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]
    ]  # the test's own transaction: the service's is a savepoint here, so no COMMIT
    locked = next(i for i, sql in enumerate(statements) if "FOR NO KEY UPDATE" in sql)
    # The address is not looked up first: the unique constraint finds one already registered.
    first_write = next(i for i, sql in enumerate(statements) if sql.startswith("INSERT"))
    assert statements[first_write].startswith('INSERT INTO "registrations_registration"')
    assert not any('FROM "registrations_registration"' in sql for sql in statements)
    before = " ".join(statements[:locked])
    assert 'INSERT INTO "registrations_auditentry"' in before
    held = [sql[:40] for sql in statements[locked + 1 :]]
    assert held == [
        'SELECT "workshops_workshop"."id" AS "pk"',  # their seats, had and taken, read now
        'INSERT INTO "registrations_choice" ("reg',
    ]
