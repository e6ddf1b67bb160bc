"""Exports: what the CSV and Excel files hold, read back, and that no cell becomes a formula."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from registrations import exports, selectors, services
from registrations.models import Registration
from tests.conftest import make_event, register_people
from workshops.models import Workshop

FORMULA = '=HYPERLINK("http://evil.example","Klicka")'


def export_url(event, fmt, query=""):
    return reverse("admin:registrations_export", args=[event.slug, fmt]) + query


def read_csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content))


@pytest.fixture
def registered(programme):
    """Two people in W1/W6/W11, one in W2/W7/W12, one of them cancelled afterwards."""
    register_people(programme, 2, index=0)
    (third,) = register_people(programme, 1, start=2, index=1)
    (gone,) = register_people(programme, 1, start=3, index=1)
    services.cancel(registration=gone, notify=False)
    return programme


def test_csv_has_one_row_per_participant_and_workshop_in_swedish_excel_format(
    organiser_client, registered
):
    response = organiser_client.get(export_url(registered, "csv"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == [
        "Namn",
        "E-post",
        "Organisation",
        "Kod",
        "Workshop",
        "Pass",
        "Tid",
        "Lokal",
        "Anmäld",
        "Närvarande",
    ]
    body = rows[1:]
    assert len(body) == 3 * 3  # three confirmed people, three passes; the cancelled one is out
    assert [r[3] for r in body] == ["W1", "W1", "W2", "W6", "W6", "W7", "W11", "W11", "W12"]
    first = body[0]
    w1 = Workshop.objects.select_related("room").get(event=registered, number=1)
    assert first[:3] == ["Person 000", "person0@example.se", "Organisation 0"]
    assert first[4:8] == [w1.title, "Pass 1", "09:00–09:45", w1.room.name]
    assert first[8].startswith(timezone.localdate().isoformat())
    assert "Person 003" not in {r[0] for r in body}


def test_xlsx_has_a_summary_and_a_sheet_per_pass_with_frozen_bold_header(
    organiser_client, registered
):
    response = organiser_client.get(export_url(registered, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = read_xlsx(response)
    assert book.sheetnames == ["Sammanfattning", "Pass 1", "Pass 2", "Pass 3"]
    summary = book["Sammanfattning"]
    assert [c.value for c in summary[2]] == [
        "W1",
        Workshop.objects.get(event=registered, number=1).title,
        "Pass 1",
        "09:00–09:45",
        "Sal A (exempel)",
        2,
        60,
        58,
    ]
    assert summary.max_row == 1 + 3 * (5 + 1) + 1  # header, per pass 5 workshops and a sum, total
    assert [c.value for c in summary[summary.max_row]][5:] == [3, None, None]
    pass_two = book["Pass 2"]
    assert [c.value for c in pass_two[1]][:3] == ["Namn", "E-post", "Organisation"]
    assert all(c.font.b for c in pass_two[1])
    assert pass_two.freeze_panes == "A2"
    assert pass_two.column_dimensions["E"].width >= 40
    assert [(r[0].value, r[3].value) for r in pass_two.iter_rows(min_row=2)] == [
        ("Person 000", "W6"),
        ("Person 001", "W6"),
        ("Person 002", "W7"),
    ]
    assert pass_two["I2"].is_date


def test_xlsx_summary_sums_each_pass_and_counts_people_once(organiser_client, registered):
    """Three people hold a seat in each of three passes: 3 per pass, and 3 people, not 9."""
    summary = read_xlsx(organiser_client.get(export_url(registered, "xlsx")))["Sammanfattning"]
    rows = [[c.value for c in row] for row in summary.iter_rows(min_row=2)]
    sums = [row for row in rows if row[1] and row[1].endswith("totalt")]
    assert [row[1:4] for row in sums] == [
        ["Pass 1 totalt", "Pass 1", "09:00–09:45"],
        ["Pass 2 totalt", "Pass 2", "10:00–10:45"],
        ["Pass 3 totalt", "Pass 3", "11:00–11:45"],
    ]
    assert [row[5:] for row in sums] == [[3, 200, 197]] * 3
    # Each sum comes right after its pass's five workshops.
    assert [rows.index(row) for row in sums] == [5, 11, 17]
    assert all(row[2] == "Pass 2" for row in rows[6:11])
    assert rows[-1][:2] == ["Totalt", "Anmälda personer"]
    assert rows[-1][5] == 3
    assert all(c.font.b for c in summary[summary.max_row] if c.value is not None)


def test_xlsx_summary_of_a_selection_counts_the_people_in_it(organiser_client, registered):
    w2 = Workshop.objects.get(event=registered, number=2)
    book = read_xlsx(organiser_client.get(export_url(registered, "xlsx", f"?workshop={w2.pk}")))
    rows = [[c.value for c in row] for row in book["Sammanfattning"].iter_rows(min_row=2)]
    assert [row[0] for row in rows] == ["W2", None, "Totalt"]
    seats = w2.room.capacity
    assert rows[1][1:2] + rows[1][5:] == ["Pass 1 totalt", 1, seats, seats - 1]
    assert rows[-1][5] == 1


def test_one_pass_and_selected_workshops(organiser_client, registered):
    rows = read_csv(organiser_client.get(export_url(registered, "csv", "?pass=2")))
    assert {r[3] for r in rows[1:]} == {"W6", "W7"}
    w2, w12 = (Workshop.objects.get(event=registered, number=n) for n in (2, 12))
    query = f"?workshop={w2.pk}&workshop={w12.pk}"
    rows = read_csv(organiser_client.get(export_url(registered, "csv", query)))
    assert [(r[0], r[3]) for r in rows[1:]] == [("Person 002", "W2"), ("Person 002", "W12")]
    book = read_xlsx(organiser_client.get(export_url(registered, "xlsx", query)))
    assert book.sheetnames == ["Sammanfattning", "Pass 1", "Pass 3"]


def test_file_names_carry_the_event_and_the_date(organiser_client, registered):
    today = timezone.localdate().isoformat()
    response = organiser_client.get(export_url(registered, "xlsx", "?pass=1"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="utsikt-ar-insikt-anmalningar-pass-1-{today}.xlsx"'
    )
    response = organiser_client.get(export_url(registered, "csv"))
    assert f"utsikt-ar-insikt-anmalningar-alla-{today}.csv" in response["Content-Disposition"]


@pytest.mark.parametrize(
    "dangerous",
    [FORMULA, "+46 70 123", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1"],
)
def test_formula_like_values_are_written_as_text_in_both_formats(
    organiser_client, small_event, dangerous
):
    register_people(small_event, 1)
    Registration.objects.update(name=dangerous, organisation=FORMULA)

    rows = read_csv(organiser_client.get(export_url(small_event, "csv")))
    for row in rows[1:]:
        assert row[0] == "'" + dangerous
        assert row[2] == "'" + FORMULA

    response = organiser_client.get(export_url(small_event, "xlsx"))
    sheet = read_xlsx(response)["Pass 1"]
    for cell in (sheet["A2"], sheet["C2"]):
        assert cell.data_type == "s"
        assert cell.quotePrefix, "Excel's text marker, kept when the cell is edited"
    # A carriage return is stored the OOXML way, as _x000D_, which Excel reads back as one;
    # openpyxl leaves the escape as it is.
    assert unescape(sheet["A2"].value) == dangerous
    assert sheet["C2"].value == FORMULA
    with zipfile.ZipFile(io.BytesIO(response.content)) as xlsx:
        for name in xlsx.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in xlsx.read(name), f"a live formula in {name}"


def test_csv_is_streamed_from_the_database_in_chunks(small_event, monkeypatch):
    register_people(small_event, 5)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    stream = exports.csv_stream(selectors.export_choices(small_event))
    assert next(stream).startswith(b"\xef\xbb\xbfNamn;")
    assert len(list(stream)) == 15


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_take_the_same_number_of_queries_for_few_and_many_rows(
    organiser_client, django_assert_num_queries, fmt
):
    small = make_event(slug="few", capacity=100)
    large = make_event(slug="many", capacity=100)
    register_people(small, 2)
    register_people(large, 40, start=100)

    def download(event):
        response = organiser_client.get(export_url(event, fmt))
        return b"".join(response.streaming_content) if response.streaming else response.content

    download(small)  # warm up: session and user are cached on the client's first request
    with django_assert_num_queries(QUERIES[fmt]):
        download(small)
    with django_assert_num_queries(QUERIES[fmt]):
        download(large)


# Session, user, permissions (the user's and the groups'), event, the rows; xlsx also reads
# the workshops with their seats (and presenters, one prefetch) and counts the people.
QUERIES = {"csv": 7, "xlsx": 10}  # the same for 2 and for 40 participants


# Rosters: their printed pages (tests/registrations/test_roster_pdf.py prints them).


@pytest.mark.parametrize(
    ("people", "pages"), [(0, [5]), (18, [23]), (19, [23, 1]), (45, [23, 27]), (46, [23, 27, 1])]
)
def test_roster_pages_hold_a_fixed_number_of_lines_with_the_walk_in_lines_last(people, pages):
    roster = selectors.Roster(workshop=None, participants=[object()] * people)
    cut = exports.roster_pages(roster)
    assert [len(page.lines) for page in cut] == pages
    assert [(page.number, page.of, page.first, page.last) for page in cut] == [
        (n, len(pages), n == 1, n == len(pages)) for n in range(1, len(pages) + 1)
    ]
    lines = [line for page in cut for line in page.lines]
    assert [line.number for line in lines] == [*range(1, people + 1), *[None] * 5]
