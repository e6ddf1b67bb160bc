"""The two roles under Swedish names, as the admin shows them: Organisers are "Arrangörer",
Staff "Personal" (see 0006 for what each may do). Their permissions and members stay.
"""

from django.db import migrations

RENAMED = [("Organisers", "Arrangörer"), ("Staff", "Personal")]


def rename(apps, pairs):
    Group = apps.get_model("auth", "Group")
    for old, new in pairs:
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)


def to_swedish(apps, schema_editor):
    rename(apps, RENAMED)


def to_english(apps, schema_editor):
    rename(apps, [(new, old) for old, new in RENAMED])


class Migration(migrations.Migration):
    # The proposals grant looks the groups up by their English names: before the rename.
    dependencies = [
        ("registrations", "0008_organisers_cancel_not_delete"),
        ("proposals", "0005_organiser_permissions"),
    ]

    operations = [migrations.RunPython(to_swedish, to_english)]
