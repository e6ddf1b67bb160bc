import pytest

from proposals import selectors
from proposals.models import PrioritisationRound, Proposal, Vote, Voter
from proposals.services import (
    ProposalError,
    cast_votes,
    convert_to_workshop,
    set_status,
    submit_proposal,
)
from tests.conftest import make_event
from tests.proposals.conftest import make_proposal
from workshops.models import Room, TimeSlot, Workshop


def test_submitted_proposal_is_saved_as_submitted(db):
    proposal = submit_proposal(
        title="Smart specialisering",
        region="Region Gävleborg",
        format=Proposal.Format.SEMINAR,
        description="Hur gör vi?",
        year=2018,
        contact_email="a@example.se",
    )
    assert proposal.status == Proposal.Status.SUBMITTED
    assert Proposal.objects.get().region == "Region Gävleborg"


def test_same_title_twice_in_a_year_is_refused(db):
    make_proposal(title="Samma")
    with pytest.raises(ProposalError, match="finns redan"):
        submit_proposal(title="Samma", region="", format="", description="x", year=2018)
    assert Proposal.objects.count() == 1


# --- points -------------------------------------------------------------------------------


def test_points_up_to_the_limit_are_saved(voter, proposals_2018):
    a, b = proposals_2018[0], proposals_2018[1]
    cast_votes(voter_id=voter.pk, points={a.pk: 2, b.pk: 1})
    assert selectors.points_by_proposal(voter) == {a.pk: 2, b.pk: 1}


def test_more_points_than_the_round_gives_are_refused_and_nothing_changes(voter, proposals_2018):
    a, b = proposals_2018[0], proposals_2018[1]
    cast_votes(voter_id=voter.pk, points={a.pk: 1})
    with pytest.raises(ProposalError, match="4 poäng men har bara 3"):
        cast_votes(voter_id=voter.pk, points={a.pk: 2, b.pk: 2})
    assert selectors.points_by_proposal(voter) == {a.pk: 1}


def test_a_round_with_five_points_allows_five(proposals_2018):
    round_ = PrioritisationRound.objects.create(title="R", year=2018, points_per_voter=5)
    voter = Voter.objects.create(round=round_)
    cast_votes(voter_id=voter.pk, points={proposals_2018[0].pk: 5})
    assert Vote.objects.get().points == 5


def test_negative_points_are_refused(voter, proposals_2018):
    a, b = proposals_2018[0], proposals_2018[1]
    with pytest.raises(ProposalError, match="0 eller större"):
        cast_votes(voter_id=voter.pk, points={a.pk: 4, b.pk: -1})
    assert not Vote.objects.exists()


def test_non_integer_points_are_refused(voter, proposals_2018):
    with pytest.raises(ProposalError):
        cast_votes(voter_id=voter.pk, points={proposals_2018[0].pk: 1.5})


def test_points_for_a_proposal_outside_the_round_are_refused(voter, proposals_2018):
    other_year = make_proposal(title="Annat år", year=2019)
    declined = make_proposal(title="Avböjt", status=Proposal.Status.DECLINED)
    for proposal in (other_year, declined):
        with pytest.raises(ProposalError, match="bara ge poäng"):
            cast_votes(voter_id=voter.pk, points={proposal.pk: 1})
    assert not Vote.objects.exists()


def test_a_closed_round_takes_no_points(voter, proposals_2018):
    PrioritisationRound.objects.filter(pk=voter.round_id).update(is_open=False)
    with pytest.raises(ProposalError, match="stängd"):
        cast_votes(voter_id=voter.pk, points={proposals_2018[0].pk: 1})


def test_voting_again_replaces_the_earlier_points_and_zero_is_not_stored(voter, proposals_2018):
    a, b = proposals_2018[0], proposals_2018[1]
    cast_votes(voter_id=voter.pk, points={a.pk: 3})
    cast_votes(voter_id=voter.pk, points={a.pk: 0, b.pk: 3})
    assert selectors.points_by_proposal(voter) == {b.pk: 3}


def test_ranking_sums_points_and_counts_voters_per_proposal(round_2018, proposals_2018):
    a, b = proposals_2018[0], proposals_2018[1]
    first, second = (Voter.objects.create(round=round_2018) for _ in range(2))
    cast_votes(voter_id=first.pk, points={a.pk: 1, b.pk: 2})
    cast_votes(voter_id=second.pk, points={a.pk: 3})
    ranking = list(selectors.ranking(round_2018))
    assert [(p.pk, p.total_points, p.voter_count) for p in ranking[:2]] == [
        (a.pk, 4, 2),
        (b.pk, 2, 1),
    ]
    assert len(ranking) == 15
    assert all(p.total_points == 0 for p in ranking[2:])
    assert selectors.voters_who_voted(round_2018) == 2


