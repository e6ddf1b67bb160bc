"""The form keeps the programme's texts per process; seat counts and edits still show at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations import option_texts, selectors
from tests.conftest import register_people
from workshops.models import Room


def form_url(event):
    return reverse("registrations:register", args=[event.slug])


def test_an_edited_title_shows_on_the_form_at_once(client, programme):
    workshop = programme.workshops.get(number=1)
    assert workshop.title in client.get(form_url(programme)).text
    workshop.title = "En helt ny titel på W1"
    workshop.save()
    assert "En helt ny titel på W1" in client.get(form_url(programme)).text


def test_a_room_renamed_by_queryset_update_shows_on_the_form_at_once(client, programme):
    workshop = programme.workshops.select_related("room").get(number=1)
    client.get(form_url(programme))
    Room.objects.filter(pk=workshop.room_id).update(name="Omdöpt lokal")
    assert "Omdöpt lokal" in client.get(form_url(programme)).text


def test_texts_are_read_once_but_seats_are_counted_on_every_showing(client, small_event):
    first = small_event.workshops.order_by("slot__number", "number").first()
    with CaptureQueriesContext(connection) as cold:
        client.get(form_url(small_event))
    before = {w.pk: selectors.Seats.of(w).left for w in selectors.workshops_to_show(small_event)}

    register_people(small_event, 2)

    with CaptureQueriesContext(connection) as warm:
        client.get(form_url(small_event))
    after = {w.pk: selectors.Seats.of(w).left for w in selectors.workshops_to_show(small_event)}
    assert after[first.pk] == before[first.pk] - 2
    assert len(warm) < len(cold), "texts and presenters come from the kept copy"


def test_each_showing_gets_its_own_seat_counts(small_event):
    """Two requests in one process (threads) must not overwrite each other's counts."""
    (person,) = register_people(small_event, 1)
    chosen = set(person.choices.values_list("workshop_id", flat=True))

    for_others = selectors.workshops_to_show(small_event)
    for_person = selectors.workshops_to_show(small_event, exclude_registration=person)

    for workshop in for_others:
        assert workshop.seats_taken == (1 if workshop.pk in chosen else 0)
    for workshop in for_person:
        assert workshop.seats_taken == 0


def test_an_edited_presenter_and_room_show_on_the_form_at_once(client, programme):
    """The options' fixed text (registrations/option_texts.py) is kept by its content."""
    workshop = programme.workshops.get(number=1)
    presenter = workshop.workshop_presenters.first().presenter
    client.get(form_url(programme))
    presenter.name = "Ny Medverkande"
    presenter.save()
    workshop.room.name = "Ny lokal"
    workshop.room.save()
    page = client.get(form_url(programme)).text
    assert f"Ny lokal · Ny Medverkande ({presenter.organisation})" in page


def test_an_options_text_is_rendered_once_and_escaped(small_event):
    workshop = small_event.workshops.select_related("slot", "room").first()
    workshop.title = "<script>alert(1)</script> & mer"
    names = {"input_name": "pass_1", "queue_name": "queue_1"}
    first = option_texts.option_text(workshop, **names)
    assert first is option_texts.option_text(workshop, **names)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; mer" in first.label
    # No presenters: the info line ends with the room, not with a dangling " · ".
    assert first.info == f" · {workshop.room.name}"
    assert first.input_id == f"pass_1-{workshop.code}"
    assert first.queue_label == f"Ställ mig i kö till {workshop.code}"
