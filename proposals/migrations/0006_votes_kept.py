"""Points given are kept: a proposal, voter or round with points cannot be deleted."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0005_organiser_permissions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="vote",
            name="proposal",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="votes",
                to="proposals.proposal",
                verbose_name="förslag",
            ),
        ),
        migrations.AlterField(
            model_name="vote",
            name="voter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="votes",
                to="proposals.voter",
                verbose_name="deltagare",
            ),
        ),
    ]
