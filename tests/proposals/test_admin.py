import pytest
from django.urls import reverse

from proposals.models import PrioritisationRound, Proposal, Voter
from tests.conftest import make_event
from tests.proposals.conftest import make_proposal
from workshops.models import Room, Workshop

CHANGELIST = reverse("admin:proposals_proposal_changelist")


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
def test_organiser_can_open_list_and_add_page(admin_client, proposals_2018, model):
    for view in ("changelist", "add"):
        assert admin_client.get(reverse(f"admin:proposals_{model}_{view}")).status_code == 200


def test_status_actions_change_the_status(admin_client, proposals_2018):
    ids = [p.pk for p in proposals_2018[:3]]
    response = admin_client.post(
        CHANGELIST, {"action": "mark_accepted", "_selected_action": ids}, follow=True
    )
    assert "3 förslag har nu status ”Antaget”." in response.content.decode()
    assert Proposal.objects.filter(status="accepted").count() == 3


def test_convert_action_asks_for_event_pass_and_room(admin_client, accepted):
    response = admin_client.post(
        CHANGELIST, {"action": "convert_to_workshop", "_selected_action": [accepted.pk]}
    )
    assert response["Location"] == convert_url(accepted)
    html = admin_client.get(convert_url(accepted)).content.decode()
    assert 'name="event"' in html and 'name="slot"' in html and 'name="room"' in html


def test_convert_action_takes_one_proposal_at_a_time(admin_client, accepted):
    other = make_proposal(title="Annat", status="accepted")
    response = admin_client.post(
        CHANGELIST,
        {"action": "convert_to_workshop", "_selected_action": [accepted.pk, other.pk]},
        follow=True,
    )
    assert "Välj ett förslag i taget" in response.content.decode()


def test_converted_workshop_appears_on_the_programme(admin_client, client, accepted):
    event = make_event(slug="konferens", slots=2, workshops_per_slot=2)
    room = Room.objects.create(name="Ledig sal", capacity=20)
    slot = event.slots.get(number=1)
    response = admin_client.post(
        convert_url(accepted), {"event": event.pk, "slot": slot.pk, "room": room.pk}, follow=True
    )
    assert "Workshop W5. Cirkulär ekonomi är skapad." in response.content.decode()
    workshop = Workshop.objects.get(event=event, number=5)
    assert workshop.contributors_note == "personer från Region Kronoberg"

    programme = client.get(reverse("workshops:event_programme", args=[event.slug]))
    html = programme.content.decode()
    assert "Cirkulär ekonomi" in html and "personer från Region Kronoberg" in html
    detail = client.get(reverse("workshops:workshop_detail", args=[event.slug, 5]))
    assert "Behov av att samla parter." in detail.content.decode()

    # The proposal now links to its workshop and cannot be converted again.
    changelist = admin_client.get(CHANGELIST).content.decode()
    assert "W5. Cirkulär ekonomi" in changelist
    again = admin_client.post(
        convert_url(accepted), {"event": event.pk, "slot": slot.pk, "room": room.pk}
    )
    assert "har redan blivit workshop W5" in again.content.decode()
    assert Workshop.objects.filter(event=event).count() == 5


def test_pass_of_another_event_is_an_admin_message_not_an_error_page(admin_client, accepted):
    event = make_event(slug="konferens", slots=1, workshops_per_slot=1)
    other = make_event(slug="annat", slots=1, workshops_per_slot=0)
    room = Room.objects.create(name="Ledig sal", capacity=20)
    response = admin_client.post(
        convert_url(accepted),
        {"event": event.pk, "slot": other.slots.get().pk, "room": room.pk},
    )
    assert response.status_code == 200
    assert "hör till ett annat evenemang" in response.content.decode()
    assert not Workshop.objects.filter(room=room).exists()


def test_taken_room_is_an_admin_message_not_an_error_page(admin_client, accepted):
    event = make_event(slug="konferens", slots=1, workshops_per_slot=1)
    taken = Workshop.objects.get(event=event)
    response = admin_client.post(
        convert_url(accepted),
        {"event": event.pk, "slot": taken.slot_id, "room": taken.room_id},
    )
    assert response.status_code == 200
    assert "är redan upptagen under pass 1 av W1" in response.content.decode()


@pytest.mark.parametrize("value", ["999999", "abc", "\x00", "-1"])
def test_tampered_choices_are_form_errors(admin_client, accepted, value):
    event = make_event(slug="konferens", slots=1, workshops_per_slot=0)
    room = Room.objects.create(name="Ledig sal", capacity=20)
    data = {"event": event.pk, "slot": value, "room": room.pk}
    response = admin_client.post(convert_url(accepted), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Välj ett giltigt alternativ" in html or "Null-tecken är inte tillåtna" in html
    assert not Workshop.objects.exists()


def test_proposal_not_accepted_cannot_be_converted(admin_client, db):
    proposal = make_proposal()
    event = make_event(slug="konferens", slots=1, workshops_per_slot=0)
    room = Room.objects.create(name="Ledig sal", capacity=20)
    response = admin_client.post(
        convert_url(proposal), {"event": event.pk, "slot": event.slots.get().pk, "room": room.pk}
    )
    assert "Bara antagna förslag kan bli workshoppar" in response.content.decode()


def test_round_page_creates_private_links_for_participants(admin_client, proposals_2018):
    round_ = PrioritisationRound.objects.create(title="Idéworkshop", year=2018)
    url = reverse("admin:proposals_prioritisationround_change", args=[round_.pk])
    data = {
        "title": "Idéworkshop",
        "year": "2018",
        "points_per_voter": "3",
        "is_open": "on",
        "voters-TOTAL_FORMS": "1",
        "voters-INITIAL_FORMS": "0",
        "voters-MIN_NUM_FORMS": "0",
        "voters-MAX_NUM_FORMS": "1000",
        "voters-0-name": "Anna, Region Kronoberg",
        "voters-0-user": "",
    }
    assert admin_client.post(url, data).status_code == 302
    voter = Voter.objects.get()
    html = admin_client.get(url).content.decode()
    assert f"/forslag/prioritera/{voter.token}/" in html
    assert reverse("proposals:ranking", args=[round_.pk]) in html
