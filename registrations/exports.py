"""Registrations as CSV and Excel: pure functions from querysets to bytes.

The querysets come from `selectors.export_choices` (one row per participant and workshop) and
`selectors.workshops_with_seats`; the admin views only wrap the result in a response.

Names and organisations are typed by participants, so a value like `=HYPERLINK(...)` must never
become a live formula: CSV goes through defusedcsv (plus tab and carriage return, which it
leaves alone), and Excel cells are written as text with Excel's own "quote prefix" marker.
"""

import io
from collections.abc import Iterable, Iterator

import xlsxwriter
from defusedcsv import csv
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from workshops.models import Event, TimeSlot, Workshop

from .selectors import Seats, is_present

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


def xlsx_bytes(choices: QuerySet, *, workshops: Iterable[Workshop]) -> bytes:
    """A summary sheet, then one sheet per pass with a row per participant and workshop.

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
    for workshop in workshops:
        slot = workshop.slot
        summary.append(
            [workshop.code, workshop.title, slot.label, slot_time(slot), workshop.room.name]
            + [workshop.seats_taken, workshop.effective_capacity, Seats.of(workshop).left],
        )
        if slot.pk not in sheets:
            sheets[slot.pk] = _Sheet(book, formats, str(slot.label), header(), COLUMN_WIDTHS)
    summary.append(
        [_("Totalt"), "", "", "", ""]
        + [
            sum(w.seats_taken for w in workshops),
            sum(w.effective_capacity for w in workshops),
            sum(Seats.of(w).left for w in workshops),
        ],
        bold=True,
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
