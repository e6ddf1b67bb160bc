"""Registering, changing and cancelling: the participant's own writes (and the organiser's,
through the admin, with the same rules).

Each function is one transaction: a refused request leaves the database as it was. E-mails
are handed to `emails.send_later`, which sends them after the commit.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reglab import languages
from workshops.models import Event, TimeSlot, Workshop

from .. import emails, selectors
from ..models import Choice, Registration
from ..normalise import normalise_email
from . import queue as queues
from . import rules
from .audit import (
    PARTICIPANT,
    Action,
    Actor,
    pass_label,
    record,
    trail_language,
    workshops_summary,
)
from .errors import RegistrationError, try_again_when_busy


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    # False when the e-mail address was already registered: nothing was written, and the
    # private link was sent to that address instead. Views must answer both cases alike.
    created: bool


def _link_instead(existing: Registration) -> RegistrationResult:
    emails.send_later(existing, "already_registered")
    return RegistrationResult(existing, created=False)


def already_registered_error(email: str) -> RegistrationError:
    """What an organiser is told when adding an address that is registered already. (The
    site tells nobody: `register` mails that address its link instead.)"""
    return RegistrationError(
        _("%(email)s är redan anmäld till evenemanget.") % {"email": email}, field="email"
    )


def refuse_if_registered(*, event: Event, email: str) -> None:
    """The organisers' form asks before saving, to show it with the other input's problems;
    `register` finds the same registration again when saving (and under the database's
    unique constraint), and then returns `created=False`."""
    if selectors.registration_by_address(event, email) is not None:
        raise already_registered_error(email)


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
    by: Actor = PARTICIPANT,
    passes: Sequence[TimeSlot] | None = None,
    seats_taken: Mapping[int, int] | None = None,
) -> RegistrationResult:
    """Register a person for one workshop per pass, or tell them (by e-mail) they already are.

    `queue`: full workshops to queue for at once, at most one per pass (see `queue.sync_queue`).
    `passes`: the event's passes as the caller read them with the workshops
    (selectors.programme_to_choose), so the rule needs no query for them.
    `seats_taken`: the caller's count of this moment, without locks (`selectors.seats_taken`
    of the event's workshops), for the early refusal below instead of a count of its own: the
    form shown after a refusal then shows the seats it was refused on, from one query.

    Every check of the input comes before the address is looked up, so a stranger who types
    someone's address learns nothing: a refusal is the same for a known and a new address,
    and what passes them all is answered alike by the views (`created` aside).
    """
    workshops = list(workshops)
    queue = list(queue)
    if not consent:
        raise RegistrationError(_("Du behöver godkänna hur vi hanterar dina personuppgifter."))
    if check_window:
        rules.check_window(event)
    rules.check_details(name=name, organisation=organisation)
    email = normalise_email(email)
    by_slot = rules.check_one_per_pass(event, workshops, passes=passes)
    # Unlocked, before the transaction: most submissions in a rush are refused here, without a
    # BEGIN and a ROLLBACK, and the locks that registrations for the same workshops queue behind
    # are not held for these round trips.
    now = rules.counted_now([*by_slot.values(), *queue], taken=seats_taken)
    if not allow_over_capacity:
        rules.refuse_if_already_full(now[w.pk] for w in by_slot.values() if w.pk in now)
    queues.check_wishes(
        event, chosen=by_slot.values(), wishes=[now[w.pk] for w in queue if w.pk in now]
    )
    # The address is not looked up first: the unique constraint finds a registration that has
    # it (committed, or being saved at this moment), which ends this transaction at its first
    # statement, and that registration answers. A new address saves the round trip.
    try:
        with try_again_when_busy(), transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                name=name.strip(),
                email=email,
                organisation=organisation.strip(),
                consent=True,
                language=languages.current(),
            )
            chosen = sorted(by_slot.values(), key=lambda w: w.slot.number)
            record(
                registration,
                Action.CREATED,
                by=by,
                summary=workshops_summary(chosen),
            )
            emails.send_later(registration, "confirmation")
            # The seats last: the workshops' locks, which everyone registering for them queues
            # behind, are held only for the count and the choices (and rolled back with the rest
            # if one is full). The person's row comes first, as in every service that locks a
            # registration and then its workshops.
            if queue:
                # The queued workshops are locked with the chosen ones, all in id order.
                rules.lock_workshops(w.pk for w in [*by_slot.values(), *queue])
            over = rules.lock_and_check_seats(
                by_slot.values(), allow_over_capacity=allow_over_capacity
            )
            Choice.objects.bulk_create(
                Choice(
                    registration=registration,
                    slot_id=slot_id,
                    workshop=workshop,
                    over_capacity=over[workshop.pk],
                )
                for slot_id, workshop in by_slot.items()
            )
            record_overrides(registration, [w for w in chosen if over[w.pk]], by=by)
            if queue:  # a new registration stands in no queue yet: nothing to leave
                queues.sync_queue(registration, queue, by=by)
    except IntegrityError:
        existing = selectors.registration_by_address(event, email)
        if existing is None:
            raise
    else:
        return RegistrationResult(registration, created=True)
    # Outside the handler: a mail sent at once (immediate tasks) must not log the constraint's
    # error, which names the address, as the exception being handled.
    return _link_instead(existing)


def record_overrides(registration: Registration, workshops: list[Workshop], *, by: Actor):
    """An organiser's placements in full workshops, each recorded as an override."""
    for workshop in workshops:
        with trail_language():
            summary = _("%(code)s var full") % {"code": workshop.code}
        record(registration, Action.OVERRIDE, by=by, summary=summary)


