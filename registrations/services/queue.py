"""The waiting list: one queue per full workshop, at most one per person and pass.

A freed seat goes to the first person in that workshop's queue, whose own seat in that pass
is freed in turn; `fill_freed_seats` follows the chain inside the transaction that freed the
first seat, with the passes locked (`rules.lock_passes`).
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reglab.locking import lock_first
from workshops.models import TimeSlot, Workshop

from .. import emails, selectors
from ..models import Choice, QueueEntry, Registration
from . import rules
from .audit import PARTICIPANT, SYSTEM, Action, Actor, pass_label, record
from .errors import RegistrationError, try_again_when_busy


def first_in_queue(workshop: Workshop) -> QueueEntry | None:
    """The queue's first entry of a confirmed person, locked until the transaction ends."""
    return lock_first(
        QueueEntry.objects.select_related("registration__event")
        .filter(workshop=workshop, registration__status=Registration.Status.CONFIRMED)
        .in_order()
    )


def fill_freed_seats(
    workshop_ids: Iterable[int], *, actor: Registration | None = None
) -> list[Registration]:
    """Move queued people into free seats of these workshops, and follow the chain.

    Call inside the transaction that freed the seats, with those workshops' passes locked
    (`rules.lock_passes`). Each move takes the first person in the queue, releases their old
    seat in that pass (whose workshop is filled next) and deletes their queue entry; since
    every move consumes an entry, the chain ends. Returns the people moved; each is mailed
    their new programme after the commit, except `actor`, whose own request started the
    chain: the caller tells them in its own e-mail.
    """
    pending = set(workshop_ids)
    moved: list[Registration] = []
    while pending:
        workshop_id = min(pending)
        pending.discard(workshop_id)
        (workshop,) = rules.lock_workshops([workshop_id])
        free = selectors.seats_free(
            workshop, selectors.seats_taken([workshop_id]).get(workshop_id, 0)
        )
        while free > 0:
            entry = first_in_queue(workshop)
            if entry is None:
                break
            choice = lock_first(
                Choice.objects.filter(registration=entry.registration, slot_id=entry.slot_id)
            )
            pending.add(choice.workshop_id)
            left = choice.workshop.code
            choice.workshop = workshop
            choice.over_capacity = False
            choice.save(update_fields=["workshop", "over_capacity"])
            entry.delete()
            record(
                entry.registration,
                Action.MOVED_FROM_QUEUE,
                by=SYSTEM,
                summary=f"{pass_label(workshop.slot)}: {left} → {workshop.code}",
            )
            moved.append(entry.registration)
            free -= 1
    # One e-mail per person, even if they moved in more than one pass.
    for registration in {r.pk: r for r in moved}.values():
        if actor is None or registration.pk != actor.pk:
            emails.send_later(registration, "moved")
    return moved


def _not_of_event(workshop: Workshop, event) -> RegistrationError:
    return RegistrationError(
        _("%(code)s hör inte till %(event)s.") % {"code": workshop.code, "event": event},
        workshop=workshop,
    )


def _has_seat_there(workshop: Workshop) -> RegistrationError:
    return RegistrationError(
        _("Du har redan en plats i %(code)s, så du kan inte köa till den.")
        % {"code": workshop.code},
        slot=workshop.slot,
        workshop=workshop,
    )


def _has_free_seats(workshop: Workshop) -> RegistrationError:
    return RegistrationError(
        _("%(code)s har lediga platser: välj den i stället för att köa.") % {"code": workshop.code},
        slot=workshop.slot,
        workshop=workshop,
    )


def _one_per_pass(workshops: Iterable[Workshop]) -> dict[int, Workshop]:
    by_slot: dict[int, Workshop] = {}
    for workshop in workshops:
        if by_slot.get(workshop.slot_id, workshop).pk != workshop.pk:
            raise RegistrationError(one_queue_per_pass_message(workshop.slot), slot=workshop.slot)
        by_slot[workshop.slot_id] = workshop
    return by_slot


def check_wishes(event, *, chosen: Iterable[Workshop], wishes: Iterable[Workshop]) -> None:
    """The queue wishes of a registration not saved yet, refused as `sync_queue` and
    `add_to_queue` would refuse them (same order, same messages), from `rules.counted_now`
    workshops, without locks.

    `register` runs this before it looks at the address, so a known address and a new one
    get the same refusal; a new registration's wishes are checked again under the locks.
    """
    chosen_ids = {w.pk for w in chosen}
    wishes = sorted(wishes, key=lambda w: w.pk)
    for workshop in sorted(_one_per_pass(wishes).values(), key=lambda w: w.slot.number):
        if workshop.event_id != event.pk:
            raise _not_of_event(workshop, event)
        if workshop.pk in chosen_ids:
            raise _has_seat_there(workshop)
        if not selectors.is_full(workshop, workshop.seats_taken):
            raise _has_free_seats(workshop)


