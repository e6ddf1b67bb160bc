"""Registrations as CSV and Excel (pure functions from querysets to bytes), and the rosters'
printed pages.

The querysets come from `selectors.export_choices` (one row per participant and workshop) and
`selectors.workshops_with_seats`; the admin views only wrap the result in a response.

Names and organisations are typed by participants, so a value like `=HYPERLINK(...)` must never
become a live formula: CSV goes through defusedcsv (plus tab and carriage return, which it
leaves alone), and Excel cells are written as text with Excel's own "quote prefix" marker.
"""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import xlsxwriter
from defusedcsv import csv
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from workshops.models import Event, TimeSlot, Workshop

from .selectors import Listed, Roster, Seats, is_present, people_in

# Excel, LibreOffice and Google Sheets start a formula with any of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000
CSV_DELIMITER = ";"  # Swedish Excel's list separator (the decimal separator is a comma)
DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def header() -> list[str]:
    return [
        _("Namn"),
        _("E-post"),
        _("Organisation"),
        _("Kod"),
        _("Workshop"),
        _("Pass"),
        _("Tid"),
        _("Lokal"),
        _("Anmäld"),
        _("Närvarande"),
    ]


# Character widths for the Excel columns above.
COLUMN_WIDTHS = [28, 34, 34, 7, 60, 9, 13, 20, 17, 18]


def present_text(present: bool, walk_in: bool) -> str:
    """Checked in at that workshop's door; empty, like an unticked box, if not."""
    if not present:
        return ""
    return _("ja, utan anmälan") if walk_in else _("ja")


def slot_time(slot: TimeSlot) -> str:
    return f"{slot.start_time:%H:%M}–{slot.end_time:%H:%M}"


def rows(choices: QuerySet) -> Iterator[tuple[int, list]]:
    """(slot id, row) per choice, in the queryset's order.

    The participant's fields come as plain tuples, fetched in chunks; the workshop's columns are
    computed once per workshop. Model instances per row made 10,000 registrations take seconds.
    """
    workshops = (
        Workshop.objects.filter(pk__in=choices.values("workshop_id"))
        .select_related("slot", "room")
        .order_by()
    )
    columns = {
        w.pk: [w.code, w.title, w.slot.label, slot_time(w.slot), w.room.name] for w in workshops
    }
    fields = choices.annotate(present=is_present()).values_list(
        "slot_id",
        "workshop_id",
        "registration__name",
        "registration__email",
        "registration__organisation",
        "registration__created_at",
        "present",
        "registration__walk_in",
    )
    for (
        slot_id,
        workshop_id,
        name,
        email,
        organisation,
        created_at,
        present,
        walk_in,
    ) in fields.iterator(chunk_size=CHUNK_SIZE):
        registered_at = timezone.localtime(created_at).replace(tzinfo=None, microsecond=0)
        yield (
            slot_id,
            [
                name,
                email,
                organisation,
                *columns[workshop_id],
                registered_at,
                present_text(present, walk_in),
            ],
        )


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


class _Echo:
    """A file-like object that hands back what is written, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value):
    if isinstance(value, str) and value.startswith(("\t", "\r")):
        # defusedcsv covers = + - @ | %; these two would be stripped and then evaluated.
        return "'" + value
    if hasattr(value, "strftime"):
        return value.strftime(DATETIME_FORMAT)
    return value


def csv_stream(choices: QuerySet) -> Iterator[bytes]:
    """UTF-8 with a byte order mark and `;` between fields: opens as columns in Swedish Excel."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff".encode() + writer.writerow(header()).encode()
    for _slot_id, values in rows(choices):
        yield writer.writerow([_csv_cell(value) for value in values]).encode()


class _Sheet:
    """One worksheet, written row by row; every string is written as text, never a formula."""

    def __init__(self, book, formats, title: str, columns: list[str], widths: list[int]):
        self.sheet = book.add_worksheet(title[:31])  # Excel's limit on sheet names
        self.formats = formats
        self.columns = len(columns)
        self.sheet.freeze_panes(1, 0)
        for index, width in enumerate(widths):
            self.sheet.set_column(index, index, width)
        self.rows = 0
        self.append(columns, bold=True)

    def append(self, values: Iterable, *, bold: bool = False) -> None:
        write, formats, row = self.sheet, self.formats, self.rows
        for column, value in enumerate(values):
            if value is None:
                continue  # an empty cell
            if isinstance(value, str):
                if bold:
                    write.write_string(row, column, value, formats["bold"])
                elif is_formula_like(value):
                    # Text already, but Excel's quote prefix keeps it text when edited too.
                    write.write_string(row, column, value, formats["text"])
                else:
                    write.write_string(row, column, value)
            elif hasattr(value, "strftime"):
                write.write_datetime(row, column, value, formats["datetime"])
            else:
                write.write_number(row, column, value, formats["bold"] if bold else None)
        self.rows += 1

    def add_filter(self) -> None:
        if self.rows > 1:
            self.sheet.autofilter(0, 0, self.rows - 1, self.columns - 1)


