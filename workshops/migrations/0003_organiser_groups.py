"""Two permissions on Workshop: to download the registrations and to print the rosters.

They have since moved to the registrations' own model (workshops 0005 takes them off here).
This migration used to make the organisers' groups too, which tied the programme's tables
to the app above them. The groups are now made in registrations migrations 0003 and 0006.
A database that already ran the old version runs nothing here again; registrations 0006
updates its groups in place.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workshops", "0002_workshop_slot_in_same_event")]

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
    ]
