"""The one-per-pass rule and capacity, as the services enforce them."""

import datetime
import logging

import pytest
from django.core import mail
from django.utils import timezone

from registrations import selectors, services
from registrations.models import Choice, Registration
from registrations.services import RegistrationError
from tests.conftest import make_event
from workshops.models import Workshop


def first_of_each_pass(event, index=0):
    return [
        list(Workshop.objects.filter(slot=slot).order_by("number"))[index]
        for slot in event.slots.order_by("number")
    ]


def register(event, workshops, email="anna@example.se", **kwargs):
    return services.register(
        event=event,
        name="Anna Andersson",
        email=email,
        organisation="Region Test",
        consent=True,
        workshops=workshops,
        **kwargs,
    )


def test_register_one_per_pass_creates_three_choices(
    small_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = register(small_event, first_of_each_pass(small_event))
    assert result.created
    assert sorted(c.slot.number for c in result.registration.choices.all()) == [1, 2, 3]
    assert len(mail.outbox) == 1


def test_missing_pass_is_refused_and_nothing_saved(small_event):
    workshops = first_of_each_pass(small_event)[:2]
    with pytest.raises(RegistrationError) as error:
        register(small_event, workshops)
    assert error.value.slot.number == 3
    assert "Pass 3" in error.value.message
    assert Registration.objects.count() == 0 and Choice.objects.count() == 0


# Every pass, the last one too: a rule that forgot one pass would pass for pass 1 alone.
@pytest.mark.parametrize("number", [1, 2, 3])
def test_two_in_one_pass_is_refused(small_event, number):
    both = list(Workshop.objects.filter(slot__number=number, event=small_event))
    others = [w for w in first_of_each_pass(small_event) if w.slot.number != number]
    with pytest.raises(RegistrationError) as error:
        register(small_event, both + others)
    assert error.value.slot.number == number
    assert Registration.objects.count() == 0


def test_four_workshops_is_refused(small_event):
    workshops = first_of_each_pass(small_event) + [first_of_each_pass(small_event, 1)[0]]
    with pytest.raises(RegistrationError):
        register(small_event, workshops)
    assert Registration.objects.count() == 0


def test_workshop_of_another_event_is_refused(small_event):
    other = make_event(slug="other")
    workshops = first_of_each_pass(small_event)[:2] + [first_of_each_pass(other)[2]]
    with pytest.raises(RegistrationError) as error:
        register(small_event, workshops)
    assert "hör inte till" in error.value.message
    assert Registration.objects.count() == 0


def test_exactly_at_capacity_then_full(db):
    event = make_event(slug="tiny", capacity=2)
    workshops = first_of_each_pass(event)
    register(event, workshops, email="a@example.se")
    second = register(event, workshops, email="b@example.se")  # takes the last seat
    assert second.created
    with pytest.raises(RegistrationError) as error:
        register(event, workshops, email="c@example.se")
    assert error.value.workshop.pk == workshops[0].pk
    assert "fullt" in error.value.message
    assert "W1" in error.value.message
    assert Registration.objects.count() == 2
    assert Choice.objects.count() == 6


def test_workshop_capacity_overrides_room(db):
    event = make_event(slug="own", capacity=10)
    workshops = first_of_each_pass(event)
    Workshop.objects.filter(pk=workshops[1].pk).update(capacity=1)
    register(event, workshops, email="a@example.se")
    with pytest.raises(RegistrationError) as error:
        register(event, workshops, email="b@example.se")
    assert error.value.workshop.pk == workshops[1].pk


def test_full_workshop_refused_leaves_everything_as_it_was(db):
    event = make_event(slug="tiny", capacity=1)
    workshops = first_of_each_pass(event)
    register(event, workshops, email="a@example.se")
    other = first_of_each_pass(event, 1)
    # Two free, one full: nothing at all may be saved.
    with pytest.raises(RegistrationError):
        register(event, [other[0], other[1], workshops[2]], email="b@example.se")
    assert Registration.objects.count() == 1
    assert Choice.objects.count() == 3


def test_same_email_any_case_is_not_registered_twice(
    small_event, django_capture_on_commit_callbacks
):
    workshops = first_of_each_pass(small_event)
    register(small_event, workshops, email="Anna@Example.se")
    with django_capture_on_commit_callbacks(execute=True):
        again = register(small_event, first_of_each_pass(small_event, 1), email="anna@example.SE")
    assert not again.created
    assert Registration.objects.count() == 1
    # The first choices are untouched; the address got its private link.
    assert set(again.registration.choices.values_list("workshop_id", flat=True)) == {
        w.pk for w in workshops
    }
    assert len(mail.outbox) == 1
    assert again.registration.token in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_a_repeated_address_logs_no_error_that_names_it(caplog):
    """Outside a transaction the link mail is sent at once; were that inside the handler of the
    constraint's error, the task's log record would carry that error, address and all."""
    event = make_event(slug="logs")
    register(event, first_of_each_pass(event), email="anna@example.se")
    mail.outbox.clear()
    with caplog.at_level(logging.DEBUG):
        again = register(event, first_of_each_pass(event, 1), email="anna@example.se")
    assert not again.created and len(mail.outbox) == 1
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert not any("anna@example.se" in r.getMessage() for r in caplog.records)


def test_an_address_the_constraint_takes_for_a_registered_one_gets_its_link(
    postgres_only, small_event, django_capture_on_commit_callbacks
):
    """PostgreSQL's lower() makes "İlse" "ilse", so the unique constraint refuses it; the
    lookup compares the same way and finds the registration (with upper() it did not, and the
    constraint's error became a 500)."""
    register(small_event, first_of_each_pass(small_event), email="ilse@example.se")
    with django_capture_on_commit_callbacks(execute=True):
        again = register(small_event, first_of_each_pass(small_event, 1), email="İlse@example.se")
    assert not again.created
    assert Registration.objects.count() == 1
    assert again.registration.token in mail.outbox[-1].body


def test_a_registered_address_is_refused_a_full_workshop_like_a_new_one(
    db, django_capture_on_commit_callbacks
):
    """The answer never depends on the address: a full workshop is refused for a known
    address too (even one whose own seat fills it), and nobody is mailed."""
    event = make_event(slug="tiny", capacity=1)
    workshops = first_of_each_pass(event)
    register(event, workshops, email="anna@example.se")
    mail.outbox.clear()
    answers = []
    for email in ("anna@example.se", "new@example.se"):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RegistrationError) as error,
        ):
            register(event, workshops, email=email)
        answers.append(error.value.message)
    assert answers[0] == answers[1] and "har blivit fullt" in answers[0]
    assert mail.outbox == []


