"""The rules every registration obeys, and the locks under which seats are counted.

Exactly one workshop in each of the event's passes (a walk-in: at most one, in the passes
they walked in to); a seat only where one is free (the workshop's own capacity, else its
room's); changes only while registration is open.

Concurrency: the chosen workshops' rows are locked (SELECT ... FOR UPDATE, in id order, see
reglab.locking) before their seats are counted, so two people can never take the last seat
together on PostgreSQL. SQLite serialises writers itself (transaction_mode=IMMEDIATE in
settings).
"""

from collections.abc import Iterable, Mapping, Sequence

from django.utils.translation import gettext as _

from reglab.locking import lock_ids, lock_rows
from workshops.models import Event, TimeSlot, Workshop

from .. import selectors
from ..models import Registration
from ..normalise import bad_characters_message, has_bad_characters
from .errors import RegistrationError


def check_window(event: Event) -> None:
    """The registration window, the one rule (and message) for registering, changing and
    queueing; Event.is_registration_open is its date test, also used to choose what a page
    shows (the form or when registration opens)."""
    if not event.is_registration_open():
        raise RegistrationError(_("Anmälan till %(event)s är inte öppen.") % {"event": event})


def check_offered(event: Event, workshop: Workshop) -> None:
    """A seat or a queue place only in a published workshop of this event."""
    if workshop.event_id != event.pk:
        raise RegistrationError(
            _("%(code)s hör inte till %(event)s.") % {"code": workshop.code, "event": event},
            workshop=workshop,
        )
    if workshop.is_draft:
        raise RegistrationError(
            _("%(code)s är inte publicerad än.") % {"code": workshop.code}, workshop=workshop
        )


def check_one_per_pass(
    event: Event,
    workshops: Iterable[Workshop],
    *,
    walk_in: bool = False,
    passes: Sequence[TimeSlot] | None = None,
) -> dict[int, Workshop]:
    """Exactly one published workshop in each of the event's passes. Returns {slot id: workshop}.

    A walk-in (Registration.walk_in), added at one door on the day, holds a seat only where
    they came: at most one workshop per pass, and at least one. Their empty passes hold no
    seat, so every count of seats stays right.

    `passes`: the event's passes in order, as the caller read them for this request
    (selectors.programme_to_choose); else read here.
    """
    slots = list(passes) if passes is not None else list(event.slots.order_by("number"))
    by_slot: dict[int, Workshop] = {}
    for workshop in workshops:
        check_offered(event, workshop)
        if workshop.slot_id in by_slot and by_slot[workshop.slot_id].pk != workshop.pk:
            slot = next(s for s in slots if s.pk == workshop.slot_id)
            raise RegistrationError(
                _("Välj bara en workshop under %(slot)s.") % {"slot": slot.label}, slot=slot
            )
        by_slot[workshop.slot_id] = workshop
    missing = [slot for slot in slots if slot.pk not in by_slot]
    if missing and (not walk_in or len(missing) == len(slots)):
        raise RegistrationError(missing_choice_message(missing[0]), slot=missing[0])
    return by_slot


def missing_choice_message(slot: TimeSlot) -> str:
    # Also the form's, which says it with the other mistakes before asking the services.
    return _("Välj en workshop under %(slot)s.") % {"slot": slot.label}


def lock_workshops(ids: Iterable[int]) -> list[Workshop]:
    """The workshops' rows, locked until the transaction ends, always in id order.

    Read again once locked: a query that waited for the lock returns the locked rows as they
    are now but the rows it joins (the rooms) as they were when it began, and an organiser
    changing a room's seats holds these locks meanwhile (`save_room`).
    """
    ids = sorted(set(ids))
    lock_ids(Workshop, ids)  # the lock is what counts, not the rows
    return list(Workshop.objects.select_related("room", "slot").filter(pk__in=ids).order_by("pk"))


