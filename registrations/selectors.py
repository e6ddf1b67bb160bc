"""Read-only queries for registrations: seats left, a person's agenda."""

from django.db.models import Count, Prefetch, Q

from workshops.models import Event, Workshop, WorkshopPresenter

from .models import Choice, Registration


def workshops_with_seats(event: Event, *, exclude_registration=None):
    """The event's workshops, with `seats_taken` counted in the same query, by pass and number."""
    confirmed = Q(choices__registration__status=Registration.Status.CONFIRMED)
    if exclude_registration is not None:
        confirmed &= ~Q(choices__registration=exclude_registration)
    return (
        Workshop.objects.for_programme()
        .filter(event=event)
        .annotate(seats_taken=Count("choices", filter=confirmed))
        .order_by("slot__number", "number")
    )


def agenda(registration: Registration) -> list[Choice]:
    """The registration's choices in pass order, with workshop, room and presenters loaded."""
    return list(
        registration.choices.select_related("slot__event", "workshop__room", "workshop__event")
        .prefetch_related(
            Prefetch(
                "workshop__workshop_presenters",
                queryset=WorkshopPresenter.objects.select_related("presenter").order_by("order"),
            )
        )
        .order_by("slot__number")
    )


def registration_by_token(token: str) -> Registration | None:
    """A confirmed registration by its private token; None for unknown or cancelled ones."""
    return Registration.objects.confirmed().select_related("event").filter(token=token).first()
