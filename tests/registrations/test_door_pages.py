"""The door's pages: login and permission, the list and its count, taps with and without
JavaScript, the wrong door, walk-ins, the badge's QR code landing."""

import datetime
import json
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from registrations import services
from registrations.models import CheckIn, Registration
from tests.conftest import register_people
from workshops.models import Workshop

JSON = {"HTTP_ACCEPT": "application/json"}


def door_url(event, number, name="registrations:door"):
    return reverse(name, args=[event.slug, number])


@pytest.fixture
def people(programme):
    """Three in W1/W6/W11 and two in W2/W7/W12, with surnames to sort by."""
    names = ["Cecilia Östberg", "Bertil Andersson", "Anna Berg"]
    first = register_people(programme, 3)
    for person, name in zip(first, names, strict=True):
        person.name = name
        person.save()
    others = register_people(programme, 2, start=10, index=1)
    others[0].name = "Olof Ödman"
    others[0].save()
    return first, others


def test_the_door_needs_a_login_with_the_door_permission(client, programme):
    url = door_url(programme, 6)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(User.objects.create_user("plain", is_staff=True))
    assert client.get(url).status_code == 403
    assert client.post(door_url(programme, 6, "registrations:door_mark")).status_code == 403


def test_the_door_list_is_in_surname_order_with_the_count(staff_client, programme, people):
    response = staff_client.get(door_url(programme, 6))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    order = [html.index(s) for s in ("<strong>Andersson</strong>", "<strong>Berg</strong>")]
    assert order == sorted(order) and html.index("<strong>Östberg</strong>") > order[-1]
    assert "0 av 3 här · 3 inte här · 0 utan anmälan" in html
    # The people of W7 are on the page for the search, hidden until searched for.
    assert "anmäld till W7 i Sal B (exempel) under det här passet" in html
    assert 'href="#bokstav-A"' in html and 'href="#bokstav-Ö"' in html


def test_the_index_puts_each_name_under_the_letter_it_is_sorted_by(staff_client, programme, people):
    cecilia, bertil, anna = people[0]
    for person, name in ((bertil, "Nils Ødegård"), (anna, "Anna Édlund")):
        person.name = name
        person.save()
    html = staff_client.get(door_url(programme, 6)).content.decode()
    start = html.index("data-door-index")
    index = html[start : html.index("</nav>", start)]
    assert [a.split('"')[0] for a in index.split('href="#bokstav-')[1:]] == ["E", "Ö"]


def test_searching_without_javascript_filters_the_list(staff_client, programme, people):
    html = staff_client.get(door_url(programme, 6), {"q": "odman"}).content.decode()
    first, others = people
    assert f'id="person-{first[0].pk}" data-person' in html
    assert 'data-search="cecilia ostberg organisation 0" hidden' in html
    # Olof Ödman (W7) is found, with the offer to move him here.
    assert 'data-search="olof odman organisation 3">' in html
    assert "Flytta till W6 och markera här" in html
    assert 'data-door-no-match role="status" hidden' in html
    nobody = staff_client.get(door_url(programme, 6), {"q": "nils"}).content.decode()
    assert 'data-door-no-match role="status">Ingen på listan matchar sökningen.' in nobody


def test_a_tap_with_javascript_answers_the_state_and_the_count(staff_client, programme, people):
    anna = people[0][2]
    url = door_url(programme, 6, "registrations:door_mark")

    response = staff_client.post(url, {"registration": anna.pk, "present": "1"}, **JSON)

    assert response.status_code == 200
    answer = response.json()
    assert (answer["ok"], answer["saved"], answer["present"]) == (True, True, [anna.pk])
    assert answer["count"] == "1 av 3 här · 2 inte här · 0 utan anmälan"
    # The same tap sent again (its answer was lost) does not undo it.
    again = staff_client.post(url, {"registration": anna.pk, "present": "1"}, **JSON).json()
    assert again["present"] == [anna.pk]
    assert CheckIn.objects.filter(registration=anna).count() == 1
    undone = staff_client.post(url, {"registration": anna.pk, "present": "0"}, **JSON).json()
    assert (undone["saved"], undone["present"]) == (False, [])
    assert not CheckIn.objects.exists()


