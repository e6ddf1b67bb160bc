"""The door's permission (check in, move at the door, add walk-ins) for both groups.

Organisers run the day and Staff stand at the doors, so both get it. The permission is created
here first (as in 0006), for a fresh database where post_migrate has not made it yet.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAME = "check_in"
# Arrangörer and Personal: the groups' names since 0009.
GROUPS = ("Arrangörer", "Personal")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="registrations", codename=CODENAME
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="registrations", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0014_event_day"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
