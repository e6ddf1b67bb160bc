"""The permissions to download registrations and print rosters, taken over from Workshop
(workshops 0005); 0006 moves the groups' and users' grants to them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0004_mail_task_permissions"),
        ("workshops", "0005_remove_workshop_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="registration",
            options={
                "ordering": ["-created_at"],
                "permissions": [
                    ("export_registrations", "Kan ladda ner anmälningar (CSV och Excel)"),
                    ("view_rosters", "Kan skriva ut närvarolistor"),
                ],
                "verbose_name": "anmälan",
                "verbose_name_plural": "anmälningar",
            },
        ),
    ]
