"""A proposal is published by an organiser after reading it; until then only they see it.

The proposals already there were public, so they stay published; new ones start unpublished.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='proposal',
            name='is_published',
            field=models.BooleanField(default=True, help_text='Syns på den öppna listan och i prioriteringsomgångar.', verbose_name='publicerat'),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='is_published',
            field=models.BooleanField(default=False, help_text='Syns på den öppna listan och i prioriteringsomgångar.', verbose_name='publicerat'),
        ),
    ]
