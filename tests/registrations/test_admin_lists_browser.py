"""The organisers' two lists in a real browser (Chromium): every column in view at 1280 px
with the admin's sidebar open, and no sideways scrolling of the page at 1024 px."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from registrations import services
from tests.conftest import register_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = [
    reverse("admin:registrations_registration_changelist"),
    reverse("admin:workshops_workshop_changelist"),
]
# Screenshots for looking at, when asked (REGLAB_SCREENSHOTS=dir).
SCREENSHOTS = os.environ.get("REGLAB_SCREENSHOTS")


@pytest.fixture
def organiser_page(live_server, programme, browser, django_user_model, request):
    width = request.param
    people = register_people(programme, 12)
    # Long names and organisations, as real ones are.
    for person in people[:3]:
        person.name = "Anna-Karin Johansson Wennerström"
        person.organisation = "Region Västra Götaland, regionutvecklingsförvaltningen"
        person.save()
    services.cancel(registration=people[0], notify=False)
    django_user_model.objects.create_superuser("chef", "chef@example.se", "chef-pass-123")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "chef")
    page.fill("#id_password", "chef-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    yield page, live_server.url, width
    context.close()


FITS = """() => {
  const headers = [...document.querySelectorAll('#result_list thead th')];
  const last = headers[headers.length - 1].getBoundingClientRect();
  const sidebar = document.querySelector('#nav-sidebar');
  const box = document.querySelector('#changelist-form .results');
  return {
    page: document.scrollingElement.scrollWidth,
    window: window.innerWidth,
    lastRight: last.right,
    // Django's list scrolls inside its box: a column past the box's edge is out of view.
    boxRight: box.getBoundingClientRect().right,
    boxScrolls: box.scrollWidth > box.clientWidth,
    sidebarOpen: !!sidebar && sidebar.getBoundingClientRect().width > 0,
    // A header or cell whose text runs into its neighbour.
    overflowing: [...document.querySelectorAll('#result_list th, #result_list td')]
      .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
      .map((cell) => cell.className + ': ' + cell.innerText),
  };
}"""


@pytest.mark.parametrize("organiser_page", [1280, 1024], indirect=True)
@pytest.mark.parametrize("path", LISTS)
def test_every_column_is_in_view_with_the_sidebar_open(organiser_page, path):
    page, url, width = organiser_page
    page.goto(url + path)
    fits = page.evaluate(FITS)
    if SCREENSHOTS:
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    assert fits["sidebarOpen"]
    assert fits["page"] <= fits["window"], fits
    assert fits["lastRight"] <= min(fits["window"], fits["boxRight"]), fits
    assert not fits["boxScrolls"], fits
    assert fits["overflowing"] == [], fits


@pytest.mark.parametrize("organiser_page", [1280], indirect=True)
def test_a_cancelled_registration_reads_avbokad_in_the_list(organiser_page):
    page, url, _ = organiser_page
    page.goto(url + LISTS[0])
    cancelled = page.locator("#result_list .reglab-cancelled")
    assert cancelled.count() == 1
    assert cancelled.inner_text() == "Avbokad"
    assert cancelled.is_visible() and cancelled.bounding_box()["x"] < 1280
