"""The organisers' screens for proposals and rounds, used by a member of the Organisers group
(not a superuser): review, rounds with invitations by e-mail, conversion into a draft."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from proposals.models import PrioritisationRound, Proposal, Voter
from tests.conftest import make_event
from tests.proposals.conftest import make_proposal
from tests.proposals.test_pages import valid_data
from workshops.models import Presenter, Room, Workshop, WorkshopPresenter

CHANGELIST = reverse("admin:proposals_proposal_changelist")
ROUNDS = reverse("admin:proposals_prioritisationround_changelist")
WORKSHOPS = reverse("admin:workshops_workshop_changelist")


def convert_url(proposal):
    return reverse("admin:proposals_proposal_convert", args=[proposal.pk])


@pytest.fixture
def accepted(db):
    return make_proposal(
        title="Cirkulär ekonomi",
        region="Region Kronoberg",
        description="Behov av att samla parter.",
        status=Proposal.Status.ACCEPTED,
    )


@pytest.mark.parametrize("model", ["proposal", "prioritisationround"])
def test_organiser_can_open_list_and_add_page(organiser_client, proposals_2018, model):
    for view in ("changelist", "add"):
        assert organiser_client.get(reverse(f"admin:proposals_{model}_{view}")).status_code == 200


def test_an_outsiders_proposal_is_public_only_after_review(organiser_client, db):
    outsider = Client()
    assert outsider.post(reverse("proposals:create"), valid_data()).status_code == 302
    proposal = Proposal.objects.get()
    listed = outsider.get(reverse("proposals:list")).content.decode()
    assert "Smart specialisering" not in listed and "kontakt@example.se" not in listed

    review = organiser_client.get(CHANGELIST, {"is_published__exact": "0"}).content.decode()
    assert "Smart specialisering i praktiken" in review
    response = organiser_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [proposal.pk]}, follow=True
    )
    assert "1 förslag är publicerade på den öppna listan." in response.content.decode()
    listed = outsider.get(reverse("proposals:list")).content.decode()
    assert "Smart specialisering i praktiken" in listed and "kontakt@example.se" in listed

    organiser_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [proposal.pk]})
    assert "Smart specialisering" not in outsider.get(reverse("proposals:list")).content.decode()


def test_status_actions_change_the_status(organiser_client, proposals_2018):
    ids = [p.pk for p in proposals_2018[:3]]
    response = organiser_client.post(
        CHANGELIST, {"action": "mark_accepted", "_selected_action": ids}, follow=True
    )
    assert "3 förslag har nu status ”Antaget”." in response.content.decode()
    assert Proposal.objects.filter(status="accepted").count() == 3


def test_convert_action_asks_for_event_pass_and_room(organiser_client, accepted):
    response = organiser_client.post(
        CHANGELIST, {"action": "convert_to_workshop", "_selected_action": [accepted.pk]}
    )
    assert response["Location"] == convert_url(accepted)
    html = organiser_client.get(convert_url(accepted)).content.decode()
    assert 'name="event"' in html and 'name="slot"' in html and 'name="room"' in html


def test_convert_action_takes_one_proposal_at_a_time(organiser_client, accepted):
    other = make_proposal(title="Annat", status="accepted")
    response = organiser_client.post(
        CHANGELIST,
        {"action": "convert_to_workshop", "_selected_action": [accepted.pk, other.pk]},
        follow=True,
    )
    assert "Välj ett förslag i taget" in response.content.decode()


def test_an_accepted_proposal_becomes_a_draft_on_the_programme_once_published(
    organiser_client, accepted
):
    visitor = Client()
    event = make_event(slug="konferens", slots=2, workshops_per_slot=2)
    room = Room.objects.create(name="Ledig sal", capacity=20)
    slot = event.slots.get(number=1)
    response = organiser_client.post(
        convert_url(accepted), {"event": event.pk, "slot": slot.pk, "room": room.pk}, follow=True
    )
    assert "Workshop W5. Cirkulär ekonomi är skapad som utkast." in response.content.decode()
    workshop = Workshop.objects.get(event=event, number=5)
    assert workshop.is_draft
    assert workshop.contributors_note == "personer från Region Kronoberg"

    programme_url = reverse("workshops:event_programme", args=[event.slug])
    detail_url = reverse("workshops:workshop_detail", args=[event.slug, 5])
    form_url = reverse("registrations:register", args=[event.slug])
    assert "Cirkulär ekonomi" not in visitor.get(programme_url).content.decode()
    assert visitor.get(detail_url).status_code == 404
    assert "Cirkulär ekonomi" not in visitor.get(form_url).content.decode()

    # Publishing needs someone named; then it is on the programme and the form.
    publish = {"action": "publish", "_selected_action": [workshop.pk]}
    refused = organiser_client.post(WORKSHOPS, publish, follow=True).content.decode()
    assert "Ingen medverkande är namngiven." in refused
    presenter = Presenter.objects.create(name="Eva Ek", organisation="Region Kronoberg")
    WorkshopPresenter.objects.create(workshop=workshop, presenter=presenter, order=1)
    organiser_client.post(WORKSHOPS, publish)
    html = visitor.get(programme_url).content.decode()
    assert "Cirkulär ekonomi" in html and "samt personer från Region Kronoberg" in html
    assert "Behov av att samla parter." in visitor.get(detail_url).content.decode()
    assert "Cirkulär ekonomi" in visitor.get(form_url).content.decode()

    # The proposal now links to its workshop and cannot be converted again.
    changelist = organiser_client.get(CHANGELIST).content.decode()
    assert "W5. Cirkulär ekonomi" in changelist
    again = organiser_client.post(
        convert_url(accepted), {"event": event.pk, "slot": slot.pk, "room": room.pk}, follow=True
    )
    assert "har redan blivit workshop W5" in again.content.decode()
    assert Workshop.objects.filter(event=event).count() == 5


def test_pass_of_another_event_is_an_admin_message_not_an_error_page(organiser_client, accepted):
    event = make_event(slug="konferens", slots=1, workshops_per_slot=1)
    other = make_event(slug="annat", slots=1, workshops_per_slot=0)
    room = Room.objects.create(name="Ledig sal", capacity=20)
    response = organiser_client.post(
        convert_url(accepted),
        {"event": event.pk, "slot": other.slots.get().pk, "room": room.pk},
    )
    assert response.status_code == 200
    assert "hör till ett annat evenemang" in response.content.decode()
    assert not Workshop.objects.filter(room=room).exists()


def test_taken_room_is_an_admin_message_not_an_error_page(organiser_client, accepted):
    event = make_event(slug="konferens", slots=1, workshops_per_slot=1)
    taken = Workshop.objects.get(event=event)
    response = organiser_client.post(
        convert_url(accepted),
        {"event": event.pk, "slot": taken.slot_id, "room": taken.room_id},
    )
    assert response.status_code == 200
    assert "är redan upptagen under pass 1 av W1" in response.content.decode()


@pytest.mark.parametrize("value", ["999999", "abc", "\x00", "-1"])
def test_tampered_choices_are_form_errors(organiser_client, accepted, value):
    event = make_event(slug="konferens", slots=1, workshops_per_slot=0)
    room = Room.objects.create(name="Ledig sal", capacity=20)
    data = {"event": event.pk, "slot": value, "room": room.pk}
    response = organiser_client.post(convert_url(accepted), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Välj ett giltigt alternativ" in html or "Null-tecken är inte tillåtna" in html
    assert not Workshop.objects.exists()


@pytest.mark.parametrize("status", ["submitted", "under_review", "declined"])
def test_the_conversion_form_opens_only_for_an_accepted_proposal(organiser_client, db, status):
    proposal = make_proposal(status=status)
    event = make_event(slug="konferens", slots=1, workshops_per_slot=0)
    room = Room.objects.create(name="Ledig sal", capacity=20)
    opened = organiser_client.get(convert_url(proposal))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("admin:proposals_proposal_change", args=[proposal.pk])
    response = organiser_client.post(
        convert_url(proposal),
        {"event": event.pk, "slot": event.slots.get().pk, "room": room.pk},
        follow=True,
    )
    assert "Bara antagna förslag kan bli workshoppar" in response.content.decode()
    assert not Workshop.objects.exists()


def round_form(title="Idéworkshop", voters=(), **fields):
    data = {
        "title": title,
        "year": "2018",
        "points_per_voter": "3",
        "is_open": "on",
        "voters-TOTAL_FORMS": str(len(voters)),
        "voters-INITIAL_FORMS": "0",
        "voters-MIN_NUM_FORMS": "0",
        "voters-MAX_NUM_FORMS": "1000",
    } | fields
    for n, (name, email) in enumerate(voters):
        data |= {f"voters-{n}-name": name, f"voters-{n}-email": email}
    return data


VOTERS = [
    ("Anna, Region Kronoberg", "anna@example.se"),
    ("Bertil, Region Skåne", "bertil@example.se"),
    ("Cecilia, Tillväxtverket", "cecilia@example.se"),
]


def test_an_organiser_runs_a_round_invites_three_voters_and_they_vote(
    organiser_client, proposals_2018, django_capture_on_commit_callbacks
):
    """Done when: invited by e-mail from the admin, three people vote with their own links,
    and the ranking shows the ties fairly."""
    assert (
        organiser_client.post(
            reverse("admin:proposals_prioritisationround_add"), round_form(voters=VOTERS)
        ).status_code
        == 302
    )
    round_ = PrioritisationRound.objects.get()
    assert Voter.objects.filter(round=round_).count() == 3
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            ROUNDS, {"action": "invite", "_selected_action": [round_.pk]}, follow=True
        )
    assert "Idéworkshop: 3 inbjudningar skickas." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [email for _, email in VOTERS]

    by_title = {p.title: p for p in proposals_2018}
    ballots = {
        "anna@example.se": {"Matcha rätt": 2, "Cirkulär ekonomi": 1},
        "bertil@example.se": {"Cirkulär ekonomi": 2, "Land & Stad": 1},
        "cecilia@example.se": {"Land & Stad": 2, "Matcha rätt": 1},
    }
    for message in mail.outbox:
        link = re.search(r"http://testserver(/forslag/prioritera/[\w-]+/)", message.body).group(1)
        voter = Client()
        assert voter.get(link).status_code == 200
        data = {f"p{by_title[t].pk}": str(n) for t, n in ballots[message.to[0]].items()}
        assert voter.post(link, data).status_code == 302

    html = organiser_client.get(reverse("proposals:ranking", args=[round_.pk])).content.decode()
    assert "3 av 3 deltagare har fördelat poäng." in html
    rows = re.findall(
        r"<tr>\s*<td class=\"ranking-place\">([^<]+)</td>\s*<th scope=\"row\">([^<]+)</th>", html
    )
    # Three proposals on 3 points each share first place; the twelve on 0 share fourth.
    assert sorted(rows[:3]) == [
        ("delad 1:a plats", "Cirkulär ekonomi"),
        ("delad 1:a plats", "Land &amp; Stad"),
        ("delad 1:a plats", "Matcha rätt"),
    ]
    assert {place for place, _ in rows[3:]} == {"delad 4:e plats"} and len(rows) == 15

    organiser_client.post(ROUNDS, {"action": "close", "_selected_action": [round_.pk]})
    round_.refresh_from_db()
    assert not round_.is_open


def test_the_round_page_lists_voters_but_not_their_private_links(organiser_client, voter):
    url = reverse("admin:proposals_prioritisationround_change", args=[voter.round_id])
    html = organiser_client.get(url).content.decode()
    assert "d1@example.se" in html
    assert voter.token not in html
    assert reverse("proposals:ranking", args=[voter.round_id]) in html


def test_a_voter_needs_an_email_and_only_once_per_round(organiser_client, proposals_2018):
    add = reverse("admin:proposals_prioritisationround_add")
    response = organiser_client.post(add, round_form(voters=[("Anna", "")]))
    assert response.status_code == 200 and not PrioritisationRound.objects.exists()
    twice = [("Anna", "anna@example.se"), ("Anna igen", "anna@example.se")]
    response = organiser_client.post(add, round_form(voters=twice))
    assert response.status_code == 200 and not Voter.objects.exists()
    assert "Den här adressen finns redan bland deltagarna." in response.content.decode()


def test_staff_see_the_round_but_not_its_voters(staff_client, voter):
    url = reverse("admin:proposals_prioritisationround_change", args=[voter.round_id])
    response = staff_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Idéworkshop 19 september" in html
    assert "d1@example.se" not in html and voter.token not in html
    staff_client.post(ROUNDS, {"action": "invite", "_selected_action": [voter.round_id]})
    voter.refresh_from_db()
    assert voter.invited_at is None


def test_a_region_outside_the_list_is_a_form_error_in_the_admin(organiser_client, db):
    proposal = make_proposal()
    url = reverse("admin:proposals_proposal_change", args=[proposal.pk])
    data = {
        "title": proposal.title,
        "region": "annan",
        "other_organisation": "",
        "format": proposal.format,
        "description": proposal.description,
        "contact_email": "",
        "year": "2018",
        "event": "",
        "status": "submitted",
        "is_published": "on",
    }
    response = organiser_client.post(url, data)
    assert response.status_code == 200
    assert "Skriv organisationens namn när du väljer ”Annan organisation”" in (
        response.content.decode()
    )
    data["other_organisation"] = "Lunds universitet"
    assert organiser_client.post(url, data).status_code == 302
    assert Proposal.objects.get().proposer == "Lunds universitet"