def _take_new_seats(
    registration: Registration,
    by_slot: dict[int, Workshop],
    *,
    allow_over_capacity: bool,
    by: Actor,
) -> tuple[list[Workshop], list[int]]:
    """Give the registration the workshops it does not hold yet (each needs a free seat).

    Returns the workshops added and the ids of the workshops whose seats were given up.
    """
    current = {c.slot_id: c.workshop_id for c in registration.choices.all()}
    added = [w for slot_id, w in by_slot.items() if current.get(slot_id) != w.pk]
    over = rules.lock_and_check_seats(
        added, exclude_registration=registration, allow_over_capacity=allow_over_capacity
    )
    codes = dict(Workshop.objects.filter(pk__in=current.values()).values_list("pk", "number"))
    for workshop in added:
        Choice.objects.update_or_create(
            registration=registration,
            slot_id=workshop.slot_id,
            defaults={"workshop": workshop, "over_capacity": over[workshop.pk]},
        )
        before = codes.get(current.get(workshop.slot_id))
        record(
            registration,
            Action.CHANGED,
            by=by,
            summary=f"{pass_label(workshop.slot)}: "
            + (f"W{before} → {workshop.code}" if before is not None else workshop.code),
        )
    record_overrides(registration, [w for w in added if over[w.pk]], by=by)
    released = [current[w.slot_id] for w in added if w.slot_id in current]
    return added, released


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
    by: Actor = PARTICIPANT,
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
    rules.check_details(
        name=name if name is not None else "",
        organisation=organisation if organisation is not None else "",
    )
    with try_again_when_busy(), transaction.atomic():
        # The registration first: two changes of one registration run one after another.
        registration = rules.lock_confirmed(registration)
        if check_window:
            rules.check_window(registration.event)
        by_slot = rules.check_one_per_pass(
            registration.event, workshops, walk_in=registration.walk_in
        )
        rules.lock_passes(by_slot)
        added, released = _take_new_seats(
            registration, by_slot, allow_over_capacity=allow_over_capacity, by=by
        )
        # Having chosen the workshop one queued for ends that wait.
        queues.leave_queues_of(registration, registration.queue.filter(workshop__in=added), by=by)
        if queue is not None:
            queues.sync_queue(registration, list(queue), by=by)
        moved = queues.fill_freed_seats(released, actor=registration)
        _change_details(registration, name=name, organisation=organisation, by=by)
        moved_too = registration.pk in {r.pk for r in moved}
        if notify and (added or moved_too):
            emails.send_later(registration, "changed_and_moved" if moved_too else "changed")
    return registration


def _change_details(
    registration: Registration, *, name: str | None, organisation: str | None, by: Actor
) -> None:
    before = (registration.name, registration.organisation)
    if name is not None:
        registration.name = name.strip()
    if organisation is not None:
        registration.organisation = organisation.strip()
    if by == PARTICIPANT:
        # Their e-mails follow the language they last used the site in.
        registration.language = languages.current()
    registration.save(update_fields=["name", "organisation", "language", "updated_at"])
    if (registration.name, registration.organisation) != before:
        record(registration, Action.DETAILS_CHANGED, by=by)


def resend_link(*, event: Event, email: str) -> None:
    """Mail the private link to a registered address; silently nothing for an unknown one.

    Always a task, whether the address is known or not (the task looks it up), so that the
    answer takes as long either way."""
    emails.send_link_later(event.pk, normalise_email(email))
