"""The audit trail: every change to a registration is recorded with when, who and what."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import AuditEntry, Choice
from registrations.services import Actor, RegistrationError
from tests.conftest import make_event, register_people
from workshops.models import Room, Workshop

Action = AuditEntry.Action
Kind = AuditEntry.ActorKind


def trail(registration):
    return [
        (e.action, e.actor_kind, e.actor_name, e.summary)
        for e in AuditEntry.objects.filter(registration=registration)
    ]


def in_pass(event, number):
    return list(Workshop.objects.filter(event=event, slot__number=number).order_by("number"))


@pytest.fixture
def arrangor(db):
    return User.objects.create_user("arrangor", is_staff=True)


def test_a_registration_records_its_workshops_by_the_participant(db):
    event = make_event(slug="a")
    (anna,) = register_people(event, 1)
    assert trail(anna) == [
        (Action.CREATED, Kind.PARTICIPANT, "", "Pass 1: W1, Pass 2: W3, Pass 3: W5")
    ]


def test_a_change_records_the_pass_from_and_to(db):
    event = make_event(slug="b")
    (anna,) = register_people(event, 1)
    w1, w2 = in_pass(event, 1)
    services.change_choices(
        registration=anna, workshops=[w2, *[in_pass(event, n)[0] for n in (2, 3)]]
    )
    assert trail(anna)[1:] == [(Action.CHANGED, Kind.PARTICIPANT, "", "Pass 1: W1 → W2")]


def test_the_trail_is_in_swedish_whatever_language_the_participant_uses(db, arrangor):
    """Organisers read the trail in the admin, which is Swedish: a participant who uses the
    site in English (or a door in English) does not write "Session 1" into it."""
    event = make_event(slug="en", capacity=1)
    with translation.override("en"):
        assert in_pass(event, 1)[0].slot.label == "Session 1"  # what the page says
        (anna,) = register_people(event, 1)
        register_people(event, 1, start=1, index=1)  # the other workshops full
        w1, w2 = in_pass(event, 1)
        others = [in_pass(event, n)[0] for n in (2, 3)]
        services.change_choices(
            registration=anna,
            workshops=[w2, *others],
            allow_over_capacity=True,
            by=Actor.of(arrangor),
        )
        services.change_choices(registration=anna, workshops=[w1, *others])
    assert [summary for *_, summary in trail(anna)] == [
        "Pass 1: W1, Pass 2: W3, Pass 3: W5",
        "Pass 1: W1 → W2",
        "W2 var full",
        "Pass 1: W2 → W1",
    ]


def test_an_organisers_change_and_override_record_the_login(db, arrangor):
    event = make_event(slug="c", capacity=1)
    (anna, bertil) = register_people(event, 1) + register_people(event, 1, start=1, index=1)
    full = in_pass(event, 1)[1]
    services.change_choices(
        registration=anna,
        workshops=[full, *[in_pass(event, n)[0] for n in (2, 3)]],
        allow_over_capacity=True,
        by=Actor.of(arrangor),
    )
    assert trail(anna)[1:] == [
        (Action.CHANGED, Kind.ORGANISER, "arrangor", "Pass 1: W1 → W2"),
        (Action.OVERRIDE, Kind.ORGANISER, "arrangor", "W2 var full"),
    ]
    assert AuditEntry.objects.filter(actor=arrangor).count() == 2


def test_a_refused_change_leaves_no_entry(db):
    event = make_event(slug="d", capacity=1)
    (anna,) = register_people(event, 1)
    register_people(event, 1, start=1, index=1)
    with pytest.raises(RegistrationError):
        services.change_choices(
            registration=anna,
            workshops=[in_pass(event, 1)[1], *[in_pass(event, n)[0] for n in (2, 3)]],
        )
    assert [e[0] for e in trail(anna)] == [Action.CREATED]


def test_queue_join_move_in_and_cancel_are_recorded(db):
    event = make_event(slug="e", capacity=1)
    (anna,) = register_people(event, 1)
    (bertil,) = register_people(event, 1, start=1, index=1)
    w1 = in_pass(event, 1)[0]
    services.join_queue(registration=bertil, workshop=w1)
    services.cancel(registration=anna)
    assert trail(anna)[1:] == [(Action.CANCELLED, Kind.PARTICIPANT, "", "")]
    assert trail(bertil)[1:] == [
        (Action.QUEUED, Kind.PARTICIPANT, "", "Pass 1: W1"),
        (Action.MOVED_FROM_QUEUE, Kind.SYSTEM, "", "Pass 1: W2 → W1"),
    ]


def test_leaving_a_queue_is_recorded(db):
    event = make_event(slug="f", capacity=1)
    register_people(event, 1)
    (bertil,) = register_people(event, 1, start=1, index=1)
    w1 = in_pass(event, 1)[0]
    services.join_queue(registration=bertil, workshop=w1)
    services.leave_queue(registration=bertil, slot=w1.slot)
    assert trail(bertil)[-1] == (Action.LEFT_QUEUE, Kind.PARTICIPANT, "", "Pass 1: W1")


def test_a_room_move_is_recorded_for_each_participant(db, arrangor):
    event = make_event(slug="g")
    people = register_people(event, 2)
    w1 = in_pass(event, 1)[0]
    w1.room = Room.objects.create(name="Sal Ny", capacity=10)
    services.save_workshop(workshop=w1, move_participants=True, by=Actor.of(arrangor))
    for person in people:
        assert trail(person)[-1] == (
            Action.MOVED_BY_PROGRAMME,
            Kind.ORGANISER,
            "arrangor",
            "W1 flyttade till Sal Ny",
        )


def test_erasure_is_recorded_without_personal_data(db):
    event = make_event(slug="h")
    (anna,) = register_people(event, 1)
    services.erase(registration=anna)
    entries = trail(anna)
    assert [e[0] for e in entries] == [Action.CREATED, Action.CANCELLED, Action.ERASED]
    assert not any("person0" in e[3] or "Person 000" in e[3] for e in entries)
    assert Choice.objects.filter(registration=anna).count() == 3


def test_the_admin_records_the_organiser_and_shows_the_trail(organiser_client, db):
    login = User.objects.get(pk=organiser_client.session["_auth_user_id"]).username
    event = make_event(slug="i")
    (anna,) = register_people(event, 1)
    w2 = in_pass(event, 1)[1]
    data = {
        "name": anna.name,
        "email": anna.email,
        "organisation": anna.organisation,
        "pass_1": w2.pk,
        "pass_2": in_pass(event, 2)[0].pk,
        "pass_3": in_pass(event, 3)[0].pk,
    }
    url = reverse("admin:registrations_registration_change", args=[anna.pk])
    assert organiser_client.post(url, data).status_code == 302
    entry = AuditEntry.objects.filter(registration=anna).last()
    assert (entry.action, entry.actor_kind) == (Action.CHANGED, Kind.ORGANISER)
    assert entry.actor_name == login
    html = organiser_client.get(url).content.decode()
    assert "Historik" in html and "Pass 1: W1 → W2" in html
    assert f"arrangör ({entry.actor_name})" in html
