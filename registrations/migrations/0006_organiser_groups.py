"""Two roles for the admin, as groups: Organisers run the event, Staff print and download.

Organisers may do everything with the programme and the registrations. Staff may look at the
programme and the registrations, print rosters and download exports, and change nothing.
Users still need "staff status" to log in to the admin; the group decides what they see.
(Their rights on the waiting list come from 0003, on the e-mail tasks from 0004.)

Workshops migration 0003 used to make the groups, with the permissions to print and download
on Workshop; those are on Registration now (0005). So this works on a fresh database and on
one made before: whoever held the old permissions (a group, or a user given them by hand)
gets the new ones, the old ones are deleted, and each group is made if missing and given
what it lacks.

Permissions are normally created after all migrations (post_migrate), so they are created
here first, for a fresh database where this migration runs before that signal.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

ORGANISERS = "Organisers"
STAFF = "Staff"
APPS = ("workshops", "registrations")
MOVED = ("export_registrations", "view_rosters")
OLD_HOME = ("workshops", "workshop")
NEW_HOME = ("registrations", "registration")
# Everything on the programme, and on registrations and their choices.
ORGANISER_PERMISSIONS = Q(content_type__app_label="workshops") | Q(
    content_type__app_label="registrations", content_type__model__in=["registration", "choice"]
)
STAFF_PERMISSIONS = {
    ("workshops", "view_event"),
    ("workshops", "view_timeslot"),
    ("workshops", "view_room"),
    ("workshops", "view_presenter"),
    ("workshops", "view_workshop"),
    ("workshops", "view_workshoppresenter"),
    ("registrations", "export_registrations"),
    ("registrations", "view_rosters"),
    ("registrations", "view_registration"),
    ("registrations", "view_choice"),
}


def move_permissions(apps, source, target):
    """Give the MOVED permissions of model `source` to model `target`, with their holders."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    source_type, _ = ContentType.objects.get_or_create(app_label=source[0], model=source[1])
    target_type, _ = ContentType.objects.get_or_create(app_label=target[0], model=target[1])
    for codename in MOVED:
        old = Permission.objects.filter(content_type=source_type, codename=codename).first()
        if old is None:
            continue
        new = Permission.objects.filter(content_type=target_type, codename=codename).first()
        if new is None:
            old.content_type = target_type
            old.save(update_fields=["content_type"])
            continue
        new.group_set.add(*old.group_set.all())
        new.user_set.add(*old.user_set.all())
        old.delete()


def create_groups(apps, schema_editor):
    for label in APPS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
    move_permissions(apps, OLD_HOME, NEW_HOME)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label__in=APPS)
    organisers, _ = Group.objects.get_or_create(name=ORGANISERS)
    organisers.permissions.add(*ours.filter(ORGANISER_PERMISSIONS))
    staff, _ = Group.objects.get_or_create(name=STAFF)
    staff.permissions.add(
        *[
            p
            for p in ours.select_related("content_type")
            if (p.content_type.app_label, p.codename) in STAFF_PERMISSIONS
        ]
    )


def move_back(apps, schema_editor):
    # The groups stay: 0003 made them, or workshops 0003 on an older database.
    move_permissions(apps, NEW_HOME, OLD_HOME)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0005_registration_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, move_back)]
