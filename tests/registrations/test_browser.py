"""A participant in a real browser (Chromium): register, confirm, change, cancel, on a phone."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from registrations.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, *codes):
    for code in codes:
        page.locator(f"label:has(.workshop-code:text-is('{code}'))").click()


def fill_details(page, name="Anna Andersson", email="anna@example.se"):
    page.get_by_label("Namn").fill(name)
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Organisation").fill("Region Gävleborg")
    page.get_by_label(re.compile("Jag godkänner")).check()


def fits_a_phone(page) -> bool:
    """Nothing wider than a 360 px screen, measured once the page's styles have loaded."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def private_link_from_mail():
    match = re.search(r"https?://\S+/anmalan/[\w-]+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_register_confirm_change_and_cancel(live_server, programme, settings, desktop):
    settings.SITE_URL = live_server.url
    page = desktop
    page.goto(live_server.url + "/")
    # At the top and after each pass: the first one.
    page.get_by_role("link", name="Anmäl dig till workshopparna").first.click()
    choose(page, "W1", "W6", "W11")
    fill_details(page)
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Titta i din e-post")
    expect(page.locator("main")).to_contain_text("anna@example.se")

    registration = Registration.objects.get()
    assert sorted(c.workshop.code for c in registration.choices.all()) == ["W1", "W11", "W6"]
    assert "W1 Så når vi målen 2015" in mail.outbox[0].body

    page.goto(private_link_from_mail())
    agenda = page.locator(".agenda").inner_text()
    assert "Så når vi målen 2015" in agenda and "Sal A (exempel)" in agenda
    assert "09:00–09:45" in agenda

    page.get_by_role("link", name="Ändra workshoppar").click()
    assert page.locator("#pass_2-W6").is_checked()
    choose(page, "W7")
    page.get_by_role("button", name="Spara ändringarna").click()
    expect(page.locator("main")).to_contain_text("Din anmälan är ändrad")
    assert "Regionernas innovationsklimat" in page.locator(".agenda").inner_text()
    assert registration.choices.get(slot__number=2).workshop.code == "W7"

    page.get_by_role("link", name="Avboka", exact=True).click()
    page.get_by_role("button", name="Ja, avboka min anmälan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Din anmälan är avbokad")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_refused_submission_keeps_what_was_typed(live_server, programme, desktop):
    page = desktop
    page.goto(f"{live_server.url}/{programme.slug}/anmalan/")
    choose(page, "W2", "W8")  # nothing in pass 3
    fill_details(page, name="Bertil Berg", email="bertil@example.se")
    page.get_by_role("button", name="Skicka anmälan").click()

    summary = page.locator("#error-summary")
    assert "Välj en workshop under Pass 3." in summary.inner_text()
    # The page's script moves the focus there once it has loaded.
    page.wait_for_function("document.activeElement.id === 'error-summary'", timeout=5000)
    assert "Välj en workshop under Pass 3." in page.locator("#pass_3-error").inner_text()
    assert page.get_by_label("Namn").input_value() == "Bertil Berg"
    assert page.get_by_label("E-post").input_value() == "bertil@example.se"
    assert page.locator("#pass_1-W2").is_checked()
    assert page.locator("#pass_2-W8").is_checked()
    assert page.get_by_label(re.compile("Jag godkänner")).is_checked()
    assert Registration.objects.count() == 0


def test_form_on_a_phone(live_server, programme, phone, tmp_path):
    page = phone
    page.goto(f"{live_server.url}/{programme.slug}/anmalan/")
    # Nothing wider than the screen: no sideways scrolling at 360 px.
    assert fits_a_phone(page)
    page.screenshot(path=tmp_path / "form-360.png", full_page=True)
    choose(page, "W5", "W10", "W15")
    fill_details(page, email="cecilia@example.se")
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Titta i din e-post")
    assert Registration.objects.get().choices.count() == 3


def test_keyboard_only_registration(live_server, programme, desktop):
    page = desktop
    page.goto(f"{live_server.url}/{programme.slug}/anmalan/")
    page.locator("#pass_1-W1").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # moves the choice to W2 within the group
    page.locator("#pass_2-W6").focus()
    page.keyboard.press("Space")
    page.locator("#pass_3-W11").focus()
    page.keyboard.press("Space")
    page.get_by_label("Namn").focus()
    page.keyboard.type("Dora Dahl")
    page.keyboard.press("Tab")
    page.keyboard.type("dora@example.se")
    page.keyboard.press("Tab")
    page.keyboard.type("Region Skåne")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the consent box
    page.keyboard.press("Tab")  # the privacy link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skicka anmälan"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/anmalan/tack/"))
    codes = sorted(c.workshop.code for c in Registration.objects.get().choices.all())
    assert codes == ["W11", "W2", "W6"]


def test_private_page_with_a_queue_offer_fits_a_phone(live_server, programme, phone):
    from registrations import services
    from workshops.models import Workshop

    def workshops(*numbers):
        return [Workshop.objects.get(event=programme, number=n) for n in numbers]

    Workshop.objects.filter(event=programme, number=3).update(capacity=1)
    details = {"event": programme, "organisation": "Region Test", "consent": True}
    services.register(
        name="Full", email="full@example.se", workshops=workshops(3, 6, 11), **details
    )
    anna = services.register(
        name="Anna", email="anna@example.se", workshops=workshops(1, 7, 12), **details
    ).registration
    phone.goto(f"{live_server.url}/anmalan/{anna.token}/")
    assert phone.get_by_role("button", name="Ställ mig i kö").is_visible()
    # The queue's select lists long titles; it must not widen the page past the screen.
    assert fits_a_phone(phone)


def test_queue_for_a_full_workshop_from_the_form_by_keyboard_on_a_phone(
    live_server, programme, phone
):
    from registrations.models import QueueEntry
    from workshops.models import Workshop

    Workshop.objects.filter(event=programme, number=2).update(capacity=0)
    page = phone
    page.goto(f"{live_server.url}/{programme.slug}/anmalan/")
    assert page.locator("#pass_1-W2").is_disabled()
    # From the choice in pass 1, Tab reaches W1's details, then W2's queue box.
    page.locator("#pass_1-W1").focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "queue_1-W2":
            break
    assert page.evaluate("document.activeElement.id") == "queue_1-W2"
    page.keyboard.press("Space")
    assert page.get_by_label("Ställ mig i kö till W2").is_checked()
    assert fits_a_phone(page)
    choose(page, "W6", "W11")
    fill_details(page, email="erik@example.se")
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.locator("main")).to_contain_text("Du bad också att få stå i kö till")
    entry = QueueEntry.objects.get()
    assert (entry.registration.email, entry.workshop.code) == ("erik@example.se", "W2")


