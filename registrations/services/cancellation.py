"""Cancelling: one registration or many at once, and a preview of what cancelling would do
(who is mailed, who moves in from which queue), for the organiser to confirm."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from reglab.locking import lock_rows
from workshops.models import TimeSlot, Workshop

from .. import emails
from ..models import Choice, QueueEntry, Registration
from . import queue as queues
from . import rules
from .audit import PARTICIPANT, SYSTEM, Action, Actor, record
from .errors import try_again_when_busy


def cancel(
    *, registration: Registration, notify: bool = True, by: Actor = PARTICIPANT
) -> Registration:
    """Cancel a registration; its seats are free as soon as this commits.

    The choices are kept (marked by the cancelled status) so organisers can see what was freed.
    """
    cancel_many(registrations=[registration], notify=notify, by=by)
    registration.refresh_from_db()
    return registration


def cancel_many(
    *, registrations: Iterable[Registration], notify: bool = True, by: Actor = PARTICIPANT
) -> list[Registration]:
    """Cancel these registrations together, in one transaction; returns those it cancelled
    (the ones already cancelled are left as they are).

    All are cancelled before any queue moves, so nobody in the batch is moved into a freed
    seat (and mailed about it) only to be cancelled a moment later. Every freed seat then goes
    to its queue, as for one cancellation. The admin's "delete" of a registration comes here
    too: the record stays, with its trail.
    """
    with try_again_when_busy(), transaction.atomic():
        cancelling, _moved = _cancel_all(list(registrations), by=by)
        if notify:
            for registration in cancelling:
                emails.send_later(registration, "cancelled")
    return cancelling


def _cancel_all(
    registrations: list[Registration], *, by: Actor
) -> tuple[list[Registration], list[Registration]]:
    """Cancel, inside the caller's transaction; returns those cancelled and those moved in."""
    locked = lock_rows(Registration.objects.select_related("event"), [r.pk for r in registrations])
    cancelling = [r for r in locked if r.is_confirmed]
    if not cancelling:
        return [], []
    choices = Choice.objects.filter(registration__in=cancelling)
    # Lock first, then read: until then a queue could still move these people.
    rules.lock_passes(choices.values_list("slot_id", flat=True))
    freed = list(choices.values_list("workshop_id", flat=True))
    for registration in cancelling:
        registration.status = Registration.Status.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
        record(registration, Action.CANCELLED, by=by)
        queues.leave_queues_of(registration, registration.queue.all(), by=by)
    return cancelling, queues.fill_freed_seats(freed)


@dataclass(frozen=True)
class QueueMove:
    """Someone a cancellation moves in from a queue: in `slot`, from the workshop they had
    (`left`) into the one whose queue they stood first in (`joined`)."""

    registration: Registration
    slot: TimeSlot
    left: Workshop
    joined: Workshop


@dataclass(frozen=True)
class CancelPreview:
    """What `cancel_many` would do, for the organiser to confirm: who is cancelled (and
    mailed), who is already cancelled (nothing happens to them), who moves in from which
    queue (and is mailed their new programme)."""

    cancelling: list[Registration]
    already_cancelled: list[Registration]
    moves: list[QueueMove]


class _DryRun(Exception):
    """Rolls the preview's transaction back."""


def preview_cancel(*, registrations: Iterable[Registration]) -> CancelPreview:
    """Cancel in a transaction that is rolled back, and report what happened.

    The real service decides, chain of queue moves included, so the preview cannot drift
    from it; the rollback discards its writes and its e-mails (sent only after a commit).
    """
    registrations = list(registrations)
    try:
        with try_again_when_busy(), transaction.atomic():
            # Only someone standing in a queue can be moved.
            queuing = Choice.objects.filter(
                registration__in=QueueEntry.objects.values("registration_id")
            )
            before = {(c.registration_id, c.slot_id): c.workshop_id for c in queuing}
            cancelling, moved = _cancel_all(registrations, by=SYSTEM)
            after = list(Choice.objects.filter(registration__in=moved))
            raise _DryRun
    except _DryRun:
        pass
    changed = [c for c in after if before[(c.registration_id, c.slot_id)] != c.workshop_id]
    workshops = Workshop.objects.select_related("slot").in_bulk(
        {c.workshop_id for c in changed} | {before[(c.registration_id, c.slot_id)] for c in changed}
    )
    people = Registration.objects.in_bulk({c.registration_id for c in changed})
    moves = [
        QueueMove(
            registration=people[c.registration_id],
            slot=workshops[c.workshop_id].slot,
            left=workshops[before[(c.registration_id, c.slot_id)]],
            joined=workshops[c.workshop_id],
        )
        for c in changed
    ]
    cancelled = {r.pk for r in cancelling}
    ordered = sorted(registrations, key=lambda r: (r.name.casefold(), r.pk))
    return CancelPreview(
        cancelling=[r for r in ordered if r.pk in cancelled],
        already_cancelled=[r for r in ordered if r.pk not in cancelled],
        moves=sorted(moves, key=lambda m: (m.slot.number, m.joined.number, m.registration.pk)),
    )
