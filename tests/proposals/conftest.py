"""Fixtures for the proposals tests: the 2018 proposals, a round and its participants."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from proposals.models import PrioritisationRound, Proposal, Voter

PROPOSALS_FIXTURE = "fixtures/proposals_2018.json"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # Rate limits count in the cache; every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def proposals_2018(db):
    call_command("loaddata", PROPOSALS_FIXTURE, verbosity=0)
    return list(Proposal.objects.order_by("pk"))


@pytest.fixture
def round_2018(proposals_2018):
    return PrioritisationRound.objects.create(title="Idéworkshop 19 september", year=2018)


@pytest.fixture
def voter(round_2018):
    return Voter.objects.create(round=round_2018, name="Deltagare 1", email="d1@example.se")


def make_proposal(**fields) -> Proposal:
    """A proposal an organiser has published, unless `is_published=False` is given."""
    defaults = {
        "title": "Ett förslag",
        "region": "Region Uppsala",
        "format": Proposal.Format.WORKSHOP,
        "description": "Beskrivning",
        "year": 2018,
        "is_published": True,
    }
    return Proposal.objects.create(**(defaults | fields))
