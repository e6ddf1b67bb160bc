"""The organiser groups and the permissions to print rosters and download registrations.

Those two permissions used to be on Workshop, and workshops migration 0003 made the groups.
Now they are on Registration, and registrations migrations make the groups: on a fresh
database, and on one made before the move, where whoever held the old permissions keeps them.
"""

import textwrap

from tests.django_script import run_script

# In its own process, with its own SQLite file: it migrates back and forth.
UPGRADE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.contrib.auth.models import Group, Permission, User
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    # The database as it was before the move: the two permissions on Workshop, held by the
    # Staff group and by a user given one of them by hand.
    call_command("migrate", "workshops", "0004", verbosity=0)
    call_command("migrate", "registrations", "0004", verbosity=0)
    MOVED = ["export_registrations", "view_rosters"]
    Permission.objects.filter(codename__in=MOVED).delete()
    workshop = ContentType.objects.get(app_label="workshops", model="workshop")
    old = {
        codename: Permission.objects.create(content_type=workshop, codename=codename, name=codename)
        for codename in MOVED
    }
    Group.objects.get(name="Staff").permissions.add(*old.values())
    user = User.objects.create_user("given-by-hand", is_staff=True)
    user.user_permissions.add(old["view_rosters"])

    call_command("migrate", verbosity=0)
    user = User.objects.get(pk=user.pk)
    staff = User.objects.create_user("in-staff", is_staff=True)
    staff.groups.add(Group.objects.get(name="Personal"))
    print(json.dumps({
        "user": sorted(user.get_all_permissions()),
        "staff": sorted(staff.get_all_permissions()),
        "rows": sorted(
            f"{p.content_type.app_label}.{p.codename}"
            for p in Permission.objects.filter(codename__in=MOVED)
        ),
    }))
    """
)


def test_upgrading_moves_the_two_permissions_with_whoever_held_them(tmp_path):
    after = run_script(UPGRADE, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", timeout=180)
    assert after["rows"] == ["registrations.export_registrations", "registrations.view_rosters"]
    assert after["user"] == ["registrations.view_rosters"]
    assert {"registrations.export_registrations", "registrations.view_rosters"} <= set(
        after["staff"]
    )
    assert not {"workshops.export_registrations", "workshops.view_rosters"} & set(after["staff"])


def test_staff_and_organisers_print_and_download_by_the_registrations_permissions(
    staff_member, organiser
):
    for user in (staff_member, organiser):
        assert user.has_perm("registrations.export_registrations")
        assert user.has_perm("registrations.view_rosters")
        assert not user.has_perm("workshops.export_registrations")
        assert not user.has_perm("workshops.view_rosters")
