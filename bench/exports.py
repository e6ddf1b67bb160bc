"""Exports scenario of make bench, run in its own process against the bench database.

Adds N registrations (bulk, outside the rules: only their size matters here), then times the
CSV and XLSX exports and measures their peak Python memory with tracemalloc.
"""

import sys
import time
import tracemalloc

import django

django.setup()

from django.db import connection  # noqa: E402

from registrations.models import Choice, Registration  # noqa: E402
from workshops.models import Event  # noqa: E402


def populate(rows: int) -> None:
    event = Event.objects.get(slug="utsikt-ar-insikt")
    workshops = {}
    for workshop in event.workshops.order_by("number"):
        workshops.setdefault(workshop.slot_id, []).append(workshop)
    people = Registration.objects.bulk_create(
        (
            Registration(
                event=event,
                name=f"Exportperson {i}",
                email=f"export{i}@bench.example.se",
                organisation="Region Exempel",
                consent=True,
            )
            for i in range(rows)
        ),
        batch_size=2000,
    )
    Choice.objects.bulk_create(
        (
            Choice(registration=person, slot_id=slot_id, workshop=options[i % len(options)])
            for i, person in enumerate(people)
            for slot_id, options in workshops.items()
        ),
        batch_size=6000,
    )
    # What autovacuum does within a minute of such a bulk load. Without it the planner still
    # counts on the empty tables it last saw, and the seat counts of the summary sheet took
    # 11 of the XLSX's 17 seconds (nested loops over every registration, per workshop).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registrations_registration, registrations_choice")


def measure(call) -> tuple[float, float]:
    started = time.perf_counter()
    call()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 2**20


def main(rows: int) -> None:
    from registrations import exports, selectors

    populate(rows)
    event = Event.objects.get(slug="utsikt-ar-insikt")

    def write_csv():
        for _chunk in exports.csv_stream(selectors.export_choices(event)):
            pass

    def build_xlsx():
        exports.xlsx_bytes(
            selectors.export_choices(event), workshops=selectors.workshops_with_seats(event)
        )

    csv_s, csv_peak = measure(write_csv)
    xlsx_s, xlsx_peak = measure(build_xlsx)
    lines = Choice.objects.filter(registration__event=event).count()
    print(
        f"{rows} registrations ({lines} rows): CSV {csv_s:.2f} s, peak {csv_peak:.0f} MiB; "
        f"XLSX {xlsx_s:.2f} s, peak {xlsx_peak:.0f} MiB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
