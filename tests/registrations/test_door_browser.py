"""The door on a phone (360 px, Chromium): find a person by surname in two taps, check them in,
a flaky network, two devices at one door, a badge's QR code scanned, the wrong door, a
walk-in; and every door page without axe violations."""

import re

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from registrations import qr
from registrations.models import CheckIn, Registration
from tests.conftest import register_people, user_in_group
from tests.test_accessibility import AXE, require, run_axe
from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
SURNAMES = ["Östberg", "Andersson", "Berg", "Lind", "Holm", "Dahl", "Ek", "Nilsson"]


@pytest.fixture
def people(programme):
    """Eight in W6 (Sal A, pass 2) and two in W7 (Sal B), with surnames."""
    here = register_people(programme, len(SURNAMES))
    for person, surname in zip(here, SURNAMES, strict=True):
        person.name = f"Kim {surname}"
        person.save()
    elsewhere = register_people(programme, 2, start=20, index=1)
    elsewhere[0].name = "Olof Ödman"
    elsewhere[0].save()
    return {p.name: p for p in here + elsewhere}


def logged_in(browser, live_server, user, **options):
    """A browser with its own login (a client of its own: logging another user in on one
    client would end the first one's session)."""
    client = Client()
    client.force_login(user)
    options = {"viewport": PHONE, "locale": "sv-SE", **options}
    context = browser.new_context(**options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


@pytest.fixture(autouse=True)
def groups(groups_again):
    pass


@pytest.fixture
def staff_phone(browser, live_server, groups):
    context = logged_in(browser, live_server, user_in_group("Personal", "door-staff"))
    yield context.new_page()
    context.close()


def door(live_server, event, number=6):
    return live_server.url + reverse("registrations:door", args=[event.slug, number])


def person(page, surname):
    surname_is = page.locator(".door-name strong", has_text=re.compile(f"^{surname}$"))
    return page.locator("#door-here [data-person]").filter(has=surname_is)


def test_find_by_surname_in_two_taps_and_check_in(live_server, programme, people, staff_phone):
    page = staff_phone
    page.goto(live_server.url + reverse("registrations:door_passes"))
    page.get_by_role("link", name=re.compile("Pass 2")).click()
    page.get_by_role("link", name=re.compile("Sal A")).click()
    assert page.locator("#door-count").inner_text() == "0 av 8 här · 8 inte här · 0 utan anmälan"
    names = page.locator("#door-here .door-name").all_inner_texts()
    assert names[:3] == ["Andersson, Kim", "Berg, Kim", "Dahl, Kim"] and names[-1] == "Östberg, Kim"

    page.get_by_role("link", name="L", exact=True).click()  # tap 1: the letter
    lind = person(page, "Lind")
    assert lind.is_visible()
    lind.get_by_role("button").click()  # tap 2: the person

    expect_state(page, "Lind", "Här")
    assert lind.get_by_role("button").get_attribute("aria-pressed") == "true"
    assert page.locator("#door-count").inner_text() == "1 av 8 här · 7 inte här · 0 utan anmälan"
    assert CheckIn.objects.filter(registration=people["Kim Lind"], workshop__number=6).exists()
    # Tapped again: undone.
    lind.get_by_role("button").click()
    expect_state(page, "Lind", "Inte här")
    assert not CheckIn.objects.exists()


def test_search_as_you_type_and_check_in_with_the_keyboard(
    live_server, programme, people, staff_phone
):
    page = staff_phone
    page.goto(door(live_server, programme))
    page.get_by_label("Sök på namn eller organisation").fill("ostb")
    visible = page.locator("#door-here [data-person]:visible")
    assert visible.count() == 1 and "Östberg" in visible.inner_text()
    assert page.locator("[data-door-elsewhere]").is_hidden()

    assert page.locator("[data-door-no-match]").is_hidden()
    page.get_by_label("Sök på namn eller organisation").fill("qx")
    expect(page.locator("[data-door-no-match]")).to_be_visible()
    page.get_by_label("Sök på namn eller organisation").fill("ostb")

    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")  # the one person found
    assert page.evaluate("document.activeElement.closest('[data-person]') !== null")
    page.keyboard.press("Space")
    expect_state(page, "Östberg", "Här")
    assert CheckIn.objects.filter(registration=people["Kim Östberg"]).exists()
    page.keyboard.press("Enter")
    expect_state(page, "Östberg", "Inte här")
    # Tap targets are 44 px at least.
    box = person(page, "Östberg").get_by_role("button").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300


def expect_state(page, surname, text):
    page.wait_for_function(
        """([surname, text]) => [...document.querySelectorAll('#door-here [data-person]')]
             .some(li => li.querySelector('.door-name strong').textContent === surname
                         && li.querySelector('[data-state]').textContent === text)""",
        arg=[surname, text],
        timeout=10000,
    )


def test_a_tap_that_did_not_reach_the_server_is_not_shown_saved_and_is_sent_again(
    live_server, programme, people, staff_phone
):
    page = staff_phone
    page.goto(door(live_server, programme))
    mark = "**/narvaro/"
    page.route(mark, lambda route: route.abort("internetdisconnected"))

    person(page, "Andersson").get_by_role("button").click()

    expect_state(page, "Andersson", "Inte sparat – försöker igen")
    item = person(page, "Andersson")
    assert "is-present" not in item.get_attribute("class")
    assert item.get_by_role("button").get_attribute("aria-pressed") == "false"
    assert not CheckIn.objects.exists()

    page.unroute(mark)  # the network is back: the retry gets through
    expect_state(page, "Andersson", "Här")
    assert CheckIn.objects.filter(registration=people["Kim Andersson"]).count() == 1


def test_a_lost_answer_is_not_taken_for_saved_and_the_retry_does_not_undo(
    live_server, programme, people, staff_phone
):
    page = staff_phone
    page.goto(door(live_server, programme))
    lost = []

    def answer_lost(route):
        if not lost:
            route.fetch()  # the server saves it...
            lost.append(True)
            route.abort("connectionreset")  # ...and the answer never arrives
        else:
            route.continue_()

    page.route("**/narvaro/", answer_lost)
    person(page, "Berg").get_by_role("button").click()

    expect_state(page, "Berg", "Inte sparat – försöker igen")
    assert CheckIn.objects.filter(registration=people["Kim Berg"]).count() == 1
    expect_state(page, "Berg", "Här")  # sent again: still present, not toggled back
    assert CheckIn.objects.filter(registration=people["Kim Berg"]).count() == 1


def test_two_devices_at_one_door_stay_in_step(live_server, programme, people, staff_phone, browser):
    other_context = logged_in(browser, live_server, user_in_group("Personal", "second-staff"))
    other = other_context.new_page()
    staff_phone.goto(door(live_server, programme))
    other.goto(door(live_server, programme))

    person(staff_phone, "Holm").get_by_role("button").click()
    expect_state(staff_phone, "Holm", "Här")

    expect_state(other, "Holm", "Här")  # within a poll or two
    assert other.locator("#door-count").inner_text().startswith("1 av 8 här")
    # A walk-in added on the first phone shows up on the other's list.
    staff_phone.get_by_role("link", name="Lägg till någon utan anmälan").click()
    staff_phone.get_by_label("Namn").fill("Greta Garbo")
    staff_phone.get_by_label("Organisation").fill("Filmen")
    staff_phone.get_by_label(re.compile("Personen godkänner")).check()
    staff_phone.get_by_role("button", name="Lägg till och markera här").click()
    expect_state(other, "Garbo", "Här")
    assert other.locator("#door-count").inner_text().endswith("1 utan anmälan")
    other_context.close()


QR_PIXELS = """img => {
  const size = 400, canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, size, size);
  context.drawImage(img, 0, 0, size, size);
  return Array.from(context.getImageData(0, 0, size, size).data.filter((_, i) => i % 4 === 0));
}"""


def scan(page, image) -> str:
    """What a camera reads off the QR code on screen (zxing-cpp)."""
    pixels = bytes(image.evaluate(QR_PIXELS))
    (code,) = zxingcpp.read_barcodes(memoryview(pixels).cast("B", (400, 400)))
    return code.text


def test_the_morning_at_w6_scan_a_badge_move_from_the_wrong_door_and_add_a_walk_in(
    live_server, programme, people, staff_phone, browser, settings, pass_2_running
):
    settings.SITE_URL = live_server.url
    olof = people["Olof Ödman"]  # registered for W7, turns up at W6
    page = staff_phone
    page.goto(door(live_server, programme))
    assert page.get_by_role("heading", level=1).inner_text() == "W6 Sal A (exempel)"

    # His badge, as printed, held up to the phone's camera.
    printer = logged_in(browser, live_server, user_in_group("Arrangörer", "printer"))
    sheet = printer.new_page()
    badges = reverse("admin:registrations_badges", args=[programme.slug])
    sheet.goto(f"{live_server.url}{badges}?registration={olof.pk}")
    url = scan(sheet, sheet.locator(".badge-qr"))
    printer.close()
    assert url == qr.checkin_url(olof)

    page.goto(url)
    assert "Nu: Pass 2, 10:00–10:45" in page.content()
    warning = page.locator(".door-wrong").inner_text()
    assert "Du står vid W6 i Sal A (exempel)." in warning
    assert "anmäld till W7 i Sal B (exempel) under det här passet" in warning
    page.get_by_role("button", name="Flytta till W6 och markera här").click()
    expect(page.locator("main")).to_contain_text("Olof Ödman är flyttad till W6 och markerad här.")
    olof.refresh_from_db()
    assert olof.choices.get(slot__number=2).workshop.code == "W6"
    assert CheckIn.objects.filter(registration=olof, workshop__number=6).exists()

    # A walk-in at the same door.
    page.goto(door(live_server, programme))
    page.get_by_role("link", name="Lägg till någon utan anmälan").click()
    page.get_by_label("Namn").fill("Greta Garbo")
    page.get_by_label("Organisation").fill("Filmen")
    page.get_by_label(re.compile("Personen godkänner")).check()
    page.get_by_role("button", name="Lägg till och markera här").click()
    expect(page.locator("#door-count")).to_have_text("1 av 9 här · 8 inte här · 1 utan anmälan")
    assert Registration.objects.get(walk_in=True).name == "Greta Garbo"

    # The overview then shows the counts.
    organiser = logged_in(
        browser,
        live_server,
        user_in_group("Arrangörer", "organiser-2"),
        viewport={"width": 1280, "height": 900},
    )
    overview = organiser.new_page()
    overview.goto(live_server.url + reverse("admin:registrations_overview", args=[programme.slug]))
    row = overview.locator(".reglab-attendance tr", has_text="W6").inner_text()
    assert re.search(r"1 / 9\s+1\s+8", row), row
    organiser.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_door_pages_have_no_axe_violations(
    live_server, programme, people, browser, width, pass_2_running
):
    axe = require(AXE).read_text()
    context = logged_in(browser, live_server, user_in_group("Arrangörer", "axe"), bypass_csp=True)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    Workshop.objects.filter(number=7).update(capacity=2)  # full: the override is offered
    olof = people["Olof Ödman"]
    slug = programme.slug
    found = {}
    for name, path in [
        ("passes", reverse("registrations:door_passes", args=[slug])),
        ("rooms", reverse("registrations:door_rooms", args=[slug, 2])),
        ("door", reverse("registrations:door", args=[slug, 6])),
        ("search", reverse("registrations:door", args=[slug, 6]) + "?q=%C3%B6dman"),
        ("walk-in", reverse("registrations:door_walk_in", args=[slug, 7])),
        ("person", reverse("registrations:door_scan", args=[olof.checkin_code])),
    ]:
        page.goto(live_server.url + path)
        found[name] = run_axe(page, axe)
    page.goto(live_server.url + reverse("registrations:door", args=[slug, 6]))
    person(page, "Berg").get_by_role("button").click()
    expect_state(page, "Berg", "Här")
    page.get_by_label("Sök på namn eller organisation").fill("ödm")
    found["checked and searched"] = run_axe(page, axe)
    page.goto(live_server.url + reverse("registrations:door_walk_in", args=[slug, 7]))
    page.get_by_role("button", name="Lägg till och markera här").click()
    # The page with the problems must have loaded before axe is put into it.
    page.locator("#error-summary").wait_for()
    found["walk-in with errors"] = run_axe(page, axe)
    context.close()
    assert {name: v for name, v in found.items() if v} == {}
