"""Seats: how full a workshop or a pass is, from the seats_taken that registrations count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations import selectors
from registrations.selectors import Seats, workshops_with_seats
from tests.conftest import register_people
from workshops.models import Workshop


@pytest.mark.parametrize(
    ("taken", "capacity", "left", "overbooked_by", "fill_percent"),
    [
        (0, 10, 10, 0, 0),
        (3, 60, 57, 0, 5),
        (10, 10, 0, 0, 100),
        (12, 10, 0, 2, 120),  # an organiser lowered the seats and confirmed
        (0, 0, 0, 0, 0),
    ],
)
def test_seats_left_overbooked_and_fill(taken, capacity, left, overbooked_by, fill_percent):
    seats = Seats(taken, capacity)
    assert (seats.left, seats.overbooked_by, seats.fill_percent) == (
        left,
        overbooked_by,
        fill_percent,
    )


def test_seats_of_a_workshop_counts_confirmed_registrations(small_event):
    register_people(small_event, 2)
    w1 = workshops_with_seats(small_event).get(number=1)
    assert Seats.of(w1) == Seats(2, w1.effective_capacity)


def test_seats_of_a_workshop_nobody_counted_is_an_error_not_a_guess(small_event):
    with pytest.raises(AttributeError, match="seats_taken"):
        Seats.of(Workshop.objects.filter(event=small_event).first())


def test_the_programme_model_has_no_counts_of_its_own():
    """They need registrations' count, so they live in registrations.selectors."""
    for name in ("seats_left", "overbooked_by", "fill_percent"):
        assert not hasattr(Workshop, name), name


# Rosters: by surname, in Swedish order, the same on every database.


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Anna Lind", ("Lind", "Anna")),
        ("Bjarne E Jensen", ("Jensen", "Bjarne E")),
        ("  Maja-Stina   Öberg ", ("Öberg", "Maja-Stina")),
        ("Cher", ("Cher", "")),
        ("", ("", "")),
    ],
)
def test_name_parts_take_the_last_word_as_the_surname(name, parts):
    assert selectors.name_parts(name) == parts


def test_surname_sort_key_orders_surname_then_given_names_with_a_a_o_after_z():
    names = [
        "Örjan Öberg",
        "Zlatan Ängström",
        "anna åberg",
        "Bo Zetterberg",
        "Émile Ek",
        "Anna Ek",
        "Cecilia Lind",
        "Åsa Lind",
        "Ärla Lind",
        "Eva Ekström",
    ]
    assert sorted(names, key=selectors.surname_sort_key) == [
        "Anna Ek",
        "Émile Ek",
        "Eva Ekström",
        "Cecilia Lind",
        "Åsa Lind",
        "Ärla Lind",
        "Bo Zetterberg",
        "anna åberg",
        "Zlatan Ängström",
        "Örjan Öberg",
    ]


def test_rosters_are_in_the_same_order_on_every_database(small_event):
    """Sorted in Python, not by the database's collation (which differs between PostgreSQL
    and SQLite, and between PostgreSQL's locales): ties fall to the registration's id."""
    people = register_people(small_event, 4)
    for person, name in zip(people, ["Åke Ek", "åke ek", "Zoe Ek", "Åke Ek"], strict=True):
        person.name, person.organisation = name, "Samma"
        person.save()
    (roster, *_) = selectors.rosters(Workshop.objects.filter(event=small_event))
    ids = [listed.registration.pk for listed in roster.participants]
    assert ids == [people[2].pk, people[0].pk, people[1].pk, people[3].pk]


def test_no_workshops_have_no_seats_taken(db):
    from registrations import selectors as seat_selectors

    assert seat_selectors.seats_taken([]) == {}


def test_programme_to_choose_reads_every_pass_with_the_workshops(small_event):
    programme = selectors.programme_to_choose(small_event.slug)
    assert programme.event == small_event
    assert programme.passes == list(small_event.slots.order_by("number"))
    assert [w.pk for w in programme.workshops] == [
        w.pk for w in Workshop.objects.filter(event=small_event).order_by("slot__number", "number")
    ]


def test_a_pass_without_a_published_workshop_is_still_one_of_the_passes(small_event, client):
    """The rule asks for a workshop in every pass; a pass whose workshops are all drafts is
    read from its own query, so the submission is refused for it, not let through."""
    from django.urls import reverse

    from registrations.models import Registration
    from registrations.services.rules import missing_choice_message

    last = small_event.slots.order_by("number").last()
    Workshop.objects.filter(slot=last).update(status=Workshop.Status.DRAFT)
    programme = selectors.programme_to_choose(small_event.slug)
    assert programme.passes == list(small_event.slots.order_by("number"))

    data = {"name": "Anna", "email": "anna@example.se", "organisation": "O", "consent": "on"}
    for slot in small_event.slots.exclude(pk=last.pk):
        data[f"pass_{slot.number}"] = str(slot.workshops.first().pk)
    response = client.post(reverse("registrations:register", args=[small_event.slug]), data)
    assert response.status_code == 200
    assert missing_choice_message(last) in response.content.decode()
    assert not Registration.objects.exists()