def lock_passes(slot_ids: Iterable[int]) -> list[Workshop]:
    """Lock every workshop of these passes, in id order, before reading anyone's choices.

    A freed seat can pull queued people across all workshops of its pass, so a service that
    may free a seat holds the whole pass: the chain of moves then never waits halfway.
    """
    ids = Workshop.objects.filter(slot_id__in=list(slot_ids)).values_list("pk", flat=True)
    return lock_workshops(ids)


def lock_confirmed(registration: Registration) -> Registration:
    """The registration's row as it is now, locked until the transaction ends; a cancelled
    one cannot be changed."""
    (registration,) = lock_rows(Registration.objects.select_related("event"), [registration.pk])
    if not registration.is_confirmed:
        raise RegistrationError(_("Anmälan är avbokad och kan inte ändras."))
    return registration


def full_message(workshop: Workshop) -> str:
    return _("%(code)s %(title)s har blivit fullt. Välj en annan workshop under %(slot)s.") % {
        "code": workshop.code,
        "title": workshop.title_text,
        "slot": workshop.slot.label,
    }


NO_SEATS = selectors.Seats(taken=0, capacity=0)


def check_seats(
    workshops: Iterable[Workshop],
    seats: Mapping[int, selectors.Seats],
    *,
    allow_over_capacity: bool,
) -> dict[int, bool]:
    """Each workshop must have a free seat, given `seats` ({workshop id: Seats}).

    Returns {workshop id: over capacity} so an organiser's deliberate override is recorded.
    """
    over = {}
    for workshop in workshops:
        # A workshop gone from the database since the caller read it has no seats to give.
        full = seats.get(workshop.pk, NO_SEATS).full
        if full and not allow_over_capacity:
            raise RegistrationError(full_message(workshop), slot=workshop.slot, workshop=workshop)
        over[workshop.pk] = full
    return over


def counted_now(
    workshops: Iterable[Workshop], *, taken: Mapping[int, int] | None = None
) -> dict[int, Workshop]:
    """These workshops, each a copy with `seats_taken` counted now, in one query and without
    locks: {id: workshop}, in id order. `taken`: the caller's count of this moment
    (`selectors.seats_taken`), used instead of a query of its own.

    Their capacity is what the caller read (a submission's, from this request): a seat is
    only given by `lock_and_check_seats`, which reads the seats again under their locks.
    """
    by_id = {w.pk: w for w in workshops}
    if taken is None:
        taken = selectors.seats_taken(sorted(by_id))
    return {pk: selectors.copy_with_seats(by_id[pk], taken.get(pk, 0)) for pk in sorted(by_id)}


def refuse_if_already_full(workshops: Iterable[Workshop]) -> None:
    """The seat check without locks, on workshops from `counted_now`.

    In a rush most submissions are for workshops that are already full. Refused here, they
    do not queue behind the registrations that hold those rows. A refusal from a count a
    moment old is what the person would have got a moment earlier; a seat is only ever
    given under the lock, by `lock_and_check_seats`.
    """
    workshops = sorted(workshops, key=lambda w: w.pk)
    seats = {w.pk: selectors.Seats.of(w) for w in workshops}
    check_seats(workshops, seats, allow_over_capacity=False)


def check_details(*, name: str, organisation: str) -> None:
    """Names and organisations without control or bidi-override characters (normalise)."""
    for field, value in (("name", name), ("organisation", organisation)):
        if has_bad_characters(value):
            raise RegistrationError(bad_characters_message(field), field=field)


def lock_and_check_seats(
    workshops: Iterable[Workshop], *, exclude_registration=None, allow_over_capacity=False
) -> dict[int, bool]:
    """Lock the workshops' rows and make sure each has a free seat (see `check_seats`).

    The seats are read after the locks are held, in one statement with how many each
    workshop has: like `lock_workshops`' second read, it sees the rooms as they are now. The
    messages name the workshops as the caller has them.
    """
    by_id = {w.pk: w for w in workshops}
    ids = sorted(by_id)
    lock_ids(Workshop, ids)  # the lock is what counts, not the rows
    seats = selectors.seats_now(ids, exclude_registration=exclude_registration)
    return check_seats([by_id[pk] for pk in ids], seats, allow_over_capacity=allow_over_capacity)
