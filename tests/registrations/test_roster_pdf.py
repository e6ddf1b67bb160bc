"""The rosters as Chromium prints them: each workshop on pages of its own, numbered "sida 1 av 2"
per workshop, column headings on every page, the table's borders whole, no navigation."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from registrations import exports
from tests.conftest import register_people
from workshops.models import Workshop

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


def page_label(text: str) -> tuple[str, int, int]:
    """The code and "sida N av M" a printed page carries in its running head."""
    code, number, of = re.search(r"(W\d+) · sida (\d+) av (\d+)", text).groups()
    return code, int(number), int(of)


@pytest.fixture
def printer(django_user_model):
    return django_user_model.objects.create_superuser("printer", password="not-used")


def test_fifteen_rosters_print_each_workshop_on_its_own_numbered_pages(
    live_server, client, programme, printer, browser
):
    # W1, W6 and W11 get 40 people each: with the walk-in lines they run over a second page.
    register_people(programme, 40)
    path = reverse("admin:registrations_rosters", args=[programme.slug])

    pdf = print_to_pdf(live_server, client, printer, path, browser)

    pages = [page.extract_text() for page in pdf.pages]
    labels = [page_label(text) for text in pages]
    two = {"W1", "W6", "W11"}
    expected = []
    for n in range(1, 16):
        of = 2 if f"W{n}" in two else 1
        expected += [(f"W{n}", number, of) for number in range(1, of + 1)]
    assert labels == expected
    assert all(text.startswith(programme.name) for text in pages), "the running head"
    for text, (code, number, _of) in zip(pages, labels, strict=True):
        assert "Signatur" in text and "Efternamn, förnamn" in text, "headings on every page"
        if number == 1:
            title = Workshop.objects.get(event=programme, number=int(code[1:])).title
            assert f"{code} {title[:20]}" in text.replace("  ", " ")
            assert "Pass:" in text and "Medverkande:" in text
        else:
            assert text.split("\n")[1].startswith(f"{code} "), "the title repeated, short"
            assert "Medverkande:" not in text
    # The lines go on where the first page stopped; the note ends each roster.
    first, second = pages[0], pages[1]
    lines = exports.ROSTER_FIRST_PAGE_LINES
    assert f"\n{lines} " in first and f"\n{lines + 1} " not in first
    assert f"\n{lines + 1} " in second and "039, Person" in second
    assert "Tomma rader" in second and "Tomma rader" not in first
    assert not any("Skriv ut" in text or "Till översikten" in text for text in pages)


LONG_NAME = "Maria Magdalena Fredrika Lindström-Bergqvist af Ugglas"
LONG_ORGANISATION = "Regionförbundet Örebro län, avdelningen för regional tillväxt och kompetens"


def test_a_full_room_with_long_names_prints_exactly_the_pages_counted(
    live_server, client, programme, printer, browser
):
    """Lines keep their height with long names, so the counted pages are the printed ones."""
    people = register_people(programme, 60)  # W1's room (Sal A) holds 60
    for person in people[::3]:
        person.name, person.organisation = LONG_NAME, LONG_ORGANISATION
        person.save()
    path = reverse("admin:registrations_roster", args=[programme.slug, 1])

    pdf = print_to_pdf(live_server, client, printer, path, browser)

    lines = 60 + exports.WALK_IN_LINES
    first, later = exports.ROSTER_FIRST_PAGE_LINES, exports.ROSTER_LATER_PAGE_LINES
    counted = 1 + -(-(lines - first) // later)
    assert counted == 3
    assert [page_label(p.extract_text()) for p in pdf.pages] == [("W1", n, 3) for n in (1, 2, 3)]
    assert "Tomma rader" in pdf.pages[2].extract_text()
    # Set smaller on two lines, the long ones are printed whole (not cut off with "…").
    text = "".join(page.extract_text() for page in pdf.pages)
    assert text.count("Ugglas, Maria Magdalena") == 20
    assert "Ugglas, Maria Magdalena" in text and "…" not in text
    assert "Lindström-Bergqvist af" in text and "tillväxt och kompetens" in text


def _filled_rectangles(page) -> tuple[list, list]:
    """The page's clip rectangles and its filled rectangles (Chromium draws table borders as
    thin filled rectangles), in page coordinates."""
    clips, fills, pending = [], [], []

    def visit(operator, operands, cm, tm):
        if operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            a, b, c, d, e, f = cm
            pending.append((a * x + c * y + e, b * x + d * y + f, abs(a * w), abs(d * h)))
        elif operator in (b"W", b"W*") and pending:
            clips.append(pending.pop())
        elif operator in (b"f", b"F", b"f*"):
            fills.extend(pending)
            pending.clear()
        elif operator == b"n":
            pending.clear()

    page.extract_text(visitor_operand_before=visit)
    return clips, fills


def test_the_right_border_of_the_table_is_printed(live_server, client, programme, printer, browser):
    register_people(programme, 3, index=2)
    path = reverse("admin:registrations_roster", args=[programme.slug, 3])

    (page,) = print_to_pdf(live_server, client, printer, path, browser).pages

    clips, fills = _filled_rectangles(page)
    printable = clips[0]  # the page's content area, inside the @page margins
    right_edge = printable[0] + printable[2]
    # Thin and as tall as a line of the table: the vertical borders.
    lines = [r for r in fills if r[2] < 2 and r[3] > 18]
    rightmost = max(lines, key=lambda r: r[0])
    assert rightmost[2] >= 0.7, "a whole line, not a sliver"
    assert rightmost[0] + rightmost[2] <= right_edge + 0.01, "inside the printable area"
    # One vertical border per column and the table's left edge, on every line of the table.
    edges = sorted({round(r[0]) for r in lines})
    assert len(edges) == 6
    assert sum(1 for r in lines if round(r[0]) == edges[-1]) >= 1 + 3 + exports.WALK_IN_LINES


def test_one_roster_fits_one_page(live_server, client, programme, printer, browser):
    register_people(programme, 3, index=2)
    path = reverse("admin:registrations_roster", args=[programme.slug, 3])

    (page,) = print_to_pdf(live_server, client, printer, path, browser).pages

    text = page.extract_text()
    assert page_label(text) == ("W3", 1, 1)
    assert "W3 " in text and "Pass 1, 09:00–09:45" in text and "Sal C (exempel)" in text
    assert "3 / 40" in text
    assert text.index("000, Person") < text.index("001, Person") < text.index("002, Person")
