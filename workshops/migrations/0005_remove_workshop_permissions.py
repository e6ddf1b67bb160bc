"""The permissions to download registrations and print rosters now belong to Registration."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workshops", "0004_room_clash_message_in_swedish")]

    operations = [
        migrations.AlterModelOptions(
            name="workshop",
            options={
                "ordering": ["event", "number"],
                "verbose_name": "workshop",
                "verbose_name_plural": "workshoppar",
            },
        ),
    ]
