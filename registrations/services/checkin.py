"""The event day at the doors: check in, undo, the person at the wrong door, walk-ins.

Staff and organisers act here with their login (`by=Actor.of(user)`). The door's rules live
here, whichever screen calls them: everything needs the permission `registrations.check_in`
(both groups have it, registrations migration 0009), and placing a walk-in in a full
workshop is an organiser's override (`registrations.change_registration`, which Staff lack).
Staff can do nothing else to a registration: the admin gives them no change permission.

A check-in belongs to one workshop, so a person present in pass 1 is present nowhere in
pass 2 (selectors.with_attendance counts them). The registration's row is locked before a
check-in is written, so two staff marking one person at once run one after the other; the
unique constraint on (registration, workshop) backs that up.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reglab.locking import lock_rows
from workshops.models import Event, Workshop

from .. import emails, selectors
from ..models import CheckIn, Choice, Registration
from ..normalise import normalise_email
from . import rules
from .audit import Action, Actor, pass_label, record
from .errors import RegistrationError, try_again_when_busy
from .registration import change_choices, record_overrides

CHECK_IN_PERMISSION = "registrations.check_in"
OVERRIDE_PERMISSION = "registrations.change_registration"


def may_check_in(user) -> bool:
    return user.is_authenticated and user.has_perm(CHECK_IN_PERMISSION)


def may_override(user) -> bool:
    """Only an organiser may place someone in a full workshop at the door."""
    return may_check_in(user) and user.has_perm(OVERRIDE_PERMISSION)


def _require(by: Actor, allowed) -> None:
    if by.user is None or not allowed(by.user):
        raise RegistrationError(_("Du har inte behörighet att göra det här vid dörren."))


def wrong_door_message(seat) -> str:
    """What staff see for a person whose seat this pass (a Choice, or a door list's
    person) is in another room."""
    return _("anmäld till %(code)s i %(room)s under det här passet") % {
        "code": seat.workshop.code,
        "room": seat.workshop.room.name,
    }


def _seat_in_pass(registration: Registration, workshop: Workshop) -> Choice | None:
    return (
        registration.choices.select_related("workshop__room", "slot")
        .filter(slot_id=workshop.slot_id)
        .first()
    )


def _already_present(registration: Registration, workshop: Workshop) -> bool:
    return CheckIn.objects.filter(registration=registration, workshop=workshop).exists()


def _mark_present(registration: Registration, workshop: Workshop, *, by: Actor) -> bool:
    """Write the check-in unless there is one; True when this call wrote it."""
    if _already_present(registration, workshop):
        return False
    try:
        # A savepoint: a simultaneous check-in (caught by the unique constraint) leaves the
        # caller's transaction usable.
        with transaction.atomic():
            CheckIn.objects.create(registration=registration, workshop=workshop, by=by.user)
    except IntegrityError:
        return False
    record(
        registration,
        Action.CHECKED_IN,
        by=by,
        summary=f"{pass_label(workshop.slot)}: {workshop.code}",
    )
    return True


def check_in(*, registration: Registration, workshop: Workshop, by: Actor) -> bool:
    """Mark the person present at this workshop's door; nothing happens if they already are.

    They must hold their seat here: at the wrong door the refusal says where it is (the
    door then offers `move_at_door`). Returns True when this call checked them in.
    """
    _require(by, may_check_in)
    with try_again_when_busy(), transaction.atomic():
        registration = rules.lock_confirmed(registration)
        seat = _seat_in_pass(registration, workshop)
        if seat is None or seat.workshop_id != workshop.pk:
            where = (
                wrong_door_message(seat)
                if seat is not None
                else _("har ingen plats under %(slot)s") % {"slot": workshop.slot.label}
            )
            raise RegistrationError(
                _("%(name)s: %(where)s") % {"name": registration.name, "where": where},
                workshop=workshop,
            )
        return _mark_present(registration, workshop, by=by)


def undo_check_in(*, registration: Registration, workshop: Workshop, by: Actor) -> bool:
    """Take back a check-in (a tap on the wrong name). Returns True when there was one."""
    _require(by, may_check_in)
    with transaction.atomic():
        (registration,) = lock_rows(Registration.objects.all(), [registration.pk])
        deleted, _rows = CheckIn.objects.filter(
            registration=registration, workshop=workshop
        ).delete()
        if deleted:
            record(
                registration,
                Action.CHECK_IN_UNDONE,
                by=by,
                summary=f"{pass_label(workshop.slot)}: {workshop.code}",
            )
    return bool(deleted)


def _move_here(
    registration: Registration, to_workshop: Workshop, *, by: Actor, allow_over_capacity: bool
) -> Registration:
    """Give the person their seat of this pass in `to_workshop` and check them in there.

    Through `change_choices`, like any change: one workshop per pass, a free seat needed,
    the old seat freed and its queue moved on, the "changed" e-mail, the trail. A check-in at
    the old door (they were marked there by mistake) is taken back.
    """
    seat = _seat_in_pass(registration, to_workshop)
    if seat is not None and seat.workshop_id == to_workshop.pk:
        _mark_present(registration, to_workshop, by=by)
        return registration
    kept = [
        c.workshop
        for c in registration.choices.select_related("workshop__slot")
        if c.slot_id != to_workshop.slot_id
    ]
    try:
        registration = change_choices(
            registration=registration,
            workshops=[*kept, to_workshop],
            allow_over_capacity=allow_over_capacity,
            check_window=False,
            by=by,
        )
    except RegistrationError as error:
        if error.workshop is not None and error.workshop.pk == to_workshop.pk:
            raise RegistrationError(
                _("%(code)s har ingen ledig plats, så %(name)s kan inte flyttas hit.")
                % {"code": to_workshop.code, "name": registration.name},
                workshop=to_workshop,
            ) from error
        raise
    if seat is not None:
        undone, _rows = CheckIn.objects.filter(
            registration=registration, workshop_id=seat.workshop_id
        ).delete()
        if undone:
            record(
                registration,
                Action.CHECK_IN_UNDONE,
                by=by,
                summary=f"{pass_label(to_workshop.slot)}: {seat.workshop.code}",
            )
    record(
        registration,
        Action.MOVED_AT_DOOR,
        by=by,
        summary=f"{pass_label(to_workshop.slot)}: "
        + (f"{seat.workshop.code} → {to_workshop.code}" if seat else to_workshop.code),
    )
    _mark_present(registration, to_workshop, by=by)
    return registration


def move_at_door(*, registration: Registration, to_workshop: Workshop, by: Actor) -> Registration:
    """The wrong door: the person holds a seat in another workshop of this pass and stays
    here. Needs a free seat here; their other passes stay as they are."""
    _require(by, may_check_in)
    with try_again_when_busy(), transaction.atomic():
        # The registration first, as change_choices does: the same lock order.
        registration = rules.lock_confirmed(registration)
        return _move_here(registration, to_workshop, by=by, allow_over_capacity=False)


def add_walk_in(
    *,
    event: Event,
    workshop: Workshop,
    name: str,
    organisation: str,
    email: str = "",
    consent: bool,
    by: Actor,
    allow_over_capacity: bool = False,
) -> Registration:
    """Someone who did not register comes to this door: a registration marked `walk_in`,
    holding a seat in this workshop only (rules.check_one_per_pass), checked in at once.

    Their seat counts like any other, so it needs a free one; in a full workshop only an
    organiser may place them (`allow_over_capacity`), recorded as an override. With an
    e-mail address they get a message with their private link; an address that is already
    registered is refused (find the person in the list), except a walk-in's from an earlier
    pass, who is given this pass too.
    """
    _require(by, may_check_in)
    if allow_over_capacity:
        _require(by, may_override)
    # The same checks as any registration: this event's published workshop, names without
    # control characters, the address as it is compared and stored.
    rules.check_offered(event, workshop)
    if not consent:
        raise RegistrationError(
            _("Personen behöver godkänna att uppgifterna sparas."), field="consent"
        )
    name, organisation, email = name.strip(), organisation.strip(), normalise_email(email)
    rules.check_details(name=name, organisation=organisation)
    with try_again_when_busy(), transaction.atomic():
        existing = selectors.registration_by_address(event, email)
        if existing is not None:
            if existing.walk_in and _seat_in_pass(existing, workshop) is None:
                existing = rules.lock_confirmed(existing)
                return _move_here(
                    existing, workshop, by=by, allow_over_capacity=allow_over_capacity
                )
            raise RegistrationError(
                _("%(email)s är redan anmäld (%(name)s). Sök på namnet i listan.")
                % {"email": email, "name": existing.name},
                field="email",
            )
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event,
                    name=name,
                    email=email,
                    organisation=organisation,
                    consent=True,
                    walk_in=True,
                )
        except IntegrityError:
            raise RegistrationError(
                _("%(email)s anmäldes nyss av någon annan. Sök på namnet i listan.")
                % {"email": email},
                field="email",
            ) from None
        # The person's row before the workshop's lock, as in `register`.
        try:
            over = rules.lock_and_check_seats([workshop], allow_over_capacity=allow_over_capacity)
        except RegistrationError as error:
            full = (
                _("%(code)s är full. Som arrangör kan du ändå ge personen en plats.")
                if may_override(by.user)
                else _("%(code)s är full. Bara en arrangör kan lägga till någon över platsgränsen.")
            )
            raise RegistrationError(
                full % {"code": workshop.code},
                workshop=workshop,
                field="allow_over_capacity",
                confirm_label=_("Lägg till över platsgränsen"),
            ) from error
        Choice.objects.create(
            registration=registration,
            slot_id=workshop.slot_id,
            workshop=workshop,
            over_capacity=over[workshop.pk],
        )
        record(
            registration,
            Action.WALK_IN,
            by=by,
            summary=f"{pass_label(workshop.slot)}: {workshop.code}",
        )
        record_overrides(registration, [workshop] if over[workshop.pk] else [], by=by)
        _mark_present(registration, workshop, by=by)
        if email:
            emails.send_later(registration, "walk_in")
    return registration
