"""The event day: check-ins, walk-ins and each registration's check-in code.

The check-in code is unique, so it is added empty, filled for the rows there are (each its
own random code, from the model's generator), and only then made unique and required.
"""

import django.db.models.deletion
import django.db.models.functions.text
import registrations.models
from django.conf import settings
from django.db import migrations, models


def fill_checkin_codes(apps, schema_editor):
    Registration = apps.get_model("registrations", "Registration")
    rows = list(Registration.objects.filter(checkin_code=None).only("pk"))
    for registration in rows:
        registration.checkin_code = registrations.models.new_checkin_code()
    Registration.objects.bulk_update(rows, ["checkin_code"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('registrations', '0013_mail_delivery'),
        ('workshops', '0005_remove_workshop_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CheckIn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='incheckad')),
            ],
            options={
                'verbose_name': 'incheckning',
                'verbose_name_plural': 'incheckningar',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.AlterModelOptions(
            name='registration',
            options={'ordering': ['-created_at'], 'permissions': [('export_registrations', 'Kan ladda ner anmälningar (CSV och Excel)'), ('view_rosters', 'Kan skriva ut närvarolistor'), ('check_in', 'Kan checka in vid dörren, flytta rätt och lägga till på plats')], 'verbose_name': 'anmälan', 'verbose_name_plural': 'anmälningar'},
        ),
        migrations.RemoveConstraint(
            model_name='registration',
            name='registration_one_per_email_and_event',
        ),
        migrations.AddField(
            model_name='registration',
            name='checkin_code',
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(fill_checkin_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='registration',
            name='checkin_code',
            field=models.CharField(default=registrations.models.new_checkin_code, editable=False, max_length=32, unique=True),
        ),
        migrations.AddField(
            model_name='registration',
            name='walk_in',
            field=models.BooleanField(default=False, verbose_name='kom utan anmälan'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('created', 'Anmäld'), ('changed', 'Bytte workshop'), ('details_changed', 'Ändrade namn eller organisation'), ('override', 'Placerad över platsgränsen'), ('queued', 'Ställde sig i kö'), ('left_queue', 'Lämnade kön'), ('moved_to_front', 'Flyttad först i kön'), ('moved_from_queue', 'Fick plats från kön'), ('moved_by_programme', 'Berörd av programändring'), ('email_corrected', 'E-postadressen rättad'), ('cancelled', 'Avbokad'), ('checked_in', 'Incheckad'), ('check_in_undone', 'Incheckning ångrad'), ('moved_at_door', 'Flyttad vid dörren'), ('walk_in', 'Tillagd på plats utan anmälan'), ('erased', 'Raderad av deltagaren'), ('anonymised', 'Anonymiserad')], max_length=30, verbose_name='händelse'),
        ),
        migrations.AlterField(
            model_name='registration',
            name='email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='e-post'),
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), models.F('event'), condition=models.Q(('status', 'confirmed'), models.Q(('email', ''), _negated=True)), name='registration_one_per_email_and_event'),
        ),
        migrations.AddField(
            model_name='checkin',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='incheckad av'),
        ),
        migrations.AddField(
            model_name='checkin',
            name='registration',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='registrations.registration', verbose_name='anmälan'),
        ),
        migrations.AddField(
            model_name='checkin',
            name='workshop',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checkins', to='workshops.workshop', verbose_name='workshop'),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.UniqueConstraint(fields=('registration', 'workshop'), name='checkin_once_per_registration_workshop'),
        ),
    ]
