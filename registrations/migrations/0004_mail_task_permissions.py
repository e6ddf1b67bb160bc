"""Organisers see the e-mail tasks (sent, failed, waiting) in the admin; nobody edits them here."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APP_LABEL = "django_tasks_database"


def grant(apps, schema_editor):
    app_config = apps.get_app_config(APP_LABEL)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(
        content_type__app_label=APP_LABEL, codename="view_dbtaskresult"
    )
    for group in Group.objects.filter(name="Organisers"):
        group.permissions.add(*view)


class Migration(migrations.Migration):
    dependencies = [
        # Which made the groups, if they were missing.
        ("registrations", "0003_queue_permissions"),
        (APP_LABEL, "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