def _by_pass(workshops: list[Workshop]) -> list[tuple[TimeSlot, list[Workshop]]]:
    """The workshops grouped by pass, in the order they come (by pass, then number)."""
    passes: dict[int, tuple[TimeSlot, list[Workshop]]] = {}
    for workshop in workshops:
        passes.setdefault(workshop.slot_id, (workshop.slot, []))[1].append(workshop)
    return list(passes.values())


def xlsx_bytes(choices: QuerySet, *, workshops: Iterable[Workshop]) -> bytes:
    """A summary sheet (each workshop, a sum per pass, and the number of people), then one
    sheet per pass with a row per participant and workshop.

    `workshops` (annotated with seats_taken) are the ones exported; they fix the passes' order.
    XlsxWriter in constant-memory mode: each row goes to a temporary file as it is written,
    so 10,000 registrations take about a second and memory stays flat.
    """
    workshops = list(workshops)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            # Participants' text stays text: no formulas, numbers or links made from it.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    formats = {
        "bold": book.add_format({"bold": True}),
        "text": book.add_format({"quote_prefix": True}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    summary = _Sheet(
        book,
        formats,
        _("Sammanfattning"),
        [_("Kod"), _("Workshop"), _("Pass"), _("Tid"), _("Lokal"), _("Anmälda"), _("Platser")]
        + [_("Lediga")],
        [7, 60, 9, 13, 20, 10, 10, 10],
    )
    sheets: dict[int, _Sheet] = {}
    for slot, in_pass in _by_pass(workshops):
        for workshop in in_pass:
            summary.append(
                [workshop.code, workshop.title, slot.label, slot_time(slot), workshop.room.name]
                + [workshop.seats_taken, workshop.effective_capacity, Seats.of(workshop).left],
            )
        # Each pass on its own: every person holds one seat in each, so adding the passes
        # counts people three times.
        summary.append(
            [None, _("%(slot)s totalt") % {"slot": slot.label}, slot.label, slot_time(slot), None]
            + [
                sum(w.seats_taken for w in in_pass),
                sum(w.effective_capacity for w in in_pass),
                sum(Seats.of(w).left for w in in_pass),
            ],
            bold=True,
        )
        sheets[slot.pk] = _Sheet(book, formats, str(slot.label), header(), COLUMN_WIDTHS)
    summary.append(
        [_("Totalt"), _("Anmälda personer"), None, None, None, people_in(choices)], bold=True
    )
    for slot_id, values in rows(choices):
        sheets[slot_id].append(values)
    for sheet in [summary, *sheets.values()]:
        sheet.add_filter()
    book.close()
    return buffer.getvalue()


def filename(event: Event, scope: str, extension: str) -> str:
    """E.g. `utsikt-ar-insikt-anmalningar-pass-1-2027-03-01.xlsx`: event, what, download date."""
    parts = [event.slug, "anmalningar", slugify(scope), timezone.localdate().isoformat()]
    return "-".join(p for p in parts if p) + f".{extension}"


# A roster's pages are counted here, not by the browser: "sida 1 av 2" per workshop needs each
# workshop's own page count, which CSS paged media in Chromium cannot give (counter(pages) is
# the whole document's). Every line is one fixed height (static/css/roster.css: rows of 8.5 mm,
# a first page's heading of fixed height), so these many lines fill an A4 page with room left.
ROSTER_FIRST_PAGE_LINES = 23
ROSTER_LATER_PAGE_LINES = 27
# Empty lines at the end of every roster, for people who turn up without registering.
WALK_IN_LINES = 5
# About what one line of the name and organisation columns holds; longer text is set smaller
# on two lines, so the line keeps its height.
NAME_CHARS = 28
ORGANISATION_CHARS = 34


@dataclass
class RosterLine:
    number: int | None  # None on a walk-in line
    person: Listed | None

    @property
    def long_name(self) -> bool:
        return self.person is not None and len(self.person.registration.name) > NAME_CHARS

    @property
    def long_organisation(self) -> bool:
        return self.person is not None and len(self.person.organisation) > ORGANISATION_CHARS


@dataclass
class RosterPage:
    number: int
    of: int
    lines: list[RosterLine]

    @property
    def first(self) -> bool:
        return self.number == 1

    @property
    def last(self) -> bool:
        return self.number == self.of


def roster_pages(
    roster: Roster,
    *,
    first_page: int = ROSTER_FIRST_PAGE_LINES,
    later_pages: int = ROSTER_LATER_PAGE_LINES,
    walk_in: int = WALK_IN_LINES,
) -> list[RosterPage]:
    """The roster's participants, then the walk-in lines, cut into printed pages."""
    lines = [RosterLine(n, person) for n, person in enumerate(roster.participants, start=1)]
    lines += [RosterLine(None, None)] * walk_in
    chunks = [lines[:first_page]]
    rest = lines[first_page:]
    while rest:
        chunks.append(rest[:later_pages])
        rest = rest[later_pages:]
    return [RosterPage(n, len(chunks), chunk) for n, chunk in enumerate(chunks, start=1)]
