"""The organiser roles (workshops migration 0003) for the waiting list, created after them.

Organisers see the queues, move people first and remove them; Staff only look.
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
    for group in Group.objects.filter(name="Organisers"):
        group.permissions.add(*queue)
    for group in Group.objects.filter(name="Staff"):
        group.permissions.add(*queue.filter(codename="view_queueentry"))


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0002_queueentry"),
        ("workshops", "0003_organiser_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
