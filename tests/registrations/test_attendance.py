"""Attendance afterwards: the overview, the workshop list, the exports and the rosters say
who came (checked in at the door), who came without registering, and who did not come."""

import pytest
from django.urls import reverse

from registrations import services
from tests.conftest import register_people
from tests.registrations.test_exports import export_url, read_csv, read_xlsx
from workshops.models import Workshop


@pytest.fixture
def the_day(programme, staff_member):
    """W6: three registered, one checked in, and a walk-in; W1 (pass 1): one checked in."""
    by = services.Actor.of(staff_member)
    people = register_people(programme, 3)  # W1, W6, W11
    six, one = Workshop.objects.get(number=6), Workshop.objects.get(number=1)
    services.check_in(registration=people[0], workshop=six, by=by)
    services.check_in(registration=people[1], workshop=one, by=by)
    services.add_walk_in(
        event=programme,
        workshop=six,
        name="Greta Garbo",
        organisation="Filmen",
        consent=True,
        by=by,
    )
    return programme


def overview_rows(html: str, code: str) -> list[str]:
    """The attendance table's row of a workshop, cell by cell."""
    table = html[html.index('id="attendance-heading"') :]
    row = table[table.index(f'<span class="reglab-code">{code}</span>') :]
    row = row[: row.index("</tr>")]
    return [cell.split(">", 1)[1].split("</td>")[0] for cell in row.split('<td class="num')[1:]]


def test_the_overview_shows_who_came_per_workshop_and_pass(organiser_client, the_day):
    html = organiser_client.get(
        reverse("admin:registrations_overview", args=[the_day.slug])
    ).content.decode()

    assert "Här / anmälda" in html
    # Present / registered, walk-ins, no-shows: per workshop, and pass 1 is not pass 2.
    assert overview_rows(html, "W6") == ["1 / 3", "1", "2"]
    assert overview_rows(html, "W1") == ["1 / 3", "0", "2"]
    assert overview_rows(html, "W11") == ["0 / 3", "0", "3"]


def test_before_the_day_the_overview_has_no_attendance(organiser_client, programme):
    register_people(programme, 2)
    html = organiser_client.get(
        reverse("admin:registrations_overview", args=[programme.slug])
    ).content.decode()
    assert 'id="attendance-heading"' not in html


def test_the_workshop_list_shows_here_of_registered(organiser_client, the_day):
    html = organiser_client.get(reverse("admin:workshops_workshop_changelist")).content.decode()
    # Under the seats, once anyone has come to that workshop.
    assert "här: 1\u00a0/\u00a03, +1 utan anmälan" in html


def test_the_exports_have_a_present_column(organiser_client, the_day):
    rows = read_csv(organiser_client.get(export_url(the_day, "csv")))
    assert rows[0][-1] == "Närvarande"
    present = {(r[0], r[3]): r[-1] for r in rows[1:]}
    assert present[("Person 000", "W6")] == "ja"
    assert present[("Person 000", "W1")] == ""
    assert present[("Person 001", "W1")] == "ja"
    assert present[("Greta Garbo", "W6")] == "ja, utan anmälan"

    book = read_xlsx(organiser_client.get(export_url(the_day, "xlsx")))
    sheet = book["Pass 2"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Närvarande"
    values = {(r[0].value, r[3].value): r[-1].value for r in sheet.iter_rows(min_row=2)}
    assert values[("Person 000", "W6")] == "ja"
    assert values[("Person 002", "W6")] in ("", None)


def test_a_roster_printed_after_the_day_ticks_who_came(organiser_client, the_day):
    html = organiser_client.get(
        reverse("admin:registrations_roster", args=[the_day.slug, 6])
    ).content.decode()
    rows = html[html.index("<tbody>") :]
    assert rows.count('class="tick-box is-ticked"') == 2
    # The roster lists people by surname ("Garbo, Greta"; "000, Person" for "Person 000").
    ticked = rows[: rows.index("001, Person")]
    assert "Garbo, Greta" in ticked or "000, Person" in ticked
    assert "Filmen (utan anmälan)" in html
