"""The overview, the rosters and who may see what: Organisers, Staff, anonymous visitors."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from registrations import services
from tests.conftest import make_event, register_people
from workshops.models import Workshop


def overview_url(event=None):
    args = [event.slug] if event else []
    return reverse("admin:registrations_overview", args=args)


def rosters_url(event, number=None):
    if number is None:
        return reverse("admin:registrations_rosters", args=[event.slug])
    return reverse("admin:registrations_roster", args=[event.slug, number])


def export_url(event, fmt="csv"):
    return reverse("admin:registrations_export", args=[event.slug, fmt])


WORKSHOP_LIST = reverse("admin:workshops_workshop_changelist")
REGISTRATION_LIST = reverse("admin:registrations_registration_changelist")


# Roles


def test_migration_creates_the_two_groups(db):
    organisers = Group.objects.get(name="Arrangörer")
    staff = Group.objects.get(name="Personal")
    staff_perms = set(staff.permissions.values_list("codename", flat=True))
    assert {"export_registrations", "view_rosters", "view_workshop"} <= staff_perms
    assert not any(p.startswith(("add_", "change_", "delete_")) for p in staff_perms)
    assert {"change_registration", "change_workshop", "export_registrations"} <= set(
        organisers.permissions.values_list("codename", flat=True)
    )


def test_anonymous_visitors_get_the_login_page_for_everything(client, programme):
    w1 = Workshop.objects.get(number=1)
    for url in [
        overview_url(),
        rosters_url(programme),
        rosters_url(programme, 1),
        export_url(programme, "csv"),
        export_url(programme, "xlsx"),
        WORKSHOP_LIST,
        REGISTRATION_LIST,
        reverse("admin:workshops_workshop_change", args=[w1.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_see_workshops_rosters_and_exports(staff_client, programme):
    for url in [
        reverse("admin:index"),
        overview_url(programme),
        rosters_url(programme),
        rosters_url(programme, 3),
        export_url(programme, "csv"),
        export_url(programme, "xlsx"),
        WORKSHOP_LIST,
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_staff_change_nothing_and_see_nothing_else(staff_client, programme):
    (person,) = register_people(programme, 1)
    w1 = Workshop.objects.get(number=1)
    change = reverse("admin:workshops_workshop_change", args=[w1.pk])
    assert staff_client.post(change, {"title": "Kapad"}).status_code == 403
    w1.refresh_from_db()
    assert w1.title != "Kapad"
    registration = reverse("admin:registrations_registration_change", args=[person.pk])
    assert staff_client.post(registration, {"name": "Kapad"}).status_code == 403
    for url in [
        reverse("admin:workshops_workshop_add"),
        reverse("admin:registrations_registration_add"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_changelist"),
    ]:
        assert staff_client.get(url).status_code == 403, url
    staff_client.post(
        REGISTRATION_LIST, {"action": "cancel_selected", "_selected_action": [person.pk]}
    )
    person.refresh_from_db()
    assert person.is_confirmed
    html = staff_client.get(WORKSHOP_LIST).content.decode()
    assert "Lägg till workshop" not in html


def test_organisers_edit_and_export(organiser_client, programme):
    assert organiser_client.get(reverse("admin:workshops_workshop_add")).status_code == 200
    assert organiser_client.get(reverse("admin:registrations_registration_add")).status_code == 200
    assert organiser_client.get(export_url(programme, "xlsx")).status_code == 200
    assert organiser_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_staff_user_without_a_group_gets_nothing(client, programme, django_user_model):
    user = django_user_model.objects.create_user("nobody", is_staff=True)
    client.force_login(user)
    for url in [overview_url(), rosters_url(programme), export_url(programme), WORKSHOP_LIST]:
        assert client.get(url).status_code == 403, url


# The workshop list and the overview


def test_workshop_list_shows_registered_of_capacity_and_roster_links(organiser_client, programme):
    register_people(programme, 3)
    html = organiser_client.get(WORKSHOP_LIST).content.decode()
    assert re.search(r"</meter> 3\xa0/\xa060 <small>\(5\xa0%\)</small>", html)
    assert rosters_url(programme, 1) in html
    assert html.count("<meter") == 15


def test_workshop_list_counts_only_confirmed_registrations(organiser_client, programme):
    register_people(programme, 2)
    (gone,) = register_people(programme, 1, start=5)
    services.cancel(registration=gone, notify=False)
    html = organiser_client.get(WORKSHOP_LIST).content.decode()
    assert "2\xa0/\xa060" in html


def test_workshop_list_takes_the_same_number_of_queries_for_few_and_many(
    organiser_client, django_assert_num_queries
):
    make_event(slug="few", workshops_per_slot=1)
    organiser_client.get(WORKSHOP_LIST)
    with django_assert_num_queries(WORKSHOP_LIST_QUERIES):
        organiser_client.get(WORKSHOP_LIST)
    event = make_event(slug="many", workshops_per_slot=8, capacity=100)
    register_people(event, 20)
    with django_assert_num_queries(WORKSHOP_LIST_QUERIES):
        response = organiser_client.get(WORKSHOP_LIST)
    assert response.context["cl"].result_count == 3 + 24


# Session, user, permissions (user's and groups'), two counts, rows with seats, presenters
# (one prefetch), and the filters' choices (event, pass, room).
WORKSHOP_LIST_QUERIES = 11


def test_overview_shows_each_pass_with_bars_totals_and_days(organiser_client, programme):
    register_people(programme, 4)
    response = organiser_client.get(overview_url())
    assert response.status_code == 200
    html = response.content.decode()
    for number in (1, 2, 3):
        assert f"Pass {number}, " in html
    assert html.count('<meter min="0" max="100"') == 15 + 3  # workshops and pass totals
    assert "4 / 60" in html
    assert "4 / 200" in html  # pass total
    assert ">196<" in html  # free seats in each pass
    assert "Anmälningar per dag" in html
    assert rosters_url(programme, 15) in html
    assert export_url(programme, "xlsx") + "?pass=2" in html


def test_admin_index_links_to_the_overview(staff_client, programme):
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert overview_url() in html
    assert reverse("admin:registrations_rosters") in html


def test_workshop_actions_lead_to_export_and_rosters(organiser_client, programme):
    ids = list(Workshop.objects.filter(number__in=[2, 7]).values_list("pk", flat=True))
    response = organiser_client.post(
        WORKSHOP_LIST, {"action": "export_xlsx", "_selected_action": ids}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(export_url(programme, "xlsx") + "?workshop=")
    response = organiser_client.post(
        WORKSHOP_LIST, {"action": "print_rosters", "_selected_action": ids}
    )
    html = organiser_client.get(response["Location"]).content.decode()
    assert html.count('class="roster"') == 2


# Rosters


def test_roster_lists_participants_by_surname_in_swedish_order_with_boxes_and_walk_in_lines(
    organiser_client, programme
):
    names = ["Östen Ek", "anna Berg", "Åsa Öberg", "Zara Åberg", "Bo Ek", "Ärla Zetterberg"]
    people = register_people(programme, len(names))
    for person, name in zip(people, names, strict=True):
        person.name = name
        person.save()
    (gone,) = register_people(programme, 1, start=9)
    services.cancel(registration=gone, notify=False)
    response = organiser_client.get(rosters_url(programme, 1))
    html = response.content.decode()
    w1 = Workshop.objects.get(number=1)
    assert w1.title in html and "Sal A (exempel)" in html and "Pass 1, 09:00–09:45" in html
    assert "Magnus Persson" in html  # presenters
    assert "6 / 60" in html
    listed = re.findall(r'<td class="col-name[^"]*"><span class="fit">([^<]+)</span>', html)
    # Surname first, as door staff look people up; Å Ä Ö after Z, case ignored.
    assert listed == [
        "Berg, anna",
        "Ek, Bo",
        "Ek, Östen",
        "Zetterberg, Ärla",
        "Åberg, Zara",
        "Öberg, Åsa",
    ]
    assert "Person 009" not in html and "009, Person" not in html
    assert html.count('class="walk-in"') == 5
    assert html.count('class="tick-box"') == 6 + 5
    assert "Signatur" in html
    assert "sida 1 av 1" in html


def test_all_rosters_are_one_section_per_workshop_in_order(staff_client, programme):
    html = staff_client.get(rosters_url(programme)).content.decode()
    codes = re.findall(r'<span class="roster-code">(W\d+)</span>', html)
    assert codes == [f"W{n}" for n in range(1, 16)]


def test_rosters_take_the_same_number_of_queries_for_few_and_many(
    organiser_client, programme, django_assert_num_queries
):
    organiser_client.get(rosters_url(programme))
    with django_assert_num_queries(ROSTER_QUERIES):
        organiser_client.get(rosters_url(programme))
    register_people(programme, 30)
    with django_assert_num_queries(ROSTER_QUERIES):
        organiser_client.get(rosters_url(programme))


# Session, user, permissions (2), event, workshops with seats, presenters, participants.
ROSTER_QUERIES = 8


@pytest.mark.parametrize("url_name", ["overview", "rosters"])
def test_unknown_event_is_not_found(organiser_client, programme, url_name):
    url = reverse(f"admin:registrations_{url_name}", args=["no-such-event"])
    assert organiser_client.get(url).status_code == 404


def queue_up(event, waiting: int):
    """The first workshop of each pass full (one seat); `waiting` people queue for each."""
    firsts = [
        Workshop.objects.filter(slot=slot).order_by("number").first()
        for slot in event.slots.order_by("number")
    ]
    Workshop.objects.filter(pk__in=[w.pk for w in firsts]).update(capacity=1)
    register_people(event, 1, index=0)
    for person in register_people(event, waiting, start=100, index=1):
        for workshop in firsts:
            services.join_queue(registration=person, workshop=workshop)


def test_overview_shows_queue_lengths_per_workshop_and_pass(organiser_client, db):
    event = make_event(slug="queued", workshops_per_slot=2, capacity=5)
    queue_up(event, 3)
    html = organiser_client.get(overview_url(event)).content.decode()
    assert '<th scope="col" class="num">I kö</th>' in html
    # Per pass: the first workshop has three waiting, the second none; the total is three.
    cells = re.findall(r'<td class="num reglab-queue">(\d+)</td>', html)
    assert cells == ["3", "0", "3"] * 3


def test_overview_calls_an_overbooked_workshop_overbooked_not_full(organiser_client, db):
    event = make_event(slug="overbooked", workshops_per_slot=2, capacity=5)
    register_people(event, 3, index=0)
    first = Workshop.objects.filter(event=event).order_by("slot__number", "number").first()
    Workshop.objects.filter(pk=first.pk).update(capacity=1)  # as if lowered and confirmed
    html = organiser_client.get(overview_url(event)).content.decode()
    assert "Överbokad (+2)" in html
    assert html.count("Överbokad") == 1


def test_overview_takes_the_same_number_of_queries_for_few_and_many(
    organiser_client, db, django_assert_num_queries
):
    few = make_event(slug="few-q", workshops_per_slot=2, capacity=20)
    queue_up(few, 1)
    organiser_client.get(overview_url(few))
    with django_assert_num_queries(OVERVIEW_QUERIES):
        organiser_client.get(overview_url(few))
    many = make_event(slug="many-q", slots=3, workshops_per_slot=8, capacity=20)
    queue_up(many, 12)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = organiser_client.get(overview_url(many))
    assert response.context["overview"].passes[0].queue_length == 12


# Session, user, permissions (user's and groups'), the event, workshops with seats and queue
# lengths (one query), presenters (one prefetch), the passes, registrations per day, the
# other events, and the reminder (its first pass, and the reminder with its delivery counts).
OVERVIEW_QUERIES = 12
