"""Organisers run the proposals and the rounds; Staff look at proposals, rounds and rankings.

Staff do not see the voters: their rows would lead to the private links, and Staff do not
vote. The groups are made by registrations migration 0006; their names are read from it, so
a renamed group is found under its new name.
"""

from importlib import import_module

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = import_module("registrations.migrations.0006_organiser_groups")
APP_LABEL = "proposals"
STAFF_PERMISSIONS = ["view_proposal", "view_prioritisationround"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config(APP_LABEL)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label=APP_LABEL)
    for group in Group.objects.filter(name=GROUPS.ORGANISERS):
        group.permissions.add(*ours)
    for group in Group.objects.filter(name=GROUPS.STAFF):
        group.permissions.add(*ours.filter(codename__in=STAFF_PERMISSIONS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label=APP_LABEL)
    for group in Group.objects.filter(name__in=[GROUPS.ORGANISERS, GROUPS.STAFF]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0004_voters_invited_by_email"),
        ("registrations", "0006_organiser_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