def test_ranking_ignores_points_from_another_round(round_2018, proposals_2018):
    other = PrioritisationRound.objects.create(title="Annan", year=2018)
    cast_votes(voter_id=Voter.objects.create(round=other).pk, points={proposals_2018[0].pk: 3})
    assert all(p.total_points == 0 for p in selectors.ranking(round_2018))


# --- status and conversion ----------------------------------------------------------------


@pytest.fixture
def accepted(db):
    return make_proposal(title="Cirkulär ekonomi", region="Region Kronoberg", status="accepted")


@pytest.fixture
def free_place(db):
    """An event with its passes full in the first rooms, and a free room for the new workshop."""
    event = make_event(slug="konferens", slots=2, workshops_per_slot=2)
    return event, event.slots.get(number=2), Room.objects.create(name="Ledig sal", capacity=20)


def test_accepted_proposal_becomes_the_next_workshop_of_the_event(accepted, free_place):
    event, slot, room = free_place
    workshop = convert_to_workshop(proposal_id=accepted.pk, event=event, slot=slot, room=room)
    assert (workshop.number, workshop.title, workshop.description) == (
        5,
        "Cirkulär ekonomi",
        "Beskrivning",
    )
    assert (workshop.event, workshop.slot, workshop.room) == (event, slot, room)
    assert workshop.contributors_note == "personer från Region Kronoberg"
    accepted.refresh_from_db()
    assert accepted.workshop == workshop


def test_a_proposal_without_region_gets_no_note(free_place):
    event, slot, room = free_place
    proposal = make_proposal(region="", status="accepted")
    workshop = convert_to_workshop(proposal_id=proposal.pk, event=event, slot=slot, room=room)
    assert workshop.contributors_note == ""


def test_a_proposal_is_converted_only_once(accepted, free_place):
    event, slot, room = free_place
    convert_to_workshop(proposal_id=accepted.pk, event=event, slot=slot, room=room)
    other_room = Room.objects.create(name="Sal 2", capacity=10)
    with pytest.raises(ProposalError, match="redan blivit workshop W5"):
        convert_to_workshop(proposal_id=accepted.pk, event=event, slot=slot, room=other_room)
    assert Workshop.objects.filter(event=event).count() == 5


@pytest.mark.parametrize("status", ["submitted", "under_review", "declined"])
def test_only_accepted_proposals_are_converted(free_place, status):
    event, slot, room = free_place
    proposal = make_proposal(status=status)
    with pytest.raises(ProposalError, match="Bara antagna"):
        convert_to_workshop(proposal_id=proposal.pk, event=event, slot=slot, room=room)
    assert not Workshop.objects.filter(room=room).exists()


def test_a_pass_of_another_event_is_refused_with_a_message(accepted, free_place):
    event, _, room = free_place
    other_slot = make_event(slug="annat", slots=1, workshops_per_slot=0).slots.get()
    with pytest.raises(ProposalError, match="hör till ett annat evenemang"):
        convert_to_workshop(proposal_id=accepted.pk, event=event, slot=other_slot, room=room)
    accepted.refresh_from_db()
    assert accepted.workshop is None


def test_a_taken_room_in_that_pass_is_refused_with_a_message(accepted, free_place):
    event, slot, _ = free_place
    taken = Workshop.objects.get(event=event, slot=slot, number=3)
    with pytest.raises(ProposalError, match="redan upptagen under pass 2 av W3"):
        convert_to_workshop(proposal_id=accepted.pk, event=event, slot=slot, room=taken.room)
    assert Workshop.objects.filter(event=event).count() == 4


def test_converted_proposal_stays_accepted(accepted, free_place):
    event, slot, room = free_place
    convert_to_workshop(proposal_id=accepted.pk, event=event, slot=slot, room=room)
    accepted.refresh_from_db()
    with pytest.raises(ProposalError, match="förblir antaget"):
        set_status(proposal=accepted, status=Proposal.Status.DECLINED)
    set_status(proposal=make_proposal(title="Nytt"), status=Proposal.Status.UNDER_REVIEW)
    assert Proposal.objects.get(title="Nytt").status == "under_review"


def test_deleting_the_workshop_frees_the_proposal(accepted, free_place):
    event, slot, room = free_place
    workshop = convert_to_workshop(proposal_id=accepted.pk, event=event, slot=slot, room=room)
    workshop.delete()
    accepted.refresh_from_db()
    assert accepted.workshop is None
    assert TimeSlot.objects.filter(pk=slot.pk).exists()