def test_ticking_a_second_queue_in_a_pass_unticks_the_first(live_server, programme, desktop):
    from workshops.models import Workshop

    Workshop.objects.filter(event=programme, number__in=[2, 3]).update(capacity=0)
    desktop.goto(f"{live_server.url}/{programme.slug}/anmalan/")
    desktop.get_by_label("Ställ mig i kö till W2").check()
    desktop.get_by_label("Ställ mig i kö till W3").check()
    assert not desktop.get_by_label("Ställ mig i kö till W2").is_checked()
    assert desktop.get_by_label("Ställ mig i kö till W3").is_checked()


def test_overview_fits_a_phone_with_its_tables_scrolling_inside(live_server, programme, phone):
    from django.contrib.auth.models import User

    from tests.conftest import register_people

    register_people(programme, 2)
    User.objects.create_superuser("chef", "chef@example.se", "chef-pass-123")
    phone.goto(f"{live_server.url}/admin/login/")
    phone.fill("#id_username", "chef")
    phone.fill("#id_password", "chef-pass-123")
    phone.click("input[type=submit]")
    phone.goto(f"{live_server.url}/admin/registrations/registration/overview/")
    assert phone.get_by_role("heading", name="Anmälningar per dag").is_visible()
    assert fits_a_phone(phone)


def test_a_long_address_fits_a_phone_where_the_pages_repeat_it(
    live_server, programme, settings, phone
):
    """An address has no place to break; a usual one (41 characters here) still must not push
    the thanks page, the link-sent page, the private page or the change form past a 360 px
    screen (WCAG 1.4.10): where the pages repeat it, it may break anywhere (.text-break)."""
    settings.SITE_URL = live_server.url
    address = "margareta.lindqvist@regionvasterbotten.se"
    phone.goto(f"{live_server.url}/{programme.slug}/anmalan/")
    choose(phone, "W1", "W6", "W11")
    fill_details(phone, email=address)
    phone.get_by_role("button", name="Skicka anmälan").click()
    expect(phone.locator("main")).to_contain_text(address)
    assert fits_a_phone(phone)
    phone.goto(private_link_from_mail())
    expect(phone.locator("main")).to_contain_text(address)
    assert fits_a_phone(phone)
    phone.goto(private_link_from_mail() + "andra/")
    expect(phone.locator("main")).to_contain_text(address)
    assert fits_a_phone(phone)
    phone.goto(f"{live_server.url}/{programme.slug}/anmalan/min-lank/")
    phone.get_by_label("E-post").fill(address)
    phone.get_by_role("button").filter(has_text="länk").first.click()
    expect(phone.locator("main")).to_contain_text(address)
    assert fits_a_phone(phone)
