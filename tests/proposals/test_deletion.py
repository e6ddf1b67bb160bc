"""Points given in a round are its record: nobody deletes them by deleting the proposal, the
voter or the round they were given in (the admin's delete, one or selected, or an inline)."""

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import PrioritisationRound, Proposal, Vote, Voter

PROPOSALS = reverse("admin:proposals_proposal_changelist")
ROUNDS = reverse("admin:proposals_prioritisationround_changelist")


@pytest.fixture
def voted(voter, proposals_2018):
    """The voter gave 2 points to the first proposal; the second has none."""
    services.cast_votes(voter_id=voter.pk, points={proposals_2018[0].pk: 2})
    return proposals_2018[0]


def test_a_proposal_with_points_cannot_be_deleted(organiser_client, voted):
    url = reverse("admin:proposals_proposal_delete", args=[voted.pk])
    page = organiser_client.get(url).content.decode()
    assert "skyddade" in page
    organiser_client.post(url, {"post": "yes"})
    assert Proposal.objects.filter(pk=voted.pk).exists()
    assert Vote.objects.get().points == 2


def test_deleting_selected_proposals_keeps_those_with_points(
    organiser_client, voted, proposals_2018
):
    unvoted = proposals_2018[1]
    data = {"action": "delete_selected", "_selected_action": [voted.pk, unvoted.pk]}
    organiser_client.post(PROPOSALS, {**data, "post": "yes"})
    assert Proposal.objects.filter(pk__in=[voted.pk, unvoted.pk]).count() == 2
    assert Vote.objects.count() == 1

    # Without points a proposal (a test, a duplicate) can still be deleted.
    organiser_client.post(
        PROPOSALS, {"action": "delete_selected", "_selected_action": [unvoted.pk], "post": "yes"}
    )
    assert not Proposal.objects.filter(pk=unvoted.pk).exists()


def test_a_round_with_points_cannot_be_deleted(organiser_client, voted, round_2018):
    organiser_client.post(
        ROUNDS, {"action": "delete_selected", "_selected_action": [round_2018.pk], "post": "yes"}
    )
    organiser_client.post(
        reverse("admin:proposals_prioritisationround_delete", args=[round_2018.pk]),
        {"post": "yes"},
    )
    assert PrioritisationRound.objects.filter(pk=round_2018.pk).exists()
    assert Vote.objects.count() == 1


def test_a_voter_who_gave_points_cannot_be_removed_from_the_round(
    organiser_client, voted, voter, round_2018
):
    url = reverse("admin:proposals_prioritisationround_change", args=[round_2018.pk])
    data = {
        "title": round_2018.title,
        "year": "2018",
        "points_per_voter": str(round_2018.points_per_voter),
        "is_open": "on",
        "voters-TOTAL_FORMS": "1",
        "voters-INITIAL_FORMS": "1",
        "voters-MIN_NUM_FORMS": "0",
        "voters-MAX_NUM_FORMS": "1000",
        "voters-0-id": str(voter.pk),
        "voters-0-round": str(round_2018.pk),
        "voters-0-name": voter.name,
        "voters-0-email": voter.email,
        "voters-0-DELETE": "on",
    }
    response = organiser_client.post(url, data)
    assert response.status_code == 200
    assert "skyddade" in response.content.decode()
    assert Voter.objects.filter(pk=voter.pk).exists() and Vote.objects.count() == 1
