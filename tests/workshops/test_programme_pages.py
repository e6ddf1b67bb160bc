import re

import pytest
from django.urls import reverse

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
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workshops.models import Workshop

    url = reverse("workshops:event_programme", args=[programme.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as cached:
        assert client.get(url).status_code == 200
    assert len(cached.captured_queries) == 1  # only the event; passes and workshops cached
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