def test_a_refused_tap_answers_409_with_the_reason(staff_client, programme, people):
    olof = people[1][0]  # in W7
    url = door_url(programme, 6, "registrations:door_mark")

    response = staff_client.post(url, {"registration": olof.pk, "present": "1"}, **JSON)

    assert response.status_code == 409
    assert response.json() == {
        "ok": False,
        "message": "Olof Ödman: anmäld till W7 i Sal B (exempel) under det här passet",
    }


def test_a_tap_without_javascript_comes_back_to_the_person(staff_client, programme, people):
    anna = people[0][2]
    url = door_url(programme, 6, "registrations:door_mark")

    response = staff_client.post(url, {"registration": anna.pk, "present": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"{door_url(programme, 6)}#person-{anna.pk}"
    assert CheckIn.objects.filter(registration=anna, workshop__number=6).exists()
    html = staff_client.get(door_url(programme, 6)).content.decode()
    assert f'id="person-{anna.pk}" data-person="{anna.pk}" data-present="true"' in html


def test_the_status_poll_gives_the_count_the_ticks_and_who_is_listed(
    staff_client, staff_member, programme, people
):
    url = door_url(programme, 6, "registrations:door_status")
    before = staff_client.get(url).json()
    services.check_in(
        registration=people[0][0],
        workshop=Workshop.objects.get(number=6),
        by=services.Actor.of(staff_member),
    )
    ticked = staff_client.get(url).json()
    assert ticked["present"] == [people[0][0].pk]
    assert ticked["count"].startswith("1 av 3 här")
    assert ticked["members"] == before["members"]  # same people: only the ticks changed
    services.add_walk_in(
        event=programme,
        workshop=Workshop.objects.get(number=7),
        name="Ny Person",
        organisation="Org",
        consent=True,
        by=services.Actor.of(staff_member),
    )
    assert staff_client.get(url).json()["members"] != before["members"]


def test_moving_from_the_wrong_door_in_one_tap(staff_client, programme, people):
    olof = people[1][0]
    response = staff_client.post(
        door_url(programme, 6, "registrations:door_move"), {"registration": olof.pk}
    )
    assert response.status_code == 302
    assert olof.choices.get(slot__number=2).workshop.code == "W6"
    assert CheckIn.objects.filter(registration=olof, workshop__number=6).exists()
    page = staff_client.get(response["Location"]).content.decode()
    assert "Olof Ödman är flyttad till W6 och markerad här." in page


def test_a_walk_in_from_the_door(staff_client, programme, people):
    url = door_url(programme, 6, "registrations:door_walk_in")
    assert "allow_over_capacity" not in staff_client.get(url).content.decode()

    response = staff_client.post(
        url, {"name": "Greta Garbo", "organisation": "Filmen", "email": "", "consent": "on"}
    )

    assert response.status_code == 302
    greta = Registration.objects.get(walk_in=True)
    assert response["Location"].endswith(f"#person-{greta.pk}")
    html = staff_client.get(door_url(programme, 6)).content.decode()
    assert "1 utan anmälan" in html and "Filmen · utan anmälan" in html


def test_a_full_workshop_offers_the_override_to_organisers_only(
    client, staff_member, organiser, programme, people
):
    Workshop.objects.filter(number=6).update(capacity=3)
    url = door_url(programme, 6, "registrations:door_walk_in")
    data = {"name": "Sen Gäst", "organisation": "Org", "consent": "on"}

    client.force_login(staff_member)
    assert "allow_over_capacity" not in client.get(url).content.decode()
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "W6 är full. Bara en arrangör" in refused.content.decode()
    assert "bara en arrangör kan" in client.get(door_url(programme, 6)).content.decode()

    client.force_login(organiser)
    assert "allow_over_capacity" in client.get(url).content.decode()
    # The organiser is told what they may do, not that only an organiser may.
    refused = client.post(url, data).content.decode()
    assert "W6 är full. Som arrangör kan du ändå ge personen en plats." in refused
    door_page = client.get(door_url(programme, 6)).content.decode()
    assert "Som arrangör kan du ändå" in door_page and "bara en arrangör" not in door_page
    assert client.post(url, {**data, "allow_over_capacity": "on"}).status_code == 302
    assert Registration.objects.get(walk_in=True).choices.get().over_capacity


# The badge's QR code: the person's check-in, behind the staff login.


def test_the_code_opens_nothing_without_a_staff_login(client, programme, people):
    anna = people[0][2]
    response = client.get(reverse("registrations:door_scan", args=[anna.checkin_code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert anna.checkin_code != anna.token
    # And the code is no private link.
    private = reverse("registrations:private", args=[anna.checkin_code])
    assert client.get(private).status_code == 404


def test_the_code_between_passes_shows_the_three_workshops(staff_client, programme, people):
    anna = people[0][2]
    html = staff_client.get(
        reverse("registrations:door_scan", args=[anna.checkin_code])
    ).content.decode()
    assert "Inget pass pågår just nu" in html
    for code in ("W1 Sal A", "W6 Sal A", "W11 Sal A"):
        assert code in html


def test_a_cancelled_persons_badge_says_so_and_an_erased_ones_finds_nothing(
    staff_client, programme, people
):
    """Badges are printed days before; a person who cancelled since is still scanned."""
    anna, bo = people[0][2], people[0][1]
    services.cancel(registration=anna)
    response = staff_client.get(reverse("registrations:door_scan", args=[anna.checkin_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert anna.name in html and "Personen har avbokat sin anmälan." in html
    assert "Inte här" not in html  # nothing to check in to
    code = bo.checkin_code
    services.erase(registration=bo)
    response = staff_client.get(reverse("registrations:door_scan", args=[code]))
    assert response.status_code == 404


def test_the_code_during_a_pass_offers_the_move_to_this_door(
    staff_client, programme, people, pass_2_running
):
    olof = people[1][0]  # W7
    staff_client.get(door_url(programme, 6))  # this phone stands at W6's door
    url = reverse("registrations:door_scan", args=[olof.checkin_code])

    html = staff_client.get(url).content.decode()

    assert "Nu: Pass 2, 10:00–10:45" in html
    assert "Du står vid W6 i Sal A (exempel)." in html
    assert "anmäld till W7 i Sal B (exempel) under det här passet" in html
    response = staff_client.post(
        door_url(programme, 6, "registrations:door_move"),
        {"registration": olof.pk, "next": url},
    )
    assert response["Location"] == url
    assert CheckIn.objects.filter(registration=olof, workshop__number=6).exists()


def test_the_running_pass_opens_twenty_minutes_early(programme, pass_2_running):
    from workshops.selectors import running_slot

    at = pass_2_running.replace(hour=9, minute=41)
    assert running_slot(programme, at).number == 2
    assert running_slot(programme, at.replace(minute=30)).number == 1
    assert running_slot(programme, at.replace(hour=12)) is None
    assert running_slot(programme, at - datetime.timedelta(days=1)) is None


def test_door_pages_and_badges_are_valid_html5(
    client, organiser, programme, people, pass_2_running, tmp_path
):
    from tests.test_accessibility import VNU, require

    client.force_login(organiser)
    Workshop.objects.filter(number=7).update(capacity=2)
    slug, olof = programme.slug, people[1][0]
    client.get(door_url(programme, 6))
    paths = [
        reverse("registrations:door_passes", args=[slug]),
        reverse("registrations:door_rooms", args=[slug, 2]),
        door_url(programme, 6),
        door_url(programme, 6) + "?q=odman",
        door_url(programme, 6) + "?q=nils",
        door_url(programme, 7, "registrations:door_walk_in"),
        reverse("registrations:door_scan", args=[olof.checkin_code]),
        reverse("admin:registrations_badges", args=[slug]),
    ]
    services.cancel(registration=people[1][1])
    paths.append(reverse("registrations:door_scan", args=[people[1][1].checkin_code]))
    files = []
    for i, path in enumerate(paths):
        response = client.get(path)
        assert response.status_code == 200, path
        files.append(tmp_path / f"door{i}.html")
        files[-1].write_bytes(response.content)
    refused = client.post(door_url(programme, 7, "registrations:door_walk_in"), {})
    files.append(tmp_path / "walk-in-errors.html")
    files[-1].write_bytes(refused.content)
    result = subprocess.run(
        ["java", "-jar", str(require(VNU)), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        check=True,
    )
    problems = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stderr)["messages"]
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert problems == []
