"""The admin in Swedish: its name, the page Staff get for what they may not do, the time zone
note of the date inputs, the groups and the permissions."""

from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from registrations.admin.accounts import permission_label


def test_the_admin_is_called_reglab_administration(organiser_client):
    html = organiser_client.get(reverse("admin:index")).content.decode()
    assert "<title>Webbplatsadministration | Reglab – administration</title>" in html
    assert "Reglab – administration" in html and "Django" not in html


def test_staff_get_a_swedish_403_page_in_the_sites_look(staff_client):
    response = staff_client.get(reverse("admin:registrations_registration_add"))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Du har inte behörighet till den här sidan" in html
    assert "Forbidden" not in html
    assert 'class="navbar-brand"' in html  # base.html, the site's own look
    assert f'href="{reverse("admin:index")}"' in html


def test_the_time_zone_note_of_the_date_inputs_is_swedish(organiser_client):
    catalog = organiser_client.get(reverse("admin:jsi18n")).content.decode()
    assert "Obs! Ange tider i tidszonen %(timezone)s." in catalog
    assert "Imorgon (%(date)s)" in catalog


def test_the_groups_have_swedish_names(db):
    assert set(Group.objects.values_list("name", flat=True)) == {"Arrangörer", "Personal"}


def test_djangos_own_permissions_are_shown_in_swedish(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.se", "x"))
    group = Group.objects.get(name="Personal")
    html = client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode()
    assert "Anmälningar | anmälan | Kan lägga till anmälan" in html
    assert "Kan se workshop" in html
    assert "Kan ladda ner anmälningar (CSV och Excel)" in html  # our own, as named
    assert "Can add" not in html and "Can view" not in html


def test_a_permission_django_did_not_name_keeps_its_name(db):
    custom = Permission.objects.get(codename="view_rosters")
    assert permission_label(custom).endswith("| Kan skriva ut närvarolistor")
