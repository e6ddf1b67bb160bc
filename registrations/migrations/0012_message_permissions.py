"""The organiser roles (see 0006; Arrangörer and Personal since 0009) on messages to participants: Organisers write and send
them and see who got them; Staff do not (the recipients' list names people and addresses)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISER_CODENAMES = [
    "add_message",
    "change_message",
    "delete_message",
    "view_message",
    "send_message",
    "view_messagerecipient",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Arrangörer"):
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="registrations", codename__in=ORGANISER_CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        # Which made the groups, if they were missing.
        ("registrations", "0011_messages_to_participants"),
        # The groups have their Swedish names from 0009 on.
        ("registrations", "0009_swedish_group_names"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
