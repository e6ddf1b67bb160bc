import pytest
from django.core import mail
from django.db import IntegrityError

from proposals import selectors
from proposals.models import PrioritisationRound, Proposal, Vote, Voter
from proposals.services import (
    ProposalError,
    cast_votes,
    close_round,
    convert_to_workshop,
    invite_voters,
    set_published,
    set_status,
    submit_proposal,
)
from tests.conftest import make_event
from tests.proposals.conftest import make_proposal
from workshops.models import Room, TimeSlot, Workshop


def submit(**changes) -> Proposal:
    fields = {
        "title": "Smart specialisering",
        "region": "Region Gävleborg",
        "format": Proposal.Format.SEMINAR,
        "description": "Hur gör vi?",
        "year": 2018,
        "contact_email": "a@example.se",
    }
    return submit_proposal(**(fields | changes))


def test_submitted_proposal_is_saved_as_submitted_and_not_published(db):
    proposal = submit()
    assert proposal.status == Proposal.Status.SUBMITTED
    saved = Proposal.objects.get()
    assert (saved.region, saved.is_published) == ("Region Gävleborg", False)
    assert list(selectors.public_proposals()) == []


def test_the_receipt_is_mailed_after_the_commit(db, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit()
        assert mail.outbox == []
    (receipt,) = mail.outbox
    assert receipt.to == ["a@example.se"]
    assert receipt.subject == "Vi har tagit emot ert förslag: Smart specialisering"
    assert "Reglab läser förslaget och publicerar det sedan" in receipt.body
    assert "http://testserver/forslag/" in receipt.body


def test_no_address_no_receipt(db, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(contact_email="")
    assert mail.outbox == []


def test_another_organisation_is_kept_with_its_name(db):
    proposal = submit(region="annan", other_organisation="Lunds universitet")
    assert proposal.proposer == "Lunds universitet"
    # A name typed with a region from the list is not kept.
    proposal = submit(title="Annat", region="Region Skåne", other_organisation="Lunds universitet")
    assert (proposal.proposer, proposal.other_organisation) == ("Region Skåne", "")


@pytest.mark.parametrize(
    "fields",
    [
        {"region": "Skåne"},
        {"region": "annan", "other_organisation": ""},
        {"region": "Region Skåne", "other_organisation": "Lunds universitet"},
    ],
)
def test_the_database_holds_regions_to_the_list(db, fields):
    with pytest.raises(IntegrityError):
        make_proposal(**fields)


def test_same_title_twice_in_a_year_is_refused(db):
    make_proposal(title="Samma")
    with pytest.raises(ProposalError, match="finns redan"):
        submit(title="Samma", region="", format="")
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
    unread = make_proposal(title="Inte granskat", is_published=False)
    for proposal in (other_year, declined, unread):
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


def test_equal_points_share_a_place_and_the_next_place_skips_them(round_2018, proposals_2018):
    a, b, c, d = proposals_2018[:4]
    first, second = (Voter.objects.create(round=round_2018, email=f"{n}@x.se") for n in (1, 2))
    cast_votes(voter_id=first.pk, points={a.pk: 2, b.pk: 1})
    cast_votes(voter_id=second.pk, points={c.pk: 1, d.pk: 1, a.pk: 1})
    ranking = selectors.ranking(round_2018)
    places = [(p.pk, p.place, p.shares_place) for p in ranking[:4]]
    assert places[0] == (a.pk, 1, False)
    assert sorted(places[1:]) == sorted([(b.pk, 2, True), (c.pk, 2, True), (d.pk, 2, True)])
    # The eleven without points share fifth place, not places 5 to 15.
    assert {(p.place, p.shares_place) for p in ranking[4:]} == {(5, True)}


def test_ranking_ignores_points_from_another_round(round_2018, proposals_2018):
    other = PrioritisationRound.objects.create(title="Annan", year=2018)
    cast_votes(voter_id=Voter.objects.create(round=other).pk, points={proposals_2018[0].pk: 3})
    assert all(p.total_points == 0 for p in selectors.ranking(round_2018))


# --- review and rounds ------------------------------------------------------------------


def test_publishing_puts_a_proposal_on_the_list_and_in_its_rounds(round_2018):
    proposal = make_proposal(title="Nytt", is_published=False)
    assert proposal not in round_2018.proposals()
    set_published(proposal=proposal, published=True)
    assert proposal in selectors.public_proposals()
    assert proposal in round_2018.proposals()
    set_published(proposal=proposal, published=False)
    assert proposal not in selectors.public_proposals()


def test_voters_are_invited_once_each_by_mail(round_2018, django_capture_on_commit_callbacks):
    voters = [
        Voter.objects.create(round=round_2018, name=f"Person {n}", email=f"p{n}@example.se")
        for n in range(3)
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_voters(round_=round_2018) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [v.email for v in voters]
    for voter in voters:
        (message,) = [m for m in mail.outbox if m.to == [voter.email]]
        assert f"http://testserver/forslag/prioritera/{voter.token}/" in message.body
        assert f"Hej {voter.name}!" in message.body
        # Each message carries its own link only.
        assert all(v.token not in message.body for v in voters if v != voter)
    assert all(v.invited_at for v in Voter.objects.all())
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_voters(round_=round_2018) == 0
        assert invite_voters(round_=round_2018, again=True) == 3
    assert len(mail.outbox) == 6


def test_a_closed_round_invites_nobody_and_takes_no_points(voter, proposals_2018):
    close_round(round_=voter.round)
    with pytest.raises(ProposalError, match="är stängd"):
        invite_voters(round_=voter.round)
    with pytest.raises(ProposalError, match="Prioriteringen är stängd"):
        cast_votes(voter_id=voter.pk, points={proposals_2018[0].pk: 1})


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
    assert workshop.is_draft
    accepted.refresh_from_db()
    assert accepted.workshop == workshop


def test_another_organisation_is_named_in_the_note(free_place):
    event, slot, room = free_place
    proposal = make_proposal(region="annan", other_organisation="Lunds universitet")
    set_status(proposal=proposal, status=Proposal.Status.ACCEPTED)
    workshop = convert_to_workshop(proposal_id=proposal.pk, event=event, slot=slot, room=room)
    assert workshop.contributors_note == "personer från Lunds universitet"


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
