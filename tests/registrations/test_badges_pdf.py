"""Name badges as Chromium prints them: eight A7 badges per A4 sheet, in surname order, each
with the person's three workshops and a QR code that leads to their check-in."""

import pytest
from django.urls import reverse

from registrations.models import Registration
from tests.conftest import register_people
from tests.registrations.test_roster_pdf import print_to_pdf

pytestmark = pytest.mark.browser

SURNAMES = ["Öberg", "Andersson", "Berg", "Åkesson", "Ek", "Dahl", "Lind", "Holm", "Nilsson"]


@pytest.fixture
def nine(programme):
    people = register_people(programme, len(SURNAMES))
    for person, surname in zip(people, SURNAMES, strict=True):
        person.name = f"Kim {surname}"
        person.save()
    return people


@pytest.fixture
def printer(django_user_model):
    return django_user_model.objects.create_superuser("printer", password="not-used")


def test_badges_print_eight_per_sheet_in_surname_order(
    live_server, client, programme, nine, printer, browser
):
    path = reverse("admin:registrations_badges", args=[programme.slug])

    pdf = print_to_pdf(live_server, client, printer, path, browser)

    assert len(pdf.pages) == 2  # nine badges: a full sheet and one more
    box = pdf.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210,
        297,
    )
    text = "\n".join(page.extract_text() for page in pdf.pages)
    order = ["Andersson", "Berg", "Dahl", "Ek", "Holm", "Lind", "Nilsson", "Åkesson", "Öberg"]
    positions = [text.index(f"Kim {surname}") for surname in order]
    assert positions == sorted(positions)
    assert "Kim Öberg" in pdf.pages[1].extract_text()
    first = pdf.pages[0].extract_text()
    for line in ("09:00–09:45 W1 Sal A (exempel)", "10:00–10:45 W6", "11:00–11:45 W11"):
        assert line in first
    assert "Organisation" in first
    assert not any("Skriv ut" in page.extract_text() for page in pdf.pages)


def test_badges_for_one_workshop_or_a_selection(
    live_server, client, programme, nine, printer, browser
):
    register_people(programme, 2, start=50, index=1)  # in W2, W7, W12
    path = reverse("admin:registrations_badges", args=[programme.slug, 7])
    (page,) = print_to_pdf(live_server, client, printer, path, browser).pages
    text = page.extract_text()
    assert "Person 050" in text and "Person 051" in text and "Kim" not in text

    chosen = Registration.objects.filter(name__in=["Kim Ek", "Kim Dahl"])
    query = "&".join(f"registration={r.pk}" for r in chosen)
    path = reverse("admin:registrations_badges", args=[programme.slug]) + "?" + query
    (page,) = print_to_pdf(live_server, client, printer, path, browser).pages
    text = page.extract_text()
    assert text.index("Kim Dahl") < text.index("Kim Ek") and "Kim Berg" not in text


def test_a_long_name_and_organisation_are_printed_whole(
    live_server, client, programme, printer, browser
):
    """The name is what door staff look for: a long one is set smaller, never cut off."""
    long, longer = register_people(programme, 2)
    long.name = "Maria-Louise Charlotta Wachtmeister af Johannishus-Åkerhielm"
    long.organisation = "Region Västra Götaland, koncernavdelning regional utveckling"
    long.save()
    longer.name = "Ann-Charlotte Margareta Elisabeth Gyllenstierna af Lundholm-Wachtmeister-Sparre"
    longer.organisation = (
        "Region Västra Götaland, koncernavdelning regional utveckling, enheten för analys, "
        "uppföljning och utvärdering av det regionala utvecklingsarbetet"
    )
    longer.save()
    client.force_login(printer)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(live_server.url + reverse("admin:registrations_badges", args=[programme.slug]))
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.badge, .badge-name, .badge-org')]
            .filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
            .map(e => e.className + ': ' + e.textContent.trim().slice(0, 40))"""
    )
    context.close()
    assert cut == []
