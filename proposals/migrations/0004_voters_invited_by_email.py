"""Voters are invited by e-mail, each with a private link, which is the only way to vote.

A logged-in user no longer joins a round by visiting it (that made a voter on a GET and let
any login vote), so the link to a user goes; voters made that way keep their links and points.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0003_region_from_a_list'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='voter',
            name='voter_one_per_user_and_round',
        ),
        migrations.RemoveField(
            model_name='voter',
            name='user',
        ),
        migrations.AddField(
            model_name='voter',
            name='email',
            field=models.EmailField(default='', help_text='Inbjudan med den personliga länken skickas hit.', max_length=254, verbose_name='e-post'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='voter',
            name='invited_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='inbjudan skickad'),
        ),
        migrations.AddConstraint(
            model_name='voter',
            constraint=models.UniqueConstraint(condition=models.Q(('email', ''), _negated=True), fields=('round', 'email'), name='voter_one_per_email_and_round'),
        ),
    ]
