"""Two submissions from the same private link at once cannot exceed the points limit.

Like pretix's concurrency tests: both submissions are held at the same point inside their
transactions to widen the race window, and a control run with the voter lock switched off must
oversell, which proves the test can fail. SQLite serialises whole transactions, so this runs on
PostgreSQL (CI sets REGLAB_REQUIRE_POSTGRES so a missing PostgreSQL fails instead of skipping).
"""

import contextlib
import os
import threading

import pytest
from django.db import connection, connections

from proposals import services
from proposals.models import Vote, Voter
from proposals.services import ProposalError, cast_votes


def require_postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("REGLAB_REQUIRE_POSTGRES"):
            pytest.fail("REGLAB_REQUIRE_POSTGRES is set but the tests run on " + connection.vendor)
        pytest.skip("concurrency tests need PostgreSQL (set DATABASE_URL)")


def race(monkeypatch, voter, proposals, *, lock: bool) -> list:
    """Two threads cast 3 points each on different proposals for the same voter."""
    # With the lock the second thread cannot arrive while the first holds it, so the first
    # waits briefly (well within the second's lock wait, REGLAB_DB_LOCK_TIMEOUT_MS=1000 in
    # tests) and goes on. Without it both must meet, even on a loaded machine.
    barrier = threading.Barrier(2, timeout=0.3 if lock else 60)
    real_locked_voter = services._locked_voter
    real_bulk_create = Vote.objects.bulk_create

    def voter_row(voter_id):
        if lock:
            return real_locked_voter(voter_id)
        return Voter.objects.select_related("round").get(pk=voter_id)

    def held_before_insert(votes):
        # Both threads have deleted the voter's old votes and neither has committed: the
        # window in which, without the lock, each keeps its own 3 points. (Holding them
        # before the delete left it to timing whether the second delete saw the first's
        # commit, and the control once "failed" on a loaded machine.)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return real_bulk_create(votes)

    monkeypatch.setattr(services, "_locked_voter", voter_row)
    monkeypatch.setattr(Vote.objects, "bulk_create", held_before_insert)
    errors = []

    def submit(proposal):
        try:
            cast_votes(voter_id=voter.pk, points={proposal.pk: 3})
        except ProposalError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(p,)) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


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
