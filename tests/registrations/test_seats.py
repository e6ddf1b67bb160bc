"""One meaning of a seat and of "full", whichever query or page asks."""

from registrations import selectors, services
from registrations.forms import RegistrationForm
from tests.conftest import register_people
from workshops.models import Workshop


def counts(event, **kwargs):
    ids = list(event.workshops.values_list("pk", flat=True))
    taken = selectors.seats_taken(ids, **kwargs)
    annotated = selectors.with_seats_taken(Workshop.objects.filter(pk__in=ids), **kwargs)
    shown = selectors.workshops_to_show(event, **kwargs)
    return (
        {pk: taken.get(pk, 0) for pk in ids},
        {w.pk: w.seats_taken for w in annotated},
        {w.pk: w.seats_taken for w in shown},
    )


def test_every_count_of_seats_leaves_out_the_cancelled_and_the_excluded(small_event):
    first, second, cancelled = register_people(small_event, 3)
    services.cancel(registration=cancelled, notify=False)
    first_workshop = first.choices.first().workshop_id

    everyone, annotated, shown = counts(small_event)
    assert everyone[first_workshop] == 2
    assert everyone == annotated == shown

    others, annotated, shown = counts(small_event, exclude_registration=first)
    assert others[first_workshop] == 1
    assert others == annotated == shown


def test_an_overbooked_workshop_is_full_with_no_free_seats_on_the_form(small_event):
    register_people(small_event, 3)
    workshop = small_event.workshops.order_by("number").first()
    Workshop.objects.filter(pk=workshop.pk).update(capacity=2)  # lowered and confirmed
    workshop.refresh_from_db()

    assert selectors.seats_free(workshop, 3) == 0
    assert selectors.is_full(workshop, 3) and selectors.is_full(workshop, 2)
    assert not selectors.is_full(workshop, 1)
    form = RegistrationForm(workshops=selectors.workshops_to_show(small_event))
    (option,) = [o for g in form.pass_groups() for o in g.options if o.workshop.pk == workshop.pk]
    assert option.full and option.seats_left == 0
