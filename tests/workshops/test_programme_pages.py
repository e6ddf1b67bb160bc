import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import register_people
from workshops.models import Workshop


def test_programme_lists_every_workshop_under_its_pass_in_number_order(client, programme):
    response = client.get(reverse("workshops:programme"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Utsikt är insikt" in html
    assert "Lär hur andra gör regional utveckling!" in html
    codes = re.findall(r'class="workshop-code">(W\d+)<', html)
    assert codes == [f"W{n}" for n in range(1, 16)]
    for slot_number, time in [(1, "09:00–09:45"), (2, "10:00–10:45"), (3, "11:00–11:45")]:
        assert f"Pass {slot_number}" in html
        assert time in html


def test_programme_shows_every_presenter_and_organisation(client, programme):
    html = client.get(reverse("workshops:programme")).content.decode()
    for workshop in Workshop.objects.for_programme():
        assert workshop.title in html
        for wp in workshop.ordered_presenters():
            assert wp.presenter.name in html
            assert wp.presenter.organisation in html
    assert "Samtalsledare: <strong>Klas Danerlöv</strong>" in html
    assert "personer från Region Skåne" in html


def test_programme_says_sample_times_are_preliminary(client, programme):
    html = client.get(reverse("workshops:programme")).content.decode()
    assert "preliminära" in html


def test_workshop_page_shows_full_description(client, programme):
    workshop = Workshop.objects.get(number=11)
    response = client.get(
        reverse("workshops:workshop_detail", args=[programme.slug, workshop.number])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert workshop.description in html
    assert "Klas Danerlöv" in html


def test_unknown_workshop_is_404(client, programme):
    response = client.get(reverse("workshops:workshop_detail", args=[programme.slug, 99]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_programme_without_any_event_is_404(client):
    assert client.get(reverse("workshops:programme")).status_code == 404


def test_programme_page_is_cached_but_shows_an_edit_at_once(client, programme):
    url = reverse("workshops:event_programme", args=[programme.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as cached:
        assert client.get(url).status_code == 200
    # Only the seats, counted now; the event, the passes' and workshops' texts are kept.
    assert len(cached.captured_queries) == 1
    assert "registrations_choice" in cached.captured_queries[0]["sql"]
    workshop = Workshop.objects.get(event=programme, number=7)
    workshop.title = "En helt ny titel"
    workshop.save()
    assert "En helt ny titel" in client.get(url).content.decode()


def test_an_edit_that_bypasses_save_shows_at_once(client, programme):
    """QuerySet.update() sends no signal; the programme's querysets change the version."""
    url = reverse("workshops:event_programme", args=[programme.slug])
    client.get(url)
    Workshop.objects.filter(event=programme, number=7).update(title="Ändrad med update()")
    assert "Ändrad med update()" in client.get(url).content.decode()


# Seats and ways to register. The seats are counted by registrations, which fills the hook
# workshops.availability (workshops imports nothing from it).


def seats_texts(html: str) -> dict[str, str]:
    """{code: seat text} of each workshop card on the programme page."""
    cards = re.findall(
        r'class="workshop-code">(W\d+)<.*?<span class="seats[^"]*">([^<]+)</span>', html, re.S
    )
    return dict(cards)


def test_programme_shows_the_seats_left_or_full_for_every_workshop(client, programme):
    register_people(programme, 2)  # W1, W6, W11
    w7 = Workshop.objects.get(event=programme, number=7)
    w7.capacity = 0
    w7.save()
    texts = seats_texts(client.get(reverse("workshops:programme")).content.decode())
    assert len(texts) == 15
    assert texts["W1"] == "58 platser kvar"  # Sal A: 60
    assert texts["W7"] == "Fullt"
    assert texts["W2"] == "45 platser kvar"


def test_the_seats_are_counted_for_every_request_of_the_kept_page(client, programme):
    url = reverse("workshops:event_programme", args=[programme.slug])
    assert seats_texts(client.get(url).content.decode())["W3"] == "40 platser kvar"
    register_people(programme, 39, index=2)  # W3, W8, W13; the programme is not edited
    assert seats_texts(client.get(url).content.decode())["W3"] == "1 plats kvar"
    register_people(programme, 1, start=39, index=2)
    assert seats_texts(client.get(url).content.decode())["W3"] == "Fullt"


def test_every_pass_ends_with_a_way_to_register(client, programme):
    html = client.get(reverse("workshops:programme")).content.decode()
    register = reverse("registrations:register", args=[programme.slug])
    sections = html.split('<section class="mb-4"')[1:]
    assert len(sections) == 3
    for section in sections:
        after_cards = section[section.rindex('class="card h-100 workshop-card"') :]
        assert f'href="{register}"' in after_cards.split("</section>")[0]


def test_a_closed_registration_shows_neither_seats_nor_buttons(client, programme):
    programme.registration_closes = timezone.now() - datetime.timedelta(minutes=1)
    programme.registration_opens = programme.registration_closes - datetime.timedelta(days=1)
    programme.save()
    url = reverse("workshops:event_programme", args=[programme.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as closed:
        html = client.get(url).content.decode()
    assert len(closed.captured_queries) == 0  # the event is kept, no seats to count
    assert seats_texts(html) == {}
    assert "Anmäl dig till workshopparna" not in html
    html = client.get(reverse("workshops:workshop_detail", args=[programme.slug, 3])).content
    assert b"platser kvar" not in html and b"?workshop=W3" not in html


def test_workshop_page_shows_its_seats_and_registers_for_it(client, programme):
    register_people(programme, 3, index=2)
    url = reverse("workshops:workshop_detail", args=[programme.slug, 3])
    html = client.get(url).content.decode()
    assert '<span class="seats">37 platser kvar</span>' in html
    register = reverse("registrations:register", args=[programme.slug])
    assert f'href="{register}?workshop=W3">Anmäl dig till W3</a>' in html


def test_a_full_workshops_page_offers_to_register_and_queue(client, programme):
    Workshop.objects.filter(event=programme, number=3).update(capacity=0)
    html = client.get(reverse("workshops:workshop_detail", args=[programme.slug, 3])).content
    html = html.decode()
    assert '<span class="seats seats-full">Fullt</span>' in html
    assert ">Anmäl dig och ställ dig i kö till W3</a>" in html


def test_without_a_seat_counter_the_programme_shows_no_seats(client, programme):
    """workshops on its own: the hook is empty, and the pages still work."""
    from registrations import selectors
    from workshops import availability

    availability.count_seats_with(None)
    try:
        html = client.get(reverse("workshops:programme")).content.decode()
        detail = client.get(reverse("workshops:workshop_detail", args=[programme.slug, 3]))
    finally:
        availability.count_seats_with(selectors.seats_left)
    assert seats_texts(html) == {} and "W15" in html
    assert detail.status_code == 200 and b"platser kvar" not in detail.content
