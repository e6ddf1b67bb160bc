"""Registrations as CSV and Excel: pure functions from querysets to bytes.

The querysets come from `selectors.export_choices` (one row per participant and workshop) and
`selectors.workshops_with_seats`; the admin views only wrap the result in a response.

Names and organisations are typed by participants, so a value like `=HYPERLINK(...)` must never
become a live formula: CSV goes through defusedcsv (plus tab and carriage return, which it
leaves alone), and Excel cells are written as text with Excel's own "quote prefix" marker.
"""

import io
from collections.abc import Iterable, Iterator

from defusedcsv import csv
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from workshops.models import Event, TimeSlot, Workshop

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
    ]


# Character widths for the Excel columns above.
COLUMN_WIDTHS = [28, 34, 34, 7, 60, 9, 13, 20, 17]


def slot_time(slot: TimeSlot) -> str:
    return f"{slot.start_time:%H:%M}–{slot.end_time:%H:%M}"


def row(choice) -> list:
    registration, workshop, slot = choice.registration, choice.workshop, choice.slot
    return [
        registration.name,
        registration.email,
        registration.organisation,
        workshop.code,
        workshop.title,
        slot.label,
        slot_time(slot),
        workshop.room.name,
        timezone.localtime(registration.created_at).replace(tzinfo=None, microsecond=0),
    ]


def _each(choices: QuerySet) -> Iterator:
    """Fetched in chunks, so a large event never sits in memory at once."""
    return choices.iterator(chunk_size=CHUNK_SIZE)


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
    for choice in _each(choices):
        yield writer.writerow([_csv_cell(value) for value in row(choice)]).encode()


def _append(sheet: Worksheet, values: Iterable) -> None:
    cells = []
    for value in values:
        cell = Cell(sheet, value=value)
        if isinstance(value, str):
            # openpyxl turns a string starting with "=" into a formula; force plain text, and
            # mark formula-like text so Excel keeps it as text even when the cell is edited.
            cell.data_type = "s"
            cell.quotePrefix = is_formula_like(value)
        elif hasattr(value, "strftime"):
            cell.number_format = "yyyy-mm-dd hh:mm"
        cells.append(cell)
    sheet.append(cells)


def _start_sheet(sheet: Worksheet, columns: list[str], widths: list[int]) -> None:
    _append(sheet, columns)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for cell, width in zip(sheet[1], widths, strict=True):
        sheet.column_dimensions[cell.column_letter].width = width


def xlsx_bytes(choices: QuerySet, *, workshops: Iterable[Workshop]) -> bytes:
    """A summary sheet, then one sheet per pass with a row per participant and workshop.

    `workshops` (annotated with seats_taken) are the ones exported; they fix the passes' order.
    """
    workshops = list(workshops)
    book = Workbook()
    summary = book.active
    summary.title = _("Sammanfattning")
    _start_sheet(
        summary,
        [_("Kod"), _("Workshop"), _("Pass"), _("Tid"), _("Lokal"), _("Anmälda"), _("Platser")]
        + [_("Lediga")],
        [7, 60, 9, 13, 20, 10, 10, 10],
    )
    sheets: dict[int, Worksheet] = {}
    for workshop in workshops:
        slot = workshop.slot
        _append(
            summary,
            [workshop.code, workshop.title, slot.label, slot_time(slot), workshop.room.name]
            + [workshop.seats_taken, workshop.effective_capacity, workshop.seats_left],
        )
        if slot.pk not in sheets:
            sheets[slot.pk] = book.create_sheet(str(slot.label))
            _start_sheet(sheets[slot.pk], header(), COLUMN_WIDTHS)
    _append(
        summary,
        [_("Totalt"), "", "", "", ""]
        + [
            sum(w.seats_taken for w in workshops),
            sum(w.effective_capacity for w in workshops),
            sum(w.seats_left for w in workshops),
        ],
    )
    summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
    for choice in _each(choices):
        _append(sheets[choice.slot_id], row(choice))
    for sheet in book.worksheets:
        if sheet.max_row > 1:
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(event: Event, scope: str, extension: str) -> str:
    """E.g. `utsikt-ar-insikt-anmalningar-pass-1-2027-03-01.xlsx`: event, what, download date."""
    parts = [event.slug, "anmalningar", slugify(scope), timezone.localdate().isoformat()]
    return "-".join(p for p in parts if p) + f".{extension}"
