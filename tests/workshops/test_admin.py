import re

import pytest
from django.urls import reverse

ADMIN_PAGES = ["event", "timeslot", "room", "presenter", "workshop"]


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_organiser_can_open_list_and_add_page(admin_client, programme, model):
    for view in ("changelist", "add"):
        response = admin_client.get(reverse(f"admin:workshops_{model}_{view}"))
        assert response.status_code == 200, (model, view)


def test_workshop_list_reads_w1_to_w15_in_order(admin_client, programme):
    html = admin_client.get(reverse("admin:workshops_workshop_changelist")).content.decode()
    codes = re.findall(r">(W\d+)</a>", html)
    assert codes == [f"W{n}" for n in range(1, 16)]


def test_workshop_edit_page_has_presenters_inline_in_printed_order(admin_client, programme):
    from workshops.models import Workshop

    workshop = Workshop.objects.get(number=11)
    html = admin_client.get(
        reverse("admin:workshops_workshop_change", args=[workshop.pk])
    ).content.decode()
    assert html.index("Nina Widmark") < html.index("Klas Danerlöv")
    assert "Samtalsledare" in html


def test_anonymous_visitor_gets_the_login_page(client, programme):
    response = client.get(reverse("admin:workshops_workshop_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_empty_choice_in_admin_selects_is_swedish(organiser_client):
    page = organiser_client.get("/admin/workshops/workshop/add/").content.decode()
    assert "– Välj –" in page
    assert "Select an option" not in page
