"""Everything that writes registrations. The one-workshop-per-pass rule and capacity live here.

Forms, views and the admin call these functions and show `RegistrationError.message` to people.
Each function is one transaction: a refused request leaves the database as it was.

Concurrency: the chosen workshops' rows are locked (SELECT ... FOR UPDATE, in id order so two
requests never wait on each other crosswise) before their seats are counted, so two people can
never take the last seat together on PostgreSQL. SQLite serialises writers itself
(transaction_mode=IMMEDIATE in settings). Lock waits are bounded (lock_timeout in settings);
a wait that runs out becomes a RegistrationError asking the person to try again.
"""

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops.models import Event, Room, TimeSlot, Workshop

from . import emails
from .models import Choice, QueueEntry, Registration, new_token
from .selectors import with_seats_taken


class RegistrationError(Exception):
    """A request that breaks a rule. `message` is Swedish and meant for the person.

    `slot` is set when the problem concerns one pass, so the form can show the message there;
    `field` names the admin form's input where the organiser acts on it: for a refusal they may
    override, the confirmation box (named like the service's argument that lifts it), else the
    input to change (the pass).
    """

    def __init__(
        self,
        message: str,
        *,
        slot: TimeSlot | None = None,
        workshop=None,
        field: str | None = None,
        confirm_label: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.slot = slot
        self.workshop = workshop
        self.field = field
        # For a refusal an organiser may override: what the confirmation box should say.
        self.confirm_label = confirm_label


# PostgreSQL's lock_not_available and query_canceled (lock_timeout, statement_timeout).
_BUSY_SQLSTATES = {"55P03", "57014"}


def _is_busy(error: OperationalError) -> bool:
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    # SQLite gives up waiting for the write lock after its timeout with this message.
    return "database is locked" in str(error)


@contextmanager
def _bounded_wait() -> Iterator[None]:
    """Outside the transaction: a lock wait that timed out becomes a "try again" message."""
    try:
        yield
    except OperationalError as error:
        if not _is_busy(error):
            raise
        raise RegistrationError(
            _("Det är många som anmäler sig just nu – försök igen om en stund.")
        ) from error


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    # False when the e-mail address was already registered: nothing was written, and the
    # private link was sent to that address instead. Views must answer both cases alike.
    created: bool


def seats_taken(workshop_ids: Iterable[int], *, exclude_registration=None) -> dict[int, int]:
    """Confirmed seats per workshop id (workshops with none are absent)."""
    choices = Choice.objects.filter(
        workshop_id__in=list(workshop_ids), registration__status=Registration.Status.CONFIRMED
    )
    if exclude_registration is not None:
        choices = choices.exclude(registration=exclude_registration)
    rows = choices.values("workshop_id").annotate(n=Count("id")).values_list("workshop_id", "n")
    return dict(rows)


def _check_one_per_pass(event: Event, workshops: Iterable[Workshop]) -> dict[int, Workshop]:
    """Exactly one workshop in each of the event's passes. Returns {slot id: workshop}."""
    slots = list(event.slots.order_by("number"))
    by_slot: dict[int, Workshop] = {}
    for workshop in workshops:
        if workshop.event_id != event.pk:
            raise RegistrationError(
                _("%(code)s hör inte till %(event)s.") % {"code": workshop.code, "event": event},
                workshop=workshop,
            )
        if workshop.slot_id in by_slot and by_slot[workshop.slot_id].pk != workshop.pk:
            slot = next(s for s in slots if s.pk == workshop.slot_id)
            raise RegistrationError(
                _("Välj bara en workshop under %(slot)s.") % {"slot": slot.label}, slot=slot
            )
        by_slot[workshop.slot_id] = workshop
    for slot in slots:
        if slot.pk not in by_slot:
            raise RegistrationError(
                _("Välj en workshop under %(slot)s.") % {"slot": slot.label}, slot=slot
            )
    return by_slot


def _locked_workshops(ids: list[int]) -> list[Workshop]:
    """The workshops' rows, locked until the transaction ends, always in id order."""
    return list(
        Workshop.objects.select_for_update(of=("self",))
        .select_related("room", "slot")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def _lock_confirmed(registration: Registration) -> Registration:
    """The registration's row as it is now, locked until the transaction ends; a cancelled
    one cannot be changed."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=registration.pk)
    )
    if not registration.is_confirmed:
        raise RegistrationError(_("Anmälan är avbokad och kan inte ändras."))
    return registration


def _lock_passes(slot_ids: Iterable[int]) -> list[Workshop]:
    """Lock every workshop of these passes, in id order, before reading anyone's choices.

    A freed seat can pull queued people across all workshops of its pass, so a service that
    may free a seat holds the whole pass: the chain of moves then never waits halfway.
    """
    ids = Workshop.objects.filter(slot_id__in=list(slot_ids)).values_list("pk", flat=True)
    return _locked_workshops(sorted(ids))


def _check_seats(
    workshops: Iterable[Workshop], taken: dict[int, int], *, allow_over_capacity: bool
) -> dict[int, bool]:
    """Each workshop must have a free seat, given `taken` ({workshop id: seats taken}).

    Returns {workshop id: over capacity} so an organiser's deliberate override is recorded.
    """
    over = {}
    for workshop in workshops:
        full = taken.get(workshop.pk, 0) >= workshop.effective_capacity
        if full and not allow_over_capacity:
            raise RegistrationError(
                _("%(code)s %(title)s har blivit fullt. Välj en annan workshop under %(slot)s.")
                % {"code": workshop.code, "title": workshop.title, "slot": workshop.slot.label},
                slot=workshop.slot,
                workshop=workshop,
            )
        over[workshop.pk] = full
    return over


def _refuse_if_already_full(workshops: Iterable[Workshop]) -> None:
    """The seat check without locks, in one query.

    In a rush most submissions are for workshops that are already full. Refused here, they
    do not queue behind the registrations that hold those rows. A refusal from a count a
    moment old is what the person would have got a moment earlier; a seat is only ever
    given under the lock, by `_lock_and_check_seats`.
    """
    current = with_seats_taken(
        Workshop.objects.select_related("room", "slot").filter(pk__in=[w.pk for w in workshops])
    ).order_by("pk")
    _check_seats(current, {w.pk: w.seats_taken for w in current}, allow_over_capacity=False)


def _lock_and_check_seats(
    workshops: Iterable[Workshop], *, exclude_registration=None, allow_over_capacity=False
) -> dict[int, bool]:
    """Lock the workshops' rows and make sure each has a free seat (see `_check_seats`)."""
    ids = sorted({w.pk for w in workshops})
    locked = _locked_workshops(ids)
    taken = seats_taken(ids, exclude_registration=exclude_registration)
    return _check_seats(locked, taken, allow_over_capacity=allow_over_capacity)


def _check_window(event: Event) -> None:
    if not event.is_registration_open():
        raise RegistrationError(_("Anmälan till %(event)s är inte öppen.") % {"event": event})


def register(
    *,
    event: Event,
    name: str,
    email: str,
    organisation: str,
    consent: bool,
    workshops: Iterable[Workshop],
    queue: Iterable[Workshop] = (),
    allow_over_capacity: bool = False,
    check_window: bool = True,
) -> RegistrationResult:
    """Register a person for one workshop per pass, or tell them (by e-mail) they already are.

    `queue`: full workshops to queue for at once, at most one per pass (see `_sync_queue`).
    """
    workshops = list(workshops)
    queue = list(queue)
    if not consent:
        raise RegistrationError(_("Du behöver godkänna hur vi hanterar dina personuppgifter."))
    if check_window:
        _check_window(event)
    email = email.strip()
    with _bounded_wait(), transaction.atomic():
        by_slot = _check_one_per_pass(event, workshops)
        # Looked up before any workshop is locked, so that the locks, which registrations for
        # the same workshops queue behind, are held as briefly as possible.
        existing = Registration.objects.confirmed().filter(event=event, email__iexact=email).first()
        if existing is not None:
            emails.send_later(existing, "already_registered")
            return RegistrationResult(existing, created=False)
        if not allow_over_capacity:
            _refuse_if_already_full(by_slot.values())
        if queue:
            # The queued workshops are locked with the chosen ones, all in id order.
            _locked_workshops(sorted({w.pk for w in [*by_slot.values(), *queue]}))
        over = _lock_and_check_seats(by_slot.values(), allow_over_capacity=allow_over_capacity)
        try:
            # A savepoint, so a simultaneous registration with the same address (caught by
            # the unique constraint) leaves this transaction usable.
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event,
                    name=name.strip(),
                    email=email,
                    organisation=organisation.strip(),
                    consent=True,
                )
        except IntegrityError:
            existing = (
                Registration.objects.confirmed().filter(event=event, email__iexact=email).first()
            )
            if existing is None:
                raise
            emails.send_later(existing, "already_registered")
            return RegistrationResult(existing, created=False)
        Choice.objects.bulk_create(
            Choice(
                registration=registration,
                slot_id=slot_id,
                workshop=workshop,
                over_capacity=over[workshop.pk],
            )
            for slot_id, workshop in by_slot.items()
        )
        _sync_queue(registration, queue)
        emails.send_later(registration, "confirmation")
    return RegistrationResult(registration, created=True)


def change_choices(
    *,
    registration: Registration,
    workshops: Iterable[Workshop],
    queue: Iterable[Workshop] | None = None,
    name: str | None = None,
    organisation: str | None = None,
    allow_over_capacity: bool = False,
    check_window: bool = True,
    notify: bool = True,
) -> Registration:
    """Replace a registration's workshops (and, if given, name and organisation).

    Seats of dropped workshops are freed in the same transaction; only newly chosen workshops
    need a free seat, so keeping a place in a full workshop is always possible.
    `queue`, when given, is the person's whole wish list of queues (the change form shows
    them all): queues left out are left, ones kept keep their place, new ones join at the end.

    The freed seats may start a chain that moves this person too (into a workshop they queue
    for); they then get one e-mail, the "changed" one saying so, not a second "moved" one.
    """
    workshops = list(workshops)
    queue = None if queue is None else list(queue)
    with _bounded_wait(), transaction.atomic():
        # The registration first: two changes of one registration run one after another.
        registration = _lock_confirmed(registration)
        if check_window:
            _check_window(registration.event)
        by_slot = _check_one_per_pass(registration.event, workshops)
        _lock_passes(by_slot)
        current = {c.slot_id: c for c in registration.choices.all()}
        added = [
            w
            for slot_id, w in by_slot.items()
            if slot_id not in current or current[slot_id].workshop_id != w.pk
        ]
        over = _lock_and_check_seats(
            added, exclude_registration=registration, allow_over_capacity=allow_over_capacity
        )
        for workshop in added:
            Choice.objects.update_or_create(
                registration=registration,
                slot_id=workshop.slot_id,
                defaults={"workshop": workshop, "over_capacity": over[workshop.pk]},
            )
        # Having chosen the workshop one queued for ends that wait.
        registration.queue.filter(workshop__in=added).delete()
        if queue is not None:
            _sync_queue(registration, queue)
        moved = fill_freed_seats(
            (current[w.slot_id].workshop_id for w in added if w.slot_id in current),
            actor=registration,
        )
        if name is not None:
            registration.name = name.strip()
        if organisation is not None:
            registration.organisation = organisation.strip()
        registration.save(update_fields=["name", "organisation", "updated_at"])
        kind = "changed_and_moved" if registration.pk in {r.pk for r in moved} else "changed"
        if notify and (added or kind == "changed_and_moved"):
            emails.send_later(registration, kind)
    return registration


def cancel(*, registration: Registration, notify: bool = True) -> Registration:
    """Cancel a registration; its seats are free as soon as this commits.

    The choices are kept (marked by the cancelled status) so organisers can see what was freed.
    """
    with _bounded_wait(), transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_confirmed:
            return registration
        # Lock first, then read: until then a queue could still move this person.
        _lock_passes(registration.choices.values_list("slot_id", flat=True))
        choices = list(registration.choices.all())
        registration.status = Registration.Status.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
        registration.queue.all().delete()
        fill_freed_seats(c.workshop_id for c in choices)
        if notify:
            emails.send_later(registration, "cancelled")
    return registration


def _first_in_queue(workshop: Workshop) -> QueueEntry | None:
    """The queue's first entry of a confirmed person, locked until the transaction ends."""
    return (
        QueueEntry.objects.select_for_update(of=("self",))
        .select_related("registration__event")
        .filter(workshop=workshop, registration__status=Registration.Status.CONFIRMED)
        .in_order()
        .first()
    )


def fill_freed_seats(
    workshop_ids: Iterable[int], *, actor: Registration | None = None
) -> list[Registration]:
    """Move queued people into free seats of these workshops, and follow the chain.

    Call inside the transaction that freed the seats, with those workshops' passes locked
    (`_lock_passes`). Each move takes the first person in the queue, releases their old seat
    in that pass (whose workshop is filled next) and deletes their queue entry; since every
    move consumes an entry, the chain ends. Returns the people moved; each is mailed their new
    programme after the commit, except `actor`, whose own request started the chain: the
    caller tells them in its own e-mail.
    """
    pending = set(workshop_ids)
    moved: list[Registration] = []
    while pending:
        workshop_id = min(pending)
        pending.discard(workshop_id)
        (workshop,) = _locked_workshops([workshop_id])
        free = workshop.effective_capacity - seats_taken([workshop_id]).get(workshop_id, 0)
        while free > 0:
            entry = _first_in_queue(workshop)
            if entry is None:
                break
            choice = Choice.objects.select_for_update().get(
                registration=entry.registration, slot_id=entry.slot_id
            )
            pending.add(choice.workshop_id)
            choice.workshop = workshop
            choice.over_capacity = False
            choice.save(update_fields=["workshop", "over_capacity"])
            entry.delete()
            moved.append(entry.registration)
            free -= 1
    # One e-mail per person, even if they moved in more than one pass.
    for registration in {r.pk: r for r in moved}.values():
        if actor is None or registration.pk != actor.pk:
            emails.send_later(registration, "moved")
    return moved


def _add_to_queue(registration: Registration, workshop: Workshop) -> QueueEntry:
    """Queue the person for a full workshop whose row the caller has locked.

    The messages name the pass, so a form can show them next to it.
    """
    slot = workshop.slot
    if workshop.event_id != registration.event_id:
        raise RegistrationError(
            _("%(code)s hör inte till %(event)s.")
            % {"code": workshop.code, "event": registration.event},
            workshop=workshop,
        )
    if registration.choices.filter(workshop=workshop).exists():
        raise RegistrationError(
            _("Du har redan en plats i %(code)s, så du kan inte köa till den.")
            % {"code": workshop.code},
            slot=slot,
            workshop=workshop,
        )
    if seats_taken([workshop.pk]).get(workshop.pk, 0) < workshop.effective_capacity:
        raise RegistrationError(
            _("%(code)s har lediga platser: välj den i stället för att köa.")
            % {"code": workshop.code},
            slot=slot,
            workshop=workshop,
        )
    try:
        with transaction.atomic():
            return QueueEntry.objects.create(
                registration=registration, slot=slot, workshop=workshop
            )
    except IntegrityError:
        raise RegistrationError(
            _("Du står redan i kö under %(slot)s. Lämna den kön först.") % {"slot": slot.label},
            slot=slot,
        ) from None


def one_queue_per_pass_message(slot: TimeSlot) -> str:
    # Also shown by the form, which checks the same early so it comes with the other errors.
    return _("Du kan stå i kö till en workshop per pass. Välj bara en under %(slot)s.") % {
        "slot": slot.label
    }


def _sync_queue(registration: Registration, workshops: list[Workshop]) -> None:
    """Make the person's queues these workshops (their rows locked by the caller).

    At most one per pass. An entry for a workshop still wanted keeps its place; the others
    are left, and new ones join at the end of their queue.
    """
    # Read again under the lock (the caller holds it already): seats may have changed since
    # the form was read.
    workshops = _locked_workshops(sorted({w.pk for w in workshops}))
    by_slot: dict[int, Workshop] = {}
    for workshop in workshops:
        if by_slot.get(workshop.slot_id, workshop).pk != workshop.pk:
            raise RegistrationError(one_queue_per_pass_message(workshop.slot), slot=workshop.slot)
        by_slot[workshop.slot_id] = workshop
    kept = set(
        registration.queue.filter(workshop__in=list(by_slot.values())).values_list(
            "workshop_id", flat=True
        )
    )
    registration.queue.exclude(workshop_id__in=kept).delete()
    for workshop in sorted(by_slot.values(), key=lambda w: w.slot.number):
        if workshop.pk not in kept:
            _add_to_queue(registration, workshop)


def join_queue(*, registration: Registration, workshop: Workshop) -> QueueEntry:
    """Queue for a full workshop, keeping the confirmed seat; one queue per pass."""
    with _bounded_wait(), transaction.atomic():
        registration = _lock_confirmed(registration)
        (workshop,) = _locked_workshops([workshop.pk])
        return _add_to_queue(registration, workshop)


def leave_queue(*, registration: Registration, slot: TimeSlot) -> None:
    """Leave the queue of this pass; nothing happens if the person was not in it."""
    QueueEntry.objects.filter(registration=registration, slot=slot).delete()


def move_to_front(*, entries: Iterable[QueueEntry]) -> int:
    """An organiser's decision: these people go first in their queues, recorded with the time."""
    ids = [e.pk for e in entries]
    return QueueEntry.objects.filter(pk__in=ids, moved_to_front_at=None).update(
        moved_to_front_at=timezone.now()
    )


# Organisers' edits of the programme that affect people already registered.
#
# Lowering seats below those registered never removes anyone: it is refused unless the
# organiser confirms, and then the workshop is overbooked. A workshop that changes room keeps
# its participants, who are mailed. One that changes pass cannot simply keep them (they would
# hold two workshops in the new pass and none in the old), so its participants follow it: in
# the new pass it replaces their workshop there (that seat goes to its queue), and in the old
# pass each gets a seat in the workshop with the most free seats. Refused when the old pass
# lacks those seats. Each check returns every problem, so the admin form can show them all.


def _overbooking_problem(overbooked: list[tuple[Workshop, int]]) -> RegistrationError:
    total = sum(n for _, n in overbooked)
    workshops = ", ".join(
        ngettext(
            "%(code)s (%(n)s anmälda, %(capacity)s plats)",
            "%(code)s (%(n)s anmälda, %(capacity)s platser)",
            w.effective_capacity,
        )
        % {"code": w.code, "n": n, "capacity": w.effective_capacity}
        for w, n in overbooked
    )
    return RegistrationError(
        ngettext(
            "Fler är anmälda än det blir platser: %(workshops)s. Ingen förlorar sin plats, men "
            "workshoppen blir överbokad. Kryssa i rutan om du vill spara ändå.",
            "Fler är anmälda än det blir platser: %(workshops)s. Ingen förlorar sin plats, men "
            "workshopparna blir överbokade. Kryssa i rutan om du vill spara ändå.",
            len(overbooked),
        )
        % {"workshops": workshops},
        field="confirm_overbooking",
        confirm_label=_("Jag förstår att %(n)s anmälda är fler än platserna") % {"n": total},
    )


def room_change_problems(*, room: Room, confirm_overbooking: bool) -> list[RegistrationError]:
    """What stops saving `room` (with its new, unsaved capacity)? Empty when nothing does.

    Only workshops without their own limit use the room's seats.
    """
    if room.pk is None or confirm_overbooking:
        return []
    old = Room.objects.get(pk=room.pk)
    if room.capacity >= old.capacity:
        return []
    workshops = list(room.workshops.filter(capacity=None).select_related("room").order_by("number"))
    taken = seats_taken(w.pk for w in workshops)
    overbooked = []
    for workshop in workshops:
        workshop.room = room
        if taken.get(workshop.pk, 0) > room.capacity:
            overbooked.append((workshop, taken[workshop.pk]))
    return [_overbooking_problem(overbooked)] if overbooked else []


def save_room(*, room: Room, confirm_overbooking: bool = False) -> list[Registration]:
    """Save an organiser's edit of a room. More seats move the queues in; fewer than those
    registered needs `confirm_overbooking`. Returns the people moved in from queues."""
    with _bounded_wait(), transaction.atomic():
        if room.pk is None:
            room.save()
            return []
        slot_ids = Workshop.objects.filter(room=room).values_list("slot_id", flat=True)
        _lock_passes(set(slot_ids))
        problems = room_change_problems(room=room, confirm_overbooking=confirm_overbooking)
        if problems:
            raise problems[0]
        room.save()
        return fill_freed_seats(room.workshops.filter(capacity=None).values_list("pk", flat=True))


def workshop_change_problems(
    *, workshop: Workshop, confirm_overbooking: bool, move_participants: bool
) -> list[RegistrationError]:
    """What stops saving `workshop` (with its new, unsaved pass, room and seats)?"""
    if workshop.pk is None:
        return []
    old = Workshop.objects.select_related("room", "slot").get(pk=workshop.pk)
    registered = seats_taken([old.pk]).get(old.pk, 0)
    problems = []
    capacity = workshop.effective_capacity
    lowered = capacity < old.effective_capacity
    if lowered and registered > capacity and not confirm_overbooking:
        problems.append(_overbooking_problem([(workshop, registered)]))
    moves_pass = workshop.slot_id != old.slot_id
    # A new pass ends the workshop's queue; a new room keeps it.
    queued = old.queue.count() if moves_pass else 0
    move = None if move_participants else _move_problem(workshop, old, registered, queued)
    if move is not None:
        problems.append(move)
    if moves_pass and registered:
        free = _free_seats_elsewhere(old)
        if sum(free.values()) < registered:
            problems.append(
                RegistrationError(
                    ngettext(
                        "%(code)s kan inte byta pass: den som är anmäld behöver en plats i en "
                        "annan workshop under %(old)s, och där finns ingen ledig. Ge fler "
                        "platser där, eller flytta deltagaren först.",
                        "%(code)s kan inte byta pass: dess %(n)s anmälda behöver var sin plats "
                        "i en annan workshop under %(old)s, och där finns bara %(free)s lediga. "
                        "Ge fler platser där, eller flytta deltagarna först.",
                        registered,
                    )
                    % {
                        "code": old.code,
                        "n": registered,
                        "old": old.slot.label,
                        "free": sum(free.values()),
                    },
                    field="slot",
                )
            )
    return problems


def _move_problem(
    workshop: Workshop, old: Workshop, registered: int, queued: int
) -> RegistrationError | None:
    """The confirmation a new room or pass needs, saying what saving does to whom; None when
    it touches nobody. `queued` are those whose queue a new pass ends."""
    confirm_label = None
    if workshop.slot_id != old.slot_id and registered:
        message = ngettext(
            "Den som är anmäld till %(code)s byter pass med workshoppen: hen följer med till "
            "det nya passet, där hens plats i den workshop hen hade går till den som står "
            "först i kön, och får en ledig plats i en annan workshop under %(old)s. ",
            "%(n)s anmälda till %(code)s byter pass med workshoppen: de följer med till "
            "det nya passet, där deras plats i den workshop de hade går till den som står "
            "först i kön, och får en ledig plats i en annan workshop under %(old)s. ",
            registered,
        )
        if queued:
            message += ngettext(
                "Den som står i kö till %(code)s tas ur kön. ",
                "De %(queued)s i kö till %(code)s tas ur kön. ",
                queued,
            )
        message += _("Alla får ett mejl. Kryssa i rutan för att spara.")
    elif workshop.slot_id != old.slot_id and queued:
        # Nobody's seat moves, but the queue ends and its people are told: that is what the
        # organiser confirms here.
        message = ngettext(
            "Ingen är anmäld till %(code)s, men en står i kö. Kön tas bort när workshoppen "
            "byter pass; den som köar behåller sina platser och får ett mejl om det. Kryssa "
            "i rutan för att spara.",
            "Ingen är anmäld till %(code)s, men %(queued)s står i kö. Kön tas bort när "
            "workshoppen byter pass; de som köar behåller sina platser och får ett mejl om "
            "det. Kryssa i rutan för att spara.",
            queued,
        )
        confirm_label = ngettext(
            "Ta bort kön och mejla den som köar",
            "Ta bort kön och mejla de %(queued)s som köar",
            queued,
        )
    elif workshop.room_id != old.room_id and registered:
        message = ngettext(
            "Den som är anmäld till %(code)s behåller sin plats i den nya lokalen och får "
            "ett mejl med den och en ny kalenderfil. Kryssa i rutan för att spara.",
            "%(n)s anmälda till %(code)s behåller sina platser i den nya lokalen och får "
            "ett mejl med den och en ny kalenderfil. Kryssa i rutan för att spara.",
            registered,
        )
    else:
        return None
    values = {"n": registered, "queued": queued, "code": old.code, "old": old.slot.label}
    return RegistrationError(
        message % values,
        field="move_participants",
        confirm_label=confirm_label % values if confirm_label else None,
    )


def _free_seats_elsewhere(workshop: Workshop) -> dict[int, int]:
    """{workshop id: free seats} of the other workshops in this workshop's pass."""
    others = list(
        Workshop.objects.filter(slot_id=workshop.slot_id)
        .exclude(pk=workshop.pk)
        .select_related("room")
        .order_by("number")
    )
    taken = seats_taken(w.pk for w in others)
    return {w.pk: max(w.effective_capacity - taken.get(w.pk, 0), 0) for w in others}


def save_workshop(
    *, workshop: Workshop, confirm_overbooking: bool = False, move_participants: bool = False
) -> list[Registration]:
    """Save an organiser's edit of a workshop; see the note above for who is affected how.

    Everything happens in one transaction with the old and new passes locked. Returns the
    people moved in from queues.
    """
    with _bounded_wait(), transaction.atomic():
        if workshop.pk is None:
            workshop.save()
            return []
        old_slot_id = Workshop.objects.values_list("slot_id", flat=True).get(pk=workshop.pk)
        _lock_passes({old_slot_id, workshop.slot_id})
        problems = workshop_change_problems(
            workshop=workshop,
            confirm_overbooking=confirm_overbooking,
            move_participants=move_participants,
        )
        if problems:
            raise problems[0]
        old = Workshop.objects.select_related("slot", "room").get(pk=workshop.pk)
        participants = list(
            Registration.objects.confirmed()
            .filter(choices__workshop=old)
            .select_related("event")
            .order_by("created_at", "pk")
        )
        workshop.save()
        if old.slot_id != workshop.slot_id:
            return _follow_to_new_pass(workshop, old, participants)
        if old.room_id != workshop.room_id:
            for registration in participants:
                emails.send_later(registration, "workshop_moved")
        return fill_freed_seats([workshop.pk])


def _follow_to_new_pass(
    workshop: Workshop, old: Workshop, participants: list[Registration]
) -> list[Registration]:
    """The workshop now lies in another pass: its participants follow it there, and get the
    freest other workshop of the old pass. Its queue (in the old pass) ends."""
    free = _free_seats_elsewhere(old)
    released = []
    for registration in participants:
        in_new = Choice.objects.get(registration=registration, slot_id=workshop.slot_id)
        released.append(in_new.workshop_id)
        in_old = Choice.objects.get(registration=registration, slot_id=old.slot_id)
        in_new.workshop, in_new.over_capacity = workshop, in_old.over_capacity
        in_new.save(update_fields=["workshop", "over_capacity"])
        # The most free seats, then the lowest number (free is in workshop number order).
        placed = max(free, key=lambda pk: free[pk])
        free[placed] -= 1
        in_old.workshop_id, in_old.over_capacity = placed, False
        in_old.save(update_fields=["workshop", "over_capacity"])
        # They queued against their old workshop in the new pass; that wish no longer holds.
        registration.queue.filter(slot_id=workshop.slot_id).delete()
        emails.send_later(registration, "workshop_moved_pass")
    waiting = list(
        Registration.objects.filter(queue__workshop=workshop).select_related("event").distinct()
    )
    QueueEntry.objects.filter(workshop=workshop).delete()
    for registration in waiting:
        emails.send_later(registration, "queue_workshop_moved")
    return fill_freed_seats([*released, workshop.pk])


ANONYMISED_NAME = "Anonymiserad"


def _anonymise_one(registration: Registration) -> None:
    # A unique, undeliverable address (RFC 2606 reserves .invalid) keeps the partial unique
    # constraint on (lower(email), event) satisfied; a new token kills the old private link.
    registration.name = ANONYMISED_NAME
    registration.organisation = ANONYMISED_NAME
    registration.email = f"anonymiserad-{registration.pk}@invalid"
    registration.token = new_token()
    registration.save(update_fields=["name", "organisation", "email", "token", "updated_at"])


def anonymise(*, event: Event, before: datetime.date | None = None, dry_run: bool = False) -> int:
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
        locked = list(registrations.select_for_update().order_by("pk"))
        for registration in locked:
            _anonymise_one(registration)
    return len(locked)


def erase(*, registration: Registration) -> Registration:
    """A participant's own erasure: cancel (freeing the seats) and anonymise, in one go.

    No e-mail is sent: the address is gone, and the person has just seen the confirmation.
    """
    with _bounded_wait(), transaction.atomic():
        registration = cancel(registration=registration, notify=False)
        _anonymise_one(registration)
    return registration


def resend_link(*, event: Event, email: str) -> None:
    """Mail the private link to a registered address; silently nothing for an unknown one."""
    registration = (
        Registration.objects.confirmed().filter(event=event, email__iexact=email.strip()).first()
    )
    if registration is not None:
        emails.send_later(registration, "link")
