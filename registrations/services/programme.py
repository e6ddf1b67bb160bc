"""Organisers' edits of the programme that affect people already registered.

Lowering seats below those registered never removes anyone: it is refused unless the
organiser confirms, and then the workshop is overbooked. A workshop that changes room keeps
its participants, who are mailed. One that changes pass cannot simply keep them (they would
hold two workshops in the new pass and none in the old), so its participants follow it: in
the new pass it replaces their workshop there (that seat goes to its queue), and in the old
pass each gets a seat in the workshop with the most free seats. Refused when the old pass
lacks those seats. Each check returns every problem, so the admin form can show them all.

A new date or venue for the event, or new times for a pass, changes the agenda of everyone
registered (for those passes): saving is refused until the organiser confirms that they will
be told, and then each gets one e-mail with the new agenda and an updated calendar file.
Passes of one event may not overlap.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops.models import Room, Workshop

from .. import emails, selectors
from ..models import Choice, Registration
from . import queue as queues
from . import rules
from .audit import SYSTEM, Action, Actor, record
from .errors import RegistrationError, try_again_when_busy


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
    taken = selectors.seats_taken(w.pk for w in workshops)
    overbooked = []
    for workshop in workshops:
        workshop.room = room
        if taken.get(workshop.pk, 0) > room.capacity:
            overbooked.append((workshop, taken[workshop.pk]))
    return [_overbooking_problem(overbooked)] if overbooked else []


def save_room(
    *, room: Room, confirm_overbooking: bool = False, by: Actor = SYSTEM
) -> list[Registration]:
    """Save an organiser's edit of a room. More seats move the queues in; fewer than those
    registered needs `confirm_overbooking`. Returns the people moved in from queues."""
    with try_again_when_busy(), transaction.atomic():
        if room.pk is None:
            room.save()
            return []
        slot_ids = Workshop.objects.filter(room=room).values_list("slot_id", flat=True)
        rules.lock_passes(set(slot_ids))
        problems = room_change_problems(room=room, confirm_overbooking=confirm_overbooking)
        if problems:
            raise problems[0]
        room.save()
        return queues.fill_freed_seats(
            room.workshops.filter(capacity=None).values_list("pk", flat=True)
        )


def workshop_change_problems(
    *, workshop: Workshop, confirm_overbooking: bool, move_participants: bool
) -> list[RegistrationError]:
    """What stops saving `workshop` (with its new, unsaved pass, room and seats)?"""
    if workshop.pk is None:
        return []
    old = Workshop.objects.select_related("room", "slot").get(pk=workshop.pk)
    registered = selectors.seats_taken([old.pk]).get(old.pk, 0)
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
        Workshop.objects.published()
        .filter(slot_id=workshop.slot_id)
        .exclude(pk=workshop.pk)
        .select_related("room")
        .order_by("number")
    )
    taken = selectors.seats_taken(w.pk for w in others)
    return {w.pk: selectors.seats_free(w, taken.get(w.pk, 0)) for w in others}


def save_workshop(
    *,
    workshop: Workshop,
    confirm_overbooking: bool = False,
    move_participants: bool = False,
    by: Actor = SYSTEM,
) -> list[Registration]:
    """Save an organiser's edit of a workshop; see the note above for who is affected how.

    Everything happens in one transaction with the old and new passes locked. Returns the
    people moved in from queues.
    """
    with try_again_when_busy(), transaction.atomic():
        if workshop.pk is None:
            workshop.save()
            return []
        old_slot_id = Workshop.objects.values_list("slot_id", flat=True).get(pk=workshop.pk)
        rules.lock_passes({old_slot_id, workshop.slot_id})
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
            return _follow_to_new_pass(workshop, old, participants, by=by)
        if old.room_id != workshop.room_id:
            room = Room.objects.get(pk=workshop.room_id)
            for registration in participants:
                record(
                    registration,
                    Action.MOVED_BY_PROGRAMME,
                    by=by,
                    summary=_("%(code)s flyttade till %(room)s")
                    % {"code": workshop.code, "room": room.name},
                )
                emails.send_later(registration, "workshop_moved")
        return queues.fill_freed_seats([workshop.pk])


def _follow_to_new_pass(
    workshop: Workshop, old: Workshop, participants: list[Registration], *, by: Actor
) -> list[Registration]:
    """The workshop now lies in another pass: its participants follow it there, and get the
    freest other workshop of the old pass. Its queue (in the old pass) ends."""
    free = _free_seats_elsewhere(old)
    released = []
    for registration in participants:
        in_old = Choice.objects.get(registration=registration, slot_id=old.slot_id)
        in_new = Choice.objects.filter(registration=registration, slot_id=workshop.slot_id).first()
        if in_new is None:
            # A walk-in holds no seat in the new pass: they follow, and leave none behind.
            in_old.slot_id = workshop.slot_id
            in_old.save(update_fields=["slot"])
            record(
                registration,
                Action.MOVED_BY_PROGRAMME,
                by=by,
                summary=_("%(code)s bytte till %(new)s")
                % {"code": workshop.code, "new": workshop.slot.label},
            )
            emails.send_later(registration, "workshop_moved_pass")
            continue
        released.append(in_new.workshop_id)
        in_new.workshop, in_new.over_capacity = workshop, in_old.over_capacity
        in_new.save(update_fields=["workshop", "over_capacity"])
        # The most free seats, then the lowest number (free is in workshop number order).
        placed = max(free, key=lambda pk: free[pk])
        free[placed] -= 1
        in_old.workshop_id, in_old.over_capacity = placed, False
        in_old.save(update_fields=["workshop", "over_capacity"])
        record(
            registration,
            Action.MOVED_BY_PROGRAMME,
            by=by,
            summary=_("%(code)s bytte till %(new)s; under %(old)s placerad i W%(placed)s")
            % {
                "code": workshop.code,
                "new": workshop.slot.label,
                "old": old.slot.label,
                "placed": Workshop.objects.values_list("number", flat=True).get(pk=placed),
            },
        )
        # They queued against their old workshop in the new pass; that wish no longer holds.
        why = _("(workshoppen man hade bytte pass)")
        queues.leave_queues_of(
            registration, registration.queue.filter(slot_id=workshop.slot_id), by=by, why=why
        )
        emails.send_later(registration, "workshop_moved_pass")
    waiting = list(
        Registration.objects.filter(queue__workshop=workshop).select_related("event").distinct()
    )
    for registration in waiting:
        queues.leave_queues_of(
            registration,
            registration.queue.filter(workshop=workshop),
            by=by,
            why=_("(kön togs bort när workshoppen bytte pass)"),
        )
        emails.send_later(registration, "queue_workshop_moved")
    return queues.fill_freed_seats([*released, workshop.pk])
