"""Draft workshops: on no public page and not bookable until an organiser publishes them, and
publishing checks the pass, the room and the people named."""

import pytest
from django.urls import reverse

from registrations import services
from registrations.models import Registration
from tests.conftest import make_event, register_people
from tests.registrations.test_pages import form_data
from workshops.models import Presenter, Room, Workshop, WorkshopPresenter

WORKSHOPS = reverse("admin:workshops_workshop_changelist")


@pytest.fixture
def event(db):
    return make_event(slug="dag", slots=2, workshops_per_slot=2)


@pytest.fixture
def draft(event):
    room = Room.objects.create(name="Ny sal", capacity=30)
    return Workshop.objects.create(
        event=event,
        number=5,
        title="Cirkulär ekonomi",
        description="Behov av att samla parter.",
        slot=event.slots.get(number=1),
        room=room,
        contributors_note="personer från Region Kronoberg",
        status=Workshop.Status.DRAFT,
    )


def name_presenter(workshop):
    presenter = Presenter.objects.create(name="Eva Ek", organisation="Region Kronoberg")
    WorkshopPresenter.objects.create(workshop=workshop, presenter=presenter, order=1)


def programme_html(client, event):
    return client.get(reverse("workshops:event_programme", args=[event.slug])).content.decode()


def test_existing_and_new_workshops_are_published_by_default(event):
    assert set(Workshop.objects.values_list("status", flat=True)) == {"published"}


def test_a_draft_is_on_neither_the_programme_nor_the_form(client, event, draft):
    assert "Cirkulär ekonomi" not in programme_html(client, event)
    assert client.get(reverse("workshops:workshop_detail", args=[event.slug, 5])).status_code == 404
    form = client.get(reverse("registrations:register", args=[event.slug])).content.decode()
    assert "Workshop 1" in form and "Cirkulär ekonomi" not in form


def test_a_posted_draft_is_refused_by_the_form(client, event, draft):
    url = reverse("registrations:register", args=[event.slug])
    response = client.post(url, form_data(event) | {"pass_1": str(draft.pk)})
    assert response.status_code == 200
    assert "Välj en av workshopparna under Pass 1." in response.content.decode()
    assert not Registration.objects.exists()


def test_the_services_refuse_a_seat_or_a_queue_place_in_a_draft(event, draft):
    workshops = [draft, event.workshops.get(number=3)]
    with pytest.raises(services.RegistrationError, match="W5 är inte publicerad än"):
        services.register(
            event=event,
            name="Anna",
            email="anna@example.se",
            organisation="Region Test",
            consent=True,
            workshops=workshops,
            check_window=False,
        )
    (registration,) = register_people(event, 1)
    draft.capacity = 0
    draft.save()
    with pytest.raises(services.RegistrationError, match="W5 är inte publicerad än"):
        services.join_queue(registration=registration, workshop=draft)


def test_publishing_needs_a_named_person_and_seats(event, draft):
    draft.capacity = 0
    draft.save()
    with pytest.raises(services.RegistrationError) as refused:
        services.publish_workshop(workshop=draft)
    assert "Ny sal har inga platser" in refused.value.message
    assert "Ingen medverkande är namngiven." in refused.value.message
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_published_draft_is_on_the_programme_and_bookable(client, event, draft):
    name_presenter(draft)
    services.publish_workshop(workshop=draft)
    assert Workshop.objects.get(pk=draft.pk).status == "published"
    html = programme_html(client, event)
    assert "Cirkulär ekonomi" in html
    assert "samt personer från Region Kronoberg" in html
    url = reverse("registrations:register", args=[event.slug])
    assert client.post(url, form_data(event) | {"pass_1": str(draft.pk)}).status_code == 302


def test_the_credit_line_reads_naturally_without_named_presenters(client, event, draft):
    draft.status = Workshop.Status.PUBLISHED
    draft.save()
    html = programme_html(client, event)
    assert "<li>Personer från Region Kronoberg</li>" in html
    assert "samt" not in html


def test_the_overview_counts_no_seats_of_a_draft(event, draft):
    from registrations.selectors import overview

    first_pass = overview(event).passes[0]
    assert [w.number for w in first_pass.workshops] == [1, 2]
    assert first_pass.capacity == 20


def test_an_organiser_publishes_a_draft_from_the_workshop_list(organiser_client, event, draft):
    data = {"action": "publish", "_selected_action": [draft.pk]}
    refused = organiser_client.post(WORKSHOPS, data, follow=True).content.decode()
    assert "W5 kan inte publiceras: Ingen medverkande är namngiven." in refused
    name_presenter(draft)
    done = organiser_client.post(WORKSHOPS, data, follow=True).content.decode()
    assert "1 workshop är publicerad." in done
    draft.refresh_from_db()
    assert not draft.is_draft


def test_the_status_is_not_edited_in_the_workshop_form(organiser_client, draft):
    html = organiser_client.get(
        reverse("admin:workshops_workshop_change", args=[draft.pk])
    ).content.decode()
    assert "Utkast" in html
    assert 'name="status"' not in html


def test_staff_cannot_publish(staff_client, draft):
    name_presenter(draft)
    staff_client.post(WORKSHOPS, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_draft
