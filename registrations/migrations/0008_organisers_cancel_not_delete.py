"""Organisers cancel registrations; they do not delete them.

A deleted registration would free its seats without moving the queue, mail nobody and leave
no record. In the admin every removal is a cancellation through the service (see
RegistrationAdmin), so the Organisers group no longer holds the delete permissions of
registrations and their choices.
"""

from django.db import migrations

CODENAMES = ["delete_registration", "delete_choice"]


def permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="registrations", codename__in=CODENAMES)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organisers"):
        group.permissions.remove(*permissions(apps))


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organisers"):
        group.permissions.add(*permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("registrations", "0007_audit_trail")]

    operations = [migrations.RunPython(revoke, grant)]
