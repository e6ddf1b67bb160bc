"""The organiser roles (see 0006) on the waiting list.

Organisers see the queues, move people first and remove them; Staff only look. The groups
are made here when missing: on a fresh database this is the first migration that needs them.
On older databases, workshops migration 0003 made them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISER_CODENAMES = ["view_queueentry", "change_queueentry", "delete_queueentry"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    queue = Permission.objects.filter(
        content_type__app_label="registrations", codename__in=ORGANISER_CODENAMES
    )
    organisers, _ = Group.objects.get_or_create(name="Organisers")
    organisers.permissions.add(*queue)
    staff, _ = Group.objects.get_or_create(name="Staff")
    staff.permissions.add(*queue.filter(codename="view_queueentry"))


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0002_queueentry"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