def test_registration_window_is_enforced(small_event):
    small_event.registration_closes = timezone.now() - datetime.timedelta(minutes=1)
    small_event.registration_opens = timezone.now() - datetime.timedelta(days=2)
    small_event.save()
    with pytest.raises(RegistrationError) as error:
        register(small_event, first_of_each_pass(small_event))
    assert "inte öppen" in error.value.message
    # Organisers may register people after closing.
    assert register(small_event, first_of_each_pass(small_event), check_window=False).created


def test_consent_is_required(small_event):
    with pytest.raises(RegistrationError):
        services.register(
            event=small_event,
            name="A",
            email="a@example.se",
            organisation="B",
            consent=False,
            workshops=first_of_each_pass(small_event),
        )
    assert Registration.objects.count() == 0


def test_change_frees_the_dropped_seat(db):
    event = make_event(slug="tiny", capacity=1)
    first = first_of_each_pass(event)
    second = first_of_each_pass(event, 1)
    anna = register(event, first, email="a@example.se").registration
    with pytest.raises(RegistrationError):
        register(event, first, email="b@example.se")
    services.change_choices(registration=anna, workshops=[second[0], first[1], first[2]])
    assert selectors.seats_taken([first[0].pk]) == {}
    # The freed seat in W1 can now be taken; W2 and W3 are still Anna's.
    bertil = register(event, [first[0], second[1], second[2]], email="b@example.se")
    assert bertil.created
    assert set(anna.choices.values_list("workshop_id", flat=True)) == {
        second[0].pk,
        first[1].pk,
        first[2].pk,
    }


def test_change_to_a_full_workshop_is_refused_and_keeps_old_choices(db):
    event = make_event(slug="tiny", capacity=1)
    first = first_of_each_pass(event)
    second = first_of_each_pass(event, 1)
    anna = register(event, first, email="a@example.se").registration
    register(event, second, email="b@example.se")
    with pytest.raises(RegistrationError) as error:
        services.change_choices(registration=anna, workshops=[second[0], first[1], first[2]])
    assert error.value.workshop.pk == second[0].pk
    assert set(anna.choices.values_list("workshop_id", flat=True)) == {w.pk for w in first}


def test_change_keeping_a_full_workshop_is_allowed(db):
    event = make_event(slug="tiny", capacity=1)
    first = first_of_each_pass(event)
    second = first_of_each_pass(event, 1)
    anna = register(event, first, email="a@example.se").registration
    services.change_choices(registration=anna, workshops=[first[0], second[1], first[2]])
    assert set(anna.choices.values_list("workshop_id", flat=True)) == {
        first[0].pk,
        second[1].pk,
        first[2].pk,
    }


def test_change_breaking_the_rule_is_refused(small_event):
    anna = register(small_event, first_of_each_pass(small_event)).registration
    with pytest.raises(RegistrationError):
        services.change_choices(registration=anna, workshops=first_of_each_pass(small_event)[:2])
    assert anna.choices.count() == 3


def test_cancel_frees_all_seats_and_allows_registering_again(
    db, django_capture_on_commit_callbacks
):
    event = make_event(slug="tiny", capacity=1)
    first = first_of_each_pass(event)
    anna = register(event, first, email="a@example.se").registration
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration=anna)
    anna.refresh_from_db()
    assert anna.status == Registration.Status.CANCELLED
    assert selectors.seats_taken([w.pk for w in first]) == {}
    assert "Avbokad" in mail.outbox[-1].subject
    assert register(event, first, email="b@example.se").created
    # The same person may come back.
    assert register(event, first_of_each_pass(event, 1), email="a@example.se").created


def test_cancelled_registration_cannot_be_changed(small_event):
    anna = register(small_event, first_of_each_pass(small_event)).registration
    services.cancel(registration=anna)
    with pytest.raises(RegistrationError):
        services.change_choices(registration=anna, workshops=first_of_each_pass(small_event, 1))


def test_organiser_override_records_over_capacity(db):
    event = make_event(slug="tiny", capacity=1)
    first = first_of_each_pass(event)
    register(event, first, email="a@example.se")
    result = register(event, first, email="b@example.se", allow_over_capacity=True)
    assert result.registration.choices.filter(over_capacity=True).count() == 3
    assert selectors.seats_taken([first[0].pk]) == {first[0].pk: 2}
