"""Two submissions from the same private link at once cannot exceed the points limit, and
two conversions at once keep one workshop per proposal and one number per workshop.

Like pretix's concurrency tests: both submissions are held at the same point inside their
transactions (a `Meeting`, tests/threads.py) to widen the race window, and a control run with
the voter lock switched off must oversell, which proves the test can fail. SQLite serialises
whole transactions, so this runs on PostgreSQL (CI sets REGLAB_REQUIRE_POSTGRES so a missing
PostgreSQL fails instead of skipping).
"""

import functools
import os

import pytest
from django.db import connection

from proposals import services
from proposals.models import Proposal, Vote, Voter
from proposals.services import ProposalError, cast_votes
from tests.conftest import make_event
from tests.proposals.conftest import make_proposal
from tests.threads import Meeting, read_without_lock, run_together
from workshops.models import Event, Room, Workshop


def require_postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("REGLAB_REQUIRE_POSTGRES"):
            pytest.fail("REGLAB_REQUIRE_POSTGRES is set but the tests run on " + connection.vendor)
        pytest.skip("concurrency tests need PostgreSQL (set DATABASE_URL)")


def race(monkeypatch, voter, proposals, *, lock: bool) -> list:
    """Two threads cast 3 points each on different proposals for the same voter."""
    real_locked_voter = services._locked_voter

    def voter_row(voter_id):
        if lock:
            return real_locked_voter(voter_id)
        return Voter.objects.select_related("round").get(pk=voter_id)

    # They meet once each has deleted the voter's old votes, before either inserts, neither
    # having committed: the window in which, without the lock, each keeps its own 3 points.
    # With the lock the second waits for it meanwhile, and the first goes on. (Held before
    # the delete, it was left to timing whether the second delete saw the first's commit.)
    meeting = Meeting(2)
    monkeypatch.setattr(services, "_locked_voter", voter_row)
    monkeypatch.setattr(
        Vote.objects, "bulk_create", meeting.at(Vote.objects.bulk_create, before=True)
    )
    results = run_together(
        *(functools.partial(cast_votes, voter_id=voter.pk, points={p.pk: 3}) for p in proposals),
        expected=(ProposalError,),
    )
    return [r for r in results if isinstance(r, ProposalError)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_exceed_the_points(monkeypatch, voter, proposals_2018):
    require_postgres()
    errors = race(monkeypatch, voter, proposals_2018[:2], lock=True)
    assert errors == []
    assert sum(Vote.objects.filter(voter=voter).values_list("points", flat=True)) == 3


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_oversells(monkeypatch, voter, proposals_2018):
    require_postgres()
    race(monkeypatch, voter, proposals_2018[:2], lock=False)
    assert sum(Vote.objects.filter(voter=voter).values_list("points", flat=True)) == 6


# --- convert_to_workshop: its locks on the proposal and on the event ------------------------


def convert_at_once(monkeypatch, *, same_proposal: bool):
    """Two organisers turn accepted proposals into workshops of one event at once, in pass 2
    in two free rooms: the same proposal, or two. Returns (the new workshops' numbers, the
    errors).

    They meet once each has read what its lock guards: for the same proposal, the proposal
    (whether it is converted yet); for two, the event's last workshop number, just before
    creating the workshop. With the lock the other waits for it meanwhile.
    """
    event = make_event(slug="konferens", slots=2, workshops_per_slot=2)
    slot = event.slots.get(number=2)
    rooms = [Room.objects.create(name=f"Ledig sal {n}", capacity=20) for n in (1, 2)]
    first = make_proposal(title="Cirkulär ekonomi", status="accepted")
    second = first if same_proposal else make_proposal(title="Smart industri", status="accepted")
    meeting = Meeting(2)
    if same_proposal:
        monkeypatch.setattr(services, "lock_rows", meeting.at(services.lock_rows))
    else:
        create = meeting.at(Workshop.objects.create, before=True)
        monkeypatch.setattr(Workshop.objects, "create", create)
    results = run_together(
        *(
            functools.partial(
                services.convert_to_workshop, proposal_id=p.pk, event=event, slot=slot, room=r
            )
            for p, r in zip((first, second), rooms, strict=True)
        ),
        expected=(ProposalError,),
    )
    numbers = sorted(Workshop.objects.filter(event=event, number__gt=4).values_list("number"))
    return [n for (n,) in numbers], [str(r) for r in results if isinstance(r, ProposalError)]


@pytest.mark.django_db(transaction=True)
def test_two_proposals_converted_into_one_event_at_once_take_the_next_two_numbers(
    monkeypatch, postgres_only
):
    numbers, errors = convert_at_once(monkeypatch, same_proposal=False)
    assert (numbers, errors) == ([5, 6], [])


@pytest.mark.django_db(transaction=True)
def test_control_without_the_event_lock_refuses_one_conversion(monkeypatch, postgres_only):
    read_without_lock(monkeypatch, services, Event)
    numbers, errors = convert_at_once(monkeypatch, same_proposal=False)
    assert numbers == [5]
    assert len(errors) == 1 and "ändrades samtidigt" in errors[0]


@pytest.mark.django_db(transaction=True)
def test_one_proposal_converted_twice_at_once_becomes_one_workshop(monkeypatch, postgres_only):
    numbers, errors = convert_at_once(monkeypatch, same_proposal=True)
    assert numbers == [5]
    assert len(errors) == 1 and "redan blivit workshop W5" in errors[0]


@pytest.mark.django_db(transaction=True)
def test_control_without_the_proposal_lock_makes_two_workshops(monkeypatch, postgres_only):
    read_without_lock(monkeypatch, services, Proposal)
    numbers, errors = convert_at_once(monkeypatch, same_proposal=True)
    assert (numbers, errors) == ([5, 6], [])
