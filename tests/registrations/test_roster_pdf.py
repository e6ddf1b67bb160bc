"""The rosters as Chromium prints them: one workshop per page, headers repeated, no navigation."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import register_people

pytestmark = pytest.mark.browser


def print_to_pdf(live_server, client, user, path, browser) -> PdfReader:
    client.force_login(user)
    session = client.cookies["sessionid"].value
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    response = page.goto(live_server.url + path)
    assert response.status == 200
    pdf = page.pdf(format="A4", print_background=True)
    context.close()
    return PdfReader(io.BytesIO(pdf))


def test_fifteen_rosters_print_one_workshop_per_page(
    live_server, client, programme, django_user_model, browser
):
    # W1, W6 and W11 get 40 people each: their lists run over a second page.
    register_people(programme, 40)
    user = django_user_model.objects.create_superuser("printer", password="not-used")
    path = reverse("admin:registrations_rosters", args=[programme.slug])

    pages = [
        page.extract_text() for page in print_to_pdf(live_server, client, user, path, browser).pages
    ]

    assert len(pages) == 15 + 3
    first_pages = [text for text in pages if text.startswith(programme.name)]
    assert len(first_pages) == 15, "every workshop starts on a page of its own"
    for number, text in enumerate(first_pages, start=1):
        assert f"W{number} " in text
        assert "Signatur" in text and "Organisation" in text
    continuations = [i for i, text in enumerate(pages) if not text.startswith(programme.name)]
    assert continuations == [1, 7, 13]  # right after W1's, W6's and W11's first page
    for i in continuations:
        assert pages[i].lstrip().startswith(f"W{ {1: 1, 7: 6, 13: 11}[i] } ")  # repeated title
        assert "Namn" in pages[i] and "Signatur" in pages[i]  # repeated column headings
    assert "Person 039" in pages[1] and "Tomma rader" in pages[1]
    assert not any("Skriv ut" in text or "Till översikten" in text for text in pages)


def test_one_roster_fits_one_page(live_server, client, programme, django_user_model, browser):
    register_people(programme, 3, index=2)
    user = django_user_model.objects.create_superuser("printer", password="not-used")
    path = reverse("admin:registrations_roster", args=[programme.slug, 3])

    (page,) = print_to_pdf(live_server, client, user, path, browser).pages

    text = page.extract_text()
    assert "W3 " in text and "Pass 1, 09:00–09:45" in text and "Sal C (exempel)" in text
    assert "3 / 40" in text
    assert text.index("Person 000") < text.index("Person 001") < text.index("Person 002")
