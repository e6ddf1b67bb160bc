"""In Debian's Chromium: a region submits a proposal, a participant distributes points.

Screenshots of each page at phone and desktop width go to test-artifacts/ for a look.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from proposals.models import Proposal, Vote
from proposals.services import cast_votes

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
WIDTHS = [360, 1280]


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=ARTIFACTS / f"proposals-{name}-{width}.png", full_page=True)


def new_page(browser, errors):
    page = browser.new_page(locale="sv-SE")

    def console(message):
        # Content-security-policy violations and script errors show up on the console;
        # failed requests are caught with their address below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"{response.status} {response.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


@pytest.mark.django_db(transaction=True)
def test_region_submits_a_proposal(browser, live_server, proposals_2018):
    errors = []
    page = new_page(browser, errors)
    page.goto(f"{live_server.url}/forslag/")
    shoot(page, "list")
    page.get_by_role("link", name="Skicka in ett förslag").first.click()

    page.get_by_label("Titel").fill("Smart specialisering i praktiken")
    page.get_by_role("button", name="Skicka förslaget").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.locator("#id_title").input_value() == "Smart specialisering i praktiken"
    shoot(page, "form-errors")

    page.locator("#id_region").select_option("Region Gävleborg")
    page.locator("#id_format").select_option(label="Seminarium")
    page.get_by_label("Beskrivning").fill("Hur arbetar regionerna med sina strategier?")
    page.get_by_role("button", name="Skicka förslaget").click()
    page.get_by_role("heading", name="Tack! Förslaget är mottaget").wait_for()
    shoot(page, "received")
    proposal = Proposal.objects.get(title="Smart specialisering i praktiken")
    assert not proposal.is_published
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_participant_distributes_points_with_a_live_counter(
    browser, live_server, voter, proposals_2018, admin_user
):
    errors = []
    page = new_page(browser, errors)
    page.goto(f"{live_server.url}/forslag/prioritera/{voter.token}/")
    # Descriptions are folded; one click shows one.
    description = page.get_by_text("Behov av att samla parter", exact=False)
    assert not description.is_visible()
    page.locator("summary", has_text="Cirkulär ekonomi").click()
    assert description.is_visible()
    shoot(page, "vote-unfolded")
    counter = page.locator(".points-used-count")
    assert counter.text_content() == "0"
    page.get_by_label("Matcha rätt").fill("2")
    page.get_by_label("Cirkulär ekonomi").fill("2")
    assert counter.text_content() == "4"
    shoot(page, "vote-over")
    page.get_by_role("button", name="Spara mina poäng").click()
    page.get_by_text("men har bara 3 att fördela").first.wait_for()
    assert not Vote.objects.exists()

    page.get_by_label("Cirkulär ekonomi").fill("1")
    assert counter.text_content() == "3"
    page.get_by_role("button", name="Spara mina poäng").click()
    page.get_by_text("Dina poäng är sparade.").wait_for()
    assert sorted(Vote.objects.values_list("points", flat=True)) == [1, 2]
    shoot(page, "vote-saved")

    organiser = new_page(browser, errors)
    organiser.goto(f"{live_server.url}/admin/login/?next=/forslag/rangordning/{voter.round_id}/")
    organiser.get_by_label("Användarnamn").fill(admin_user.username)
    organiser.get_by_label("Lösenord").fill("password")
    organiser.get_by_role("button", name="Logga in").click()
    first_row = organiser.locator(".ranking-table tbody tr").first
    assert "Matcha rätt" in first_row.text_content()
    shoot(organiser, "ranking")

    # The ranking follows new points without a reload (the script polls every 10 s).
    circular = next(p for p in proposals_2018 if p.title == "Cirkulär ekonomi")
    cast_votes(voter_id=voter.pk, points={circular.pk: 3})
    expect(first_row).to_contain_text("Cirkulär ekonomi", timeout=15_000)
    assert errors == []
