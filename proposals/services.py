"""Every write on proposals that enforces a rule: submitting, reviewing, rounds, voting,
converting.

Plain functions with keyword-only arguments, each in one transaction, raising ProposalError
with a message fit to show a person.
"""

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from reglab.locking import LockBusy, bounded_wait, lock_rows
from workshops.models import Event, Room, TimeSlot, Workshop

from . import emails
from .models import OTHER_ORGANISATION, PrioritisationRound, Proposal, Vote, Voter


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
    other_organisation: str = "",
) -> Proposal:
    """Save a new proposal, "submitted" and not yet published, and mail its receipt.

    Anyone can submit, so nothing is public until an organiser has read it (set_published).
    """
    proposal = Proposal(
        title=title,
        region=region,
        other_organisation=other_organisation if region == OTHER_ORGANISATION else "",
        format=format,
        description=description,
        contact_email=contact_email,
        year=year,
    )
    try:
        with transaction.atomic():
            proposal.save()
            if contact_email:
                emails.send_later("receipt", proposal)
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


def set_published(*, proposal: Proposal, published: bool) -> None:
    """An organiser's review: a published proposal is on the public list and in its year's
    rounds (unless declined); an unpublished one only in the admin."""
    proposal.is_published = published
    proposal.save(update_fields=["is_published"])


def invite_voters(*, round_: PrioritisationRound, again: bool = False) -> int:
    """Mail each voter of the round their private link; returns how many were invited.

    Voters invited before are left alone unless `again`. A closed round invites nobody.
    """
    with transaction.atomic():
        # Two organisers pressing "invite" at once: the second finds everyone invited.
        (round_,) = lock_rows(PrioritisationRound.objects.all(), [round_.pk])
        if not round_.is_open:
            raise ProposalError(
                _("”%(round)s” är stängd; öppna den innan du bjuder in.") % {"round": round_}
            )
        voters = round_.voters.exclude(email="")
        if not again:
            voters = voters.filter(invited_at=None)
        invited = list(voters.order_by("pk"))
        for voter in invited:
            voter.invited_at = timezone.now()
            voter.save(update_fields=["invited_at"])
            emails.send_later("invitation", voter)
    return len(invited)


def close_round(*, round_: PrioritisationRound) -> None:
    """No more points are taken; the ranking stays as it is."""
    round_.is_open = False
    round_.save(update_fields=["is_open"])


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


def conversion_refusal(proposal: Proposal) -> str | None:
    """Why `proposal` cannot become a workshop, or None: only an accepted proposal can, once."""
    if proposal.is_converted:
        return _("”%(title)s” har redan blivit workshop %(code)s.") % {
            "title": proposal.title,
            "code": proposal.workshop.code,
        }
    if proposal.status != Proposal.Status.ACCEPTED:
        return _("Bara antagna förslag kan bli workshoppar; ”%(title)s” är %(status)s.") % {
            "title": proposal.title,
            "status": proposal.get_status_display().lower(),
        }
    return None


def convert_to_workshop(*, proposal_id: int, event: Event, slot: TimeSlot, room: Room) -> Workshop:
    """Turn an accepted proposal into a draft workshop of `event`, in `slot` and `room`.

    The workshop gets the next number in the event, the proposal's title and description, and
    a note naming the proposer. It is a draft, on no public page: organisers add presenters
    and details, then publish it (registrations.services.publish_workshop).
    """
    with transaction.atomic():
        (proposal,) = lock_rows(Proposal.objects.all(), [proposal_id])
        refusal = conversion_refusal(proposal)
        if refusal:
            raise ProposalError(refusal)
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
        note = _("personer från %(region)s") % {"region": proposal.proposer}
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    event=event,
                    number=(last or 0) + 1,
                    title=proposal.title,
                    description=proposal.description,
                    slot=slot,
                    room=room,
                    contributors_note=note[:300] if proposal.proposer else "",
                    status=Workshop.Status.DRAFT,
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