def add_to_queue(registration: Registration, workshop: Workshop, *, by: Actor) -> QueueEntry:
    """Queue the person for a full workshop whose row the caller has locked.

    The messages name the pass, so a form can show them next to it.
    """
    slot = workshop.slot
    rules.check_offered(registration.event, workshop)
    if registration.choices.filter(workshop=workshop).exists():
        raise _has_seat_there(workshop)
    if not selectors.is_full(workshop, selectors.seats_taken([workshop.pk]).get(workshop.pk, 0)):
        raise _has_free_seats(workshop)
    try:
        with transaction.atomic():
            entry = QueueEntry.objects.create(
                registration=registration, slot=slot, workshop=workshop
            )
    except IntegrityError:
        raise RegistrationError(
            _("Du står redan i kö under %(slot)s. Lämna den kön först.") % {"slot": slot.label},
            slot=slot,
        ) from None
    record(registration, Action.QUEUED, by=by, summary=f"{pass_label(slot)}: {workshop.code}")
    return entry


def leave_queues_of(registration: Registration, entries, *, by: Actor, why: str = "") -> None:
    """Delete these queue entries of the person, each recorded in the trail."""
    for entry in entries.select_related("workshop", "slot"):
        summary = f"{pass_label(entry.slot)}: {entry.workshop.code}"
        record(registration, Action.LEFT_QUEUE, by=by, summary=f"{summary} {why}".strip())
        entry.delete()


def one_queue_per_pass_message(slot: TimeSlot) -> str:
    # Also shown by the form, which checks the same early so it comes with the other errors.
    return _("Du kan stå i kö till en workshop per pass. Välj bara en under %(slot)s.") % {
        "slot": slot.label
    }


def sync_queue(registration: Registration, workshops: list[Workshop], *, by: Actor) -> None:
    """Make the person's queues these workshops (their rows locked by the caller).

    At most one per pass. An entry for a workshop still wanted keeps its place; the others
    are left, and new ones join at the end of their queue.
    """
    # Read again under the lock (the caller holds it already): seats may have changed since
    # the form was read.
    by_slot = _one_per_pass(rules.lock_workshops(w.pk for w in workshops))
    kept = set(
        registration.queue.filter(workshop__in=list(by_slot.values())).values_list(
            "workshop_id", flat=True
        )
    )
    leave_queues_of(registration, registration.queue.exclude(workshop_id__in=kept), by=by)
    for workshop in sorted(by_slot.values(), key=lambda w: w.slot.number):
        if workshop.pk not in kept:
            add_to_queue(registration, workshop, by=by)


def join_queue(
    *, registration: Registration, workshop: Workshop, by: Actor = PARTICIPANT
) -> QueueEntry:
    """Queue for a full workshop, keeping the confirmed seat; one queue per pass."""
    with try_again_when_busy(), transaction.atomic():
        registration = rules.lock_confirmed(registration)
        rules.check_window(registration.event)
        (workshop,) = rules.lock_workshops([workshop.pk])
        return add_to_queue(registration, workshop, by=by)


def leave_queue(*, registration: Registration, slot: TimeSlot, by: Actor = PARTICIPANT) -> None:
    """Leave the queue of this pass; nothing happens if the person was not in it."""
    with transaction.atomic():
        leave_queues_of(registration, registration.queue.filter(slot=slot), by=by)


def remove_from_queue(*, entries: Iterable[QueueEntry], by: Actor = SYSTEM) -> int:
    """An organiser takes these people out of their queues (their seats stay as they are)."""
    with transaction.atomic():
        removing = list(
            QueueEntry.objects.filter(pk__in=[e.pk for e in entries])
            .select_related("registration")
            .order_by("pk")
        )
        for entry in removing:
            leave_queues_of(
                entry.registration,
                QueueEntry.objects.filter(pk=entry.pk),
                by=by,
                why=_("(borttagen ur kön av en arrangör)"),
            )
    return len(removing)


def move_to_front(*, entries: Iterable[QueueEntry], by: Actor = SYSTEM) -> int:
    """An organiser's decision: these people go first in their queues, recorded with the time."""
    with transaction.atomic():
        moving = list(
            QueueEntry.objects.filter(pk__in=[e.pk for e in entries], moved_to_front_at=None)
            .select_related("registration", "workshop", "slot")
            .order_by("pk")
        )
        for entry in moving:
            entry.moved_to_front_at = timezone.now()
            entry.save(update_fields=["moved_to_front_at"])
            record(
                entry.registration,
                Action.MOVED_TO_FRONT,
                by=by,
                summary=f"{pass_label(entry.slot)}: {entry.workshop.code}",
            )
    return len(moving)