def test_programme_to_choose_of_no_event_is_404(db):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.programme_to_choose("no-such-event")


def _kept_is_read(event):
    """The kept programme as the form shows it, read once, so programme_to_choose may use it."""
    selectors.workshops_to_show(event)


def test_programme_to_choose_uses_the_kept_programme_only_where_the_database_agrees(
    small_event, django_assert_num_queries
):
    _kept_is_read(small_event)
    with django_assert_num_queries(1):
        kept = selectors.programme_to_choose(small_event.slug)
    workshop = kept.workshops[0]
    # An edit the programme version does not see (raw SQL, a restored backup): the seats
    # and the window a submission is decided on are the database's all the same.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workshops_workshop SET capacity = 0 WHERE id = %s", [workshop.pk])
    chosen = selectors.programme_to_choose(small_event.slug)
    assert {w.pk: w.effective_capacity for w in chosen.workshops}[workshop.pk] == 0
    closes = timezone.now() - datetime.timedelta(minutes=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workshops_event SET registration_closes = %s WHERE id = %s",
            [closes, small_event.pk],
        )
    assert not selectors.programme_to_choose(small_event.slug).event.is_registration_open()


def test_a_workshop_made_a_draft_behind_the_versions_back_is_not_offered(small_event):
    _kept_is_read(small_event)
    first, *rest = selectors.programme_to_choose(small_event.slug).workshops
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workshops_workshop SET status = 'draft' WHERE id = %s", [first.pk])
    offered = selectors.programme_to_choose(small_event.slug).workshops
    assert [w.pk for w in offered] == [w.pk for w in rest]


def test_seats_now_reads_the_seats_each_workshop_has_and_how_many_are_taken(small_event):
    first, second = Workshop.objects.filter(event=small_event).order_by("number")[:2]
    (anna,) = register_people(small_event, 1)
    Workshop.objects.filter(pk=first.pk).update(capacity=7)  # its own seats
    Workshop.objects.filter(pk=second.pk).update(capacity=None)  # its room's seats
    seats = selectors.seats_now([second.pk, first.pk])
    assert seats == {first.pk: Seats(1, 7), second.pk: Seats(0, second.room.capacity)}
    assert selectors.seats_now([first.pk], exclude_registration=anna) == {first.pk: Seats(0, 7)}
    assert selectors.seats_now([]) == {}


def test_a_copy_with_seats_shares_nothing_it_could_change(programme):
    import gc

    original = Workshop.objects.select_related("slot", "room").get(event=programme, number=1)
    original.seats_taken = 0
    copied = selectors.copy_with_seats(original, 7)
    assert (copied.seats_taken, original.seats_taken) == (7, 0)
    assert copied == original and copied.slot is original.slot  # related objects shared, read only
    assert copied._state is not original._state
    assert copied._state.fields_cache is not original._state.fields_cache
    copied.title = "Ändrad i kopian"
    assert original.title != "Ändrad i kopian"
    # A ModelState clears its related-object cache when it goes: the original keeps its own.
    del copied
    gc.collect()
    with CaptureQueriesContext(connection) as queries:
        assert original.slot.number == 1 and original.room.name
    assert len(queries) == 0


def test_a_submissions_programme_and_seats_are_what_the_database_says(programme):
    register_people(programme, 3)
    kept, taken = selectors.programme_and_seats_to_choose(programme.slug)
    assert [w.pk for w in kept.workshops] == [
        w.pk for w in selectors.programme_to_choose(programme.slug).workshops
    ]
    assert taken == selectors.seats_taken(w.pk for w in kept.workshops)
    assert sorted(taken.values()) == [3, 3, 3]
    # An edit the programme version does not see (raw SQL, a restored backup): the database's
    # capacity decides, and the seats are counted for what it says.
    Workshop.objects.filter(event=programme, number=1).update(capacity=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workshops_workshop SET capacity = 2 WHERE event_id = %s", [programme.pk]
        )
    again, taken_again = selectors.programme_and_seats_to_choose(programme.slug)
    assert {w.capacity for w in again.workshops} == {2}
    assert taken_again == taken


def test_a_submissions_two_reads_are_one_round_trip_on_postgresql(
    postgres_only, programme, monkeypatch
):
    import psycopg

    pipelines = []
    real = psycopg.Connection.pipeline

    def counted(self, *args, **kwargs):
        pipelines.append(self)
        return real(self, *args, **kwargs)

    selectors.programme_and_seats_to_choose(programme.slug)  # the event and programme kept
    monkeypatch.setattr(psycopg.Connection, "pipeline", counted)
    with CaptureQueriesContext(connection) as queries:
        selectors.programme_and_seats_to_choose(programme.slug)
    assert len(pipelines) == 1
    assert len(queries) == 2
