"""Done when: someone who reads no Swedish registers, changes a workshop, joins a waiting list
and cancels on a phone, and meets no Swedish interface word on any page on the way (Swedish
workshop content carries lang="sv"; nobody filled in English titles here)."""

import re

import pytest
from django.core import mail
from django.utils.html import escape
from playwright.sync_api import expect

from registrations.models import Registration
from tests.registrations.test_browser import choose
from tests.test_translations import swedish_words
from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-GB")
    yield context.new_page()
    context.close()


def test_an_english_reader_registers_changes_queues_and_cancels_on_a_phone(
    live_server, programme, settings, english_phone, tmp_path
):
    settings.SITE_URL = live_server.url
    page = english_phone
    seen = {}

    def look(name):
        page.wait_for_load_state()
        lang, words = swedish_words(page.content())
        seen[name] = (lang, words)
        page.screenshot(path=tmp_path / f"{name}.png", full_page=True)

    # W9 (session 2) is full: the person will wait for it.
    Workshop.objects.filter(event=programme, number=9).update(capacity=0)
    page.goto(live_server.url + "/")
    look("programme")
    page.get_by_role("link", name="Register for the workshops").first.click()
    look("form")
    choose(page, "W1", "W6", "W11")
    page.get_by_label("Name").fill("Jens Jensen")
    page.get_by_label("E-mail").fill("jens@example.dk")
    page.get_by_label("Organisation").fill("Region Midtjylland")
    page.get_by_label(re.compile("I agree that Reglab keeps my details")).check()
    page.get_by_role("button", name="Send the registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you! Check your e-mail")
    look("thanks")

    registration = Registration.objects.get()
    page.goto(f"{live_server.url}/anmalan/{registration.token}/")
    look("private")
    page.get_by_role("link", name="Change workshops").click()
    look("change")
    choose(page, "W7")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("main")).to_contain_text("Your registration has been changed")
    assert registration.choices.get(slot__number=2).workshop.code == "W7"
    look("changed")

    w9 = Workshop.objects.get(event=programme, number=9)
    page.get_by_label(
        "Join the waiting list for a fully booked workshop in Session 2"
    ).select_option(str(w9.pk))
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator("main")).to_contain_text("You are now on the waiting list for W9.")
    expect(page.locator("main")).to_contain_text("Session 2: place 1 on the waiting list for W9")
    look("queued")

    page.get_by_role("link", name="Cancel", exact=True).click()
    look("cancel")
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration is cancelled")
    look("cancelled")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED

    assert {name: lang for name, (lang, _) in seen.items()} == dict.fromkeys(seen, "en")
    assert {name: words for name, (_, words) in seen.items() if words} == {}
    # The e-mails sent during the requests: English around the Swedish programme's own texts.
    name = programme.name
    assert [m.subject for m in mail.outbox] == [
        f"Confirmation: your registration for {name}",
        f"Changed registration for {name}",
        f"Cancelled: {name}",
    ]
    content = programme_texts(programme)
    for message in mail.outbox:
        body = message.body
        for text in content:
            body = body.replace(text, "")
        assert body.startswith("Hello Jens Jensen,")
        assert swedish_words(f"<pre>{escape(body)}</pre>")[1] == [], message.body


def programme_texts(event) -> list[str]:
    """The organisers' Swedish texts (names and prose), longest first."""
    texts = {event.name, event.venue}
    for workshop in Workshop.objects.filter(event=event).select_related("room"):
        texts |= {workshop.title, workshop.room.name, workshop.contributors_note}
        for wp in workshop.ordered_presenters():
            texts |= {wp.presenter.name, wp.presenter.organisation, wp.presenter.job_title}
    return sorted(filter(None, texts), key=len, reverse=True)
