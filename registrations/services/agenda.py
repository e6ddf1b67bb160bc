"""Organisers' changes of the day's date, venue and pass times: refused while passes overlap,
and told to everyone whose agenda they change (one e-mail each, an updated .ics)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops.models import Event, TimeSlot

from .. import emails
from ..models import Choice, Registration
from . import rules
from .audit import SYSTEM, Action, Actor, record
from .errors import RegistrationError, try_again_when_busy


def _times(slot: TimeSlot) -> str:
    return f"{slot.start_time:%H:%M}–{slot.end_time:%H:%M}"


def pass_overlap_problems(slots: Iterable[TimeSlot]) -> list[RegistrationError]:
    """Passes of one event may not overlap (one may start as the one before ends)."""
    ordered = sorted(slots, key=lambda s: (s.start_time, s.end_time))
    return [
        RegistrationError(
            _(
                "%(first)s (%(first_times)s) och %(second)s (%(second_times)s) överlappar. "
                "Ett pass måste sluta innan nästa börjar."
            )
            % {
                "first": first.label,
                "first_times": _times(first),
                "second": second.label,
                "second_times": _times(second),
            },
            field="start_time",
        )
        for first, second in zip(ordered, ordered[1:], strict=False)
        if second.start_time < first.end_time
    ]


@dataclass(frozen=True)
class AgendaChange:
    """What an edit of the event and its passes changes in people's agendas: `general` for
    everyone (date, venue), `by_slot` for those in each pass (its times)."""

    general: list[str]
    by_slot: dict[int, str]

    def affected(self, event: Event) -> list[Registration]:
        people = Registration.objects.confirmed().filter(event=event)
        if not self.general:
            people = people.filter(choices__slot_id__in=list(self.by_slot))
        return list(people.select_related("event").distinct().order_by("created_at", "pk"))

    def summaries(self, people: list[Registration]) -> dict[int, str]:
        """{registration id: what changed in their agenda}, for the trail (one query)."""
        own = defaultdict(list)
        choices = Choice.objects.filter(registration__in=people, slot_id__in=list(self.by_slot))
        for registration_id, slot_id in choices.order_by("slot__number").values_list(
            "registration_id", "slot_id"
        ):
            own[registration_id].append(self.by_slot[slot_id])
        return {r.pk: "; ".join([*self.general, *own[r.pk]]) for r in people}


def _agenda_change(event: Event, slots: Iterable[TimeSlot]) -> AgendaChange:
    if event.pk is None:
        return AgendaChange([], {})
    old = Event.objects.get(pk=event.pk)
    general = []
    if event.date != old.date:
        general.append(_("Datum flyttat till %(date)s") % {"date": date_format(event.date)})
    if event.venue != old.venue:
        general.append(_("Plats ändrad till %(venue)s") % {"venue": event.venue or "–"})
    before = {s.pk: s for s in TimeSlot.objects.filter(event=event)}
    by_slot = {
        slot.pk: _("%(pass)s flyttat till %(times)s") % {"pass": slot.label, "times": _times(slot)}
        for slot in slots
        if slot.pk in before and _times(slot) != _times(before[slot.pk])
    }
    return AgendaChange(general, by_slot)


def _final_slots(event: Event, slots: list[TimeSlot], removed: list[TimeSlot]) -> list[TimeSlot]:
    """The event's passes as they will be: the stored ones, replaced by `slots` (edited or
    new), without `removed`."""
    gone = {s.pk for s in [*slots, *removed] if s.pk is not None}
    stored = TimeSlot.objects.filter(event=event).exclude(pk__in=gone) if event.pk else []
    return [*stored, *slots]


def agenda_change_problems(
    *,
    event: Event,
    slots: Iterable[TimeSlot] = (),
    removed: Iterable[TimeSlot] = (),
    confirm_notify: bool,
) -> list[RegistrationError]:
    """What stops saving the event (its new, unsaved date and venue) with these passes (their
    new, unsaved times)? Overlapping passes; and, unless the organiser confirms that they
    will be mailed, anyone whose agenda it changes."""
    slots, removed = list(slots), list(removed)
    problems = pass_overlap_problems(_final_slots(event, slots, removed))
    change = _agenda_change(event, slots)
    n = len(change.affected(event)) if change.general or change.by_slot else 0
    if n and not confirm_notify:
        message = ngettext(
            "%(changes)s. Det ändrar programmet för den som är anmäld: hen får ett mejl med "
            "det nya programmet och en uppdaterad kalenderfil. Kryssa i rutan för att spara.",
            "%(changes)s. Det ändrar programmet för %(n)s anmälda: var och en får ett mejl med "
            "det nya programmet och en uppdaterad kalenderfil. Kryssa i rutan för att spara.",
            n,
        )
        label = ngettext("Spara och mejla den anmälda", "Spara och mejla de %(n)s anmälda", n)
        changes = "; ".join([*change.general, *change.by_slot.values()])
        problems.append(
            RegistrationError(
                message % {"changes": changes, "n": n},
                field="notify_participants",
                confirm_label=label % {"n": n},
            )
        )
    return problems


def save_agenda(
    *,
    event: Event,
    slots: Iterable[TimeSlot] = (),
    removed: Iterable[TimeSlot] = (),
    confirm_notify: bool = False,
    by: Actor = SYSTEM,
) -> list[Registration]:
    """Save an organiser's edit of the event and its passes (`slots` edited or new, `removed`
    deleted); see the note above. Returns the people told about a new date, venue or times.

    The event's workshops are locked first, so nobody registers or changes in between and
    misses the e-mail.
    """
    slots, removed = list(slots), list(removed)
    with try_again_when_busy(), transaction.atomic():
        if event.pk is not None:
            rules.lock_passes(TimeSlot.objects.filter(event=event).values_list("pk", flat=True))
        problems = agenda_change_problems(
            event=event, slots=slots, removed=removed, confirm_notify=confirm_notify
        )
        if problems:
            raise problems[0]
        change = _agenda_change(event, slots)
        affected = change.affected(event) if change.general or change.by_slot else []
        summaries = change.summaries(affected)
        event.save()
        for slot in removed:
            slot.delete()
        for slot in slots:
            slot.event = event
            slot.save()
        for registration in affected:
            record(
                registration, Action.MOVED_BY_PROGRAMME, by=by, summary=summaries[registration.pk]
            )
            emails.send_later(registration, "agenda_changed")
    return affected
