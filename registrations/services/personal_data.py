"""Personal data: a participant's own erasure, and anonymising an event after the day.

The database is the only place the site keeps it: the public pages write no sessions (the
thanks page reads a cookie the browser keeps and shows its address only while a registration
has it), so erasing or anonymising the registration leaves nothing behind on the server.
Each event is anonymised `Event.anonymise_after_days` after its date by `anonymise_due`,
which the daily `anonymise_registrations --due --apply` runs (README, Drift).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from reglab.locking import lock_rows
from workshops.models import Event

from ..models import Registration, new_checkin_code, new_token
from .audit import PARTICIPANT, SYSTEM, Action, Actor, record
from .cancellation import cancel
from .errors import try_again_when_busy

ANONYMISED_NAME = "Anonymiserad"


def _anonymise_one(registration: Registration) -> None:
    # A unique, undeliverable address (RFC 2606 reserves .invalid) keeps the partial unique
    # constraint on (lower(email), event) satisfied; a new token kills the old private link,
    # a new check-in code the badge's.
    registration.name = ANONYMISED_NAME
    registration.organisation = ANONYMISED_NAME
    registration.email = f"anonymiserad-{registration.pk}@invalid"
    registration.token = new_token()
    registration.checkin_code = new_checkin_code()
    registration.save(
        update_fields=["name", "organisation", "email", "token", "checkin_code", "updated_at"]
    )


def anonymise(
    *,
    event: Event,
    before: datetime.date | None = None,
    dry_run: bool = False,
    by: Actor = SYSTEM,
) -> int:
    """Erase names, e-mail addresses and organisations of an event's registrations.

    Status and choices stay, so the number of participants per workshop is kept for
    statistics. `before` limits it to registrations made before that day (local time).
    Returns how many registrations were (or, with dry_run, would be) anonymised.
    """
    registrations = Registration.objects.filter(event=event).exclude(
        email__startswith="anonymiserad-", email__endswith="@invalid"
    )
    if before is not None:
        registrations = registrations.filter(created_at__date__lt=before)
    if dry_run:
        return registrations.count()
    with transaction.atomic():
        locked = lock_rows(registrations, registrations.values_list("pk", flat=True))
        for registration in locked:
            _anonymise_one(registration)
            record(registration, Action.ANONYMISED, by=by)
    return len(locked)


def events_due(today: datetime.date | None = None) -> list[Event]:
    """Events whose anonymisation day (Event.anonymise_on) has come, oldest first."""
    today = today or timezone.localdate()
    past = Event.objects.filter(date__lt=today).order_by("date", "pk")
    return [event for event in past if event.anonymise_on <= today]


def anonymise_due(
    *, today: datetime.date | None = None, dry_run: bool = False, by: Actor = SYSTEM
) -> dict[Event, int]:
    """Anonymise every event that is due (see `events_due`): {event: registrations}."""
    return {event: anonymise(event=event, dry_run=dry_run, by=by) for event in events_due(today)}


def erase(*, registration: Registration, by: Actor = PARTICIPANT) -> Registration:
    """A participant's own erasure: cancel (freeing the seats) and anonymise, in one go.

    No e-mail is sent: the address is gone, and the person has just seen the confirmation.
    """
    with try_again_when_busy(), transaction.atomic():
        registration = cancel(registration=registration, notify=False, by=by)
        _anonymise_one(registration)
        record(registration, Action.ERASED, by=by)
    return registration
