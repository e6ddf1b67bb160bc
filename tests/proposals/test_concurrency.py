"""Two submissions from the same private link at once cannot exceed the points limit.

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
from proposals.models import Vote, Voter
from proposals.services import ProposalError, cast_votes
from tests.threads import Meeting, run_together


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
