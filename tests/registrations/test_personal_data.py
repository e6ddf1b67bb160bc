"""Personal data: organisers anonymise an event afterwards; a participant erases their own."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from registrations import selectors, services
from registrations.models import Registration
from tests.conftest import make_event
from workshops.models import Event, Workshop


def register(event, email, numbers=(1, 3, 5)):
    return services.register(
        event=event,
        name="Anna Andersson",
        email=email,
        organisation="Region Test",
        consent=True,
        workshops=Workshop.objects.filter(event=event, number__in=numbers),
    ).registration


def seats_per_workshop(event):
    return dict(
        Workshop.objects.filter(event=event).annotate(n=Count("choices")).values_list("number", "n")
    )


def test_anonymise_erases_people_but_keeps_counts_per_workshop(small_event):
    other_event = make_event(slug="other")
    people = [register(small_event, f"p{i}@example.se") for i in range(3)]
    services.cancel(registration=people[0], notify=False)
    kept = register(other_event, "kept@example.se")
    tokens = {p.pk: p.token for p in people}
    counts = seats_per_workshop(small_event)

    assert services.anonymise(event=small_event) == 3

    for person in Registration.objects.filter(event=small_event):
        assert (person.name, person.organisation) == ("Anonymiserad", "Anonymiserad")
        assert person.email == f"anonymiserad-{person.pk}@invalid"
        assert person.token != tokens[person.pk]
    assert seats_per_workshop(small_event) == counts
    assert Registration.objects.get(pk=kept.pk).email == "kept@example.se"
    # Nothing left to do the second time, and the confirmed ones still count as confirmed.
    assert services.anonymise(event=small_event) == 0
    assert Registration.objects.confirmed().filter(event=small_event).count() == 2


def test_anonymise_before_a_date_leaves_later_registrations(small_event):
    old = register(small_event, "old@example.se")
    Registration.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=10)
    )
    new = register(small_event, "new@example.se", numbers=(2, 4, 6))
    cutoff = timezone.localdate() - datetime.timedelta(days=5)
    assert services.anonymise(event=small_event, before=cutoff) == 1
    assert Registration.objects.get(pk=old.pk).name == "Anonymiserad"
    assert Registration.objects.get(pk=new.pk).email == "new@example.se"


def test_command_is_a_dry_run_unless_applied(small_event, capsys):
    person = register(small_event, "p@example.se")
    call_command("anonymise_registrations", "--event", small_event.slug)
    assert "Dry run: would anonymise 1 registrations of test-event" in capsys.readouterr().out
    assert Registration.objects.get(pk=person.pk).email == "p@example.se"

    call_command("anonymise_registrations", "--event", small_event.slug, "--apply")
    assert "Anonymised 1 registrations of test-event." in capsys.readouterr().out
    assert Registration.objects.get(pk=person.pk).name == "Anonymiserad"


def test_command_refuses_an_unknown_event(db):
    with pytest.raises(Exception, match="No event with the slug 'nope'"):
        call_command("anonymise_registrations", "--event", "nope")


def test_participant_erases_own_registration_after_confirming(client, small_event):
    person = register(small_event, "me@example.se")
    private = client.get(reverse("registrations:private", args=[person.token])).content.decode()
    erase_url = reverse("registrations:erase", args=[person.token])
    assert erase_url in private

    page = client.get(erase_url)
    assert page.status_code == 200 and "Vill du radera dina uppgifter?" in page.content.decode()
    assert Registration.objects.get(pk=person.pk).email == "me@example.se"

    response = client.post(erase_url)
    assert response["Location"] == reverse("registrations:erased", args=[small_event.slug])
    assert "Dina uppgifter är raderade" in client.get(response["Location"]).content.decode()
    person.refresh_from_db()
    assert not person.is_confirmed
    assert (person.name, person.email) == ("Anonymiserad", f"anonymiserad-{person.pk}@invalid")
    assert client.get(reverse("registrations:private", args=[person.token])).status_code == 404
    assert client.get(erase_url).status_code == 404
    # The seats are free again, and the same address can register anew.
    assert selectors.seats_taken(Workshop.objects.values_list("pk", flat=True)) == {}
    assert register(small_event, "me@example.se").is_confirmed


def test_privacy_page_says_what_why_how_long_and_who_and_the_form_links_it(client, programme):
    page = client.get(reverse("privacy")).content.decode()
    for heading in ("Vad vi sparar", "Varför", "Vem som ser dem", "Hur länge", "radera"):
        assert heading in page
    form = client.get(reverse("registrations:register", args=[programme.slug])).content.decode()
    # The event's own privacy page, which names its data controller.
    assert f'href="{reverse("event_privacy", args=[programme.slug])}"' in form


def held_on(event, date, after_days=90):
    Event.objects.filter(pk=event.pk).update(date=date, anonymise_after_days=after_days)
    event.refresh_from_db()
    return event


def test_an_event_is_due_for_anonymisation_its_days_after_the_event(small_event):
    today = timezone.localdate()
    other = make_event(slug="other")
    held_on(small_event, today - datetime.timedelta(days=90))
    held_on(other, today - datetime.timedelta(days=89))
    assert small_event.anonymise_on == today
    assert services.events_due(today) == [small_event]
    assert services.events_due(today - datetime.timedelta(days=1)) == []
    held_on(other, today - datetime.timedelta(days=10), after_days=7)
    assert services.events_due(today) == [small_event, other]


def test_the_due_run_anonymises_due_events_and_leaves_the_others(small_event, capsys):
    today = timezone.localdate()
    coming = make_event(slug="coming")
    gone = register(held_on(small_event, today - datetime.timedelta(days=91)), "gone@example.se")
    kept = register(coming, "kept@example.se")

    call_command("anonymise_registrations", "--due")
    assert "Dry run: would anonymise 1 registrations of due events (test-event: 1)" in (
        capsys.readouterr().out
    )
    assert Registration.objects.get(pk=gone.pk).email == "gone@example.se"

    call_command("anonymise_registrations", "--due", "--apply")
    assert "Anonymised 1 registrations of due events (test-event: 1)." in capsys.readouterr().out
    assert Registration.objects.get(pk=gone.pk).name == "Anonymiserad"
    assert Registration.objects.get(pk=kept.pk).email == "kept@example.se"
    # The next day's run has nothing left to do.
    call_command("anonymise_registrations", "--due", "--apply")
    assert "Anonymised 0 registrations" in capsys.readouterr().out


def test_the_command_wants_an_event_or_due(db):
    with pytest.raises(CommandError):
        call_command("anonymise_registrations")
    with pytest.raises(CommandError, match="--before goes with --event"):
        call_command("anonymise_registrations", "--due", "--before", "2025-01-01")


def test_the_privacy_page_states_the_day_from_the_events_setting(client, programme):
    held_on(programme, datetime.date(2030, 3, 14), after_days=30)
    page = client.get(reverse("privacy")).content.decode()
    assert "Utsikt är insikt (14 mars 2030): uppgifterna raderas den 13 april 2030." in page
    assert "tre månader" not in page
    # Once the day has passed, the event is no longer listed.
    held_on(programme, timezone.localdate() - datetime.timedelta(days=31), after_days=30)
    assert "Utsikt är insikt (" not in client.get(reverse("privacy")).content.decode()
