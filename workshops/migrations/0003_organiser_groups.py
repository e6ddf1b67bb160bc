"""Two roles for the admin, as groups: Organisers run the event, Staff print and download.

Organisers may do everything with the programme and the registrations. Staff may look at the
programme and the registrations, print rosters and download exports, and change nothing.
Users still need "staff status" to log in to the admin; the group decides what they see.

Permissions are normally created after all migrations (post_migrate), so they are created here
first, for a fresh database where this migration runs before that signal.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

ORGANISERS = "Organisers"
STAFF = "Staff"
APPS = ("workshops", "registrations")
STAFF_PERMISSIONS = {
    ("workshops", "view_event"),
    ("workshops", "view_timeslot"),
    ("workshops", "view_room"),
    ("workshops", "view_presenter"),
    ("workshops", "view_workshop"),
    ("workshops", "view_workshoppresenter"),
    ("workshops", "export_registrations"),
    ("workshops", "view_rosters"),
    ("registrations", "view_registration"),
    ("registrations", "view_choice"),
}


def create_groups(apps, schema_editor):
    for label in ("auth", "contenttypes", *APPS):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_contenttypes(app_config, verbosity=0, apps=apps)
        create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = Permission.objects.filter(content_type__app_label__in=APPS)
    organisers, _ = Group.objects.get_or_create(name=ORGANISERS)
    organisers.permissions.set(every)
    staff, _ = Group.objects.get_or_create(name=STAFF)
    staff.permissions.set(
        [
            p
            for p in every.select_related("content_type")
            if (p.content_type.app_label, p.codename) in STAFF_PERMISSIONS
        ]
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[ORGANISERS, STAFF]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workshops", "0002_workshop_slot_in_same_event"),
        ("registrations", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="workshop",
            options={
                "ordering": ["event", "number"],
                "permissions": [
                    ("export_registrations", "Kan ladda ner anmälningar (CSV och Excel)"),
                    ("view_rosters", "Kan skriva ut närvarolistor"),
                ],
                "verbose_name": "workshop",
                "verbose_name_plural": "workshoppar",
            },
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
