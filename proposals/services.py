"""Every write on proposals that enforces a rule: submitting, status, voting, converting.

Plain functions with keyword-only arguments, each in one transaction, raising ProposalError
with a message fit to show a person.
"""

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from reglab.locking import LockBusy, bounded_wait, lock_rows
from workshops.models import Event, Room, TimeSlot, Workshop

from .models import Proposal, Vote, Voter


class ProposalError(Exception):
    """A rule was broken; str(error) is a Swedish message for the person who tried."""


def submit_proposal(
    *,
    title: str,
    region: str,
    format: str,
    description: str,
    year: int,
    contact_email: str = "",
) -> Proposal:
    """Save a region's new proposal with status "submitted"."""
    proposal = Proposal(
        title=title,
        region=region,
        format=format,
        description=description,
        contact_email=contact_email,
        year=year,
    )
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        # The form checks this too; here it catches two identical submissions at once.
        raise ProposalError(
            _("Det finns redan ett förslag med titeln ”%(title)s” för %(year)s.")
            % {"title": title, "year": year}
        ) from None
    return proposal


def set_status(*, proposal: Proposal, status: str) -> None:
    """Change a proposal's status; a converted proposal stays accepted."""
    if status not in Proposal.Status.values:
        raise ProposalError(_("Okänd status."))
    if proposal.is_converted and status != Proposal.Status.ACCEPTED:
        raise ProposalError(
            _("”%(title)s” har redan blivit en workshop och förblir antaget.")
            % {"title": proposal.title}
        )
    proposal.status = status
    proposal.save(update_fields=["status"])


def _locked_voter(voter_id: int) -> Voter:
    """The voter row, locked until the transaction ends, so one participant's submissions
    are counted one after the other."""
    (voter,) = lock_rows(Voter.objects.select_related("round"), [voter_id])
    return voter


def cast_votes(*, voter_id: int, points: Mapping[int, int]) -> None:
    """Replace a participant's points with `points` (proposal id → points).

    The rules: the round is open, every proposal is in the round, points are whole numbers
    of at least 0, and together at most the round's points per participant.
    """
    try:
        with bounded_wait(), transaction.atomic():
            voter = _locked_voter(voter_id)
            round_ = voter.round
            if not round_.is_open:
                raise ProposalError(_("Prioriteringen är stängd."))
            if any(not isinstance(p, int) or isinstance(p, bool) or p < 0 for p in points.values()):
                raise ProposalError(_("Poäng måste vara heltal som är 0 eller större."))
            in_round = set(round_.proposals().filter(pk__in=points).values_list("pk", flat=True))
            if set(points) - in_round:
                raise ProposalError(_("Du kan bara ge poäng till förslagen i den här omgången."))
            total = sum(points.values())
            if total > round_.points_per_voter:
                raise ProposalError(
                    _("Du har fördelat %(total)s poäng men har bara %(limit)s att fördela.")
                    % {"total": total, "limit": round_.points_per_voter}
                )
            Vote.objects.filter(voter=voter).delete()
            Vote.objects.bulk_create(
                Vote(voter=voter, proposal_id=proposal_id, points=value)
                for proposal_id, value in points.items()
                if value > 0
            )
    except LockBusy:
        # The lock wait ran out: another submission from the same link is still running.
        raise ProposalError(
            _("Dina poäng sparas just nu från ett annat fönster. Försök igen.")
        ) from None


def voter_for_user(*, round_id: int, user) -> Voter:
    """The logged-in user's own participant record in a round, created on first visit."""
    voter, _created = Voter.objects.get_or_create(round_id=round_id, user=user)
    return voter


def convert_to_workshop(*, proposal_id: int, event: Event, slot: TimeSlot, room: Room) -> Workshop:
    """Turn an accepted proposal into a draft workshop of `event`, in `slot` and `room`.

    The workshop gets the next number in the event, the proposal's title and description, and
    a note naming the proposing region; organisers add presenters and details afterwards.
    """
    with transaction.atomic():
        (proposal,) = lock_rows(Proposal.objects.all(), [proposal_id])
        if proposal.is_converted:
            raise ProposalError(
                _("”%(title)s” har redan blivit workshop %(code)s.")
                % {"title": proposal.title, "code": proposal.workshop.code}
            )
        if proposal.status != Proposal.Status.ACCEPTED:
            raise ProposalError(
                _("Bara antagna förslag kan bli workshoppar; ”%(title)s” är %(status)s.")
                % {"title": proposal.title, "status": proposal.get_status_display().lower()}
            )
        # The database backs these two with a trigger and a unique constraint; checked here
        # first so the organiser reads why instead of an error page.
        if slot.event_id != event.pk:
            raise ProposalError(
                _("%(slot)s hör till ett annat evenemang än %(event)s.")
                % {"slot": slot.label, "event": event.name}
            )
        taken = Workshop.objects.filter(slot=slot, room=room).first()
        if taken is not None:
            raise ProposalError(
                _("%(room)s är redan upptagen under %(slot)s av %(workshop)s.")
                % {"room": room.name, "slot": slot.label.lower(), "workshop": taken}
            )
        # Locking the event makes two conversions into it take numbers one after the other.
        lock_rows(Event.objects.all(), [event.pk])
        last = Workshop.objects.filter(event=event).aggregate(last=Max("number"))["last"]
        note = _("personer från %(region)s") % {"region": proposal.region}
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    event=event,
                    number=(last or 0) + 1,
                    title=proposal.title,
                    description=proposal.description,
                    slot=slot,
                    room=room,
                    contributors_note=note[:300] if proposal.region else "",
                )
        except IntegrityError:
            raise ProposalError(
                _(
                    "Workshoppen kunde inte skapas eftersom programmet ändrades samtidigt. "
                    "Försök igen."
                )
            ) from None
        proposal.workshop = workshop
        proposal.save(update_fields=["workshop"])
    return workshop
