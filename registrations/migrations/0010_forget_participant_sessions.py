"""The public pages no longer keep anything in the session (the thanks page reads a signed
cookie), so the sessions they wrote before, which hold the address typed in the form, are
deleted; organisers' logins stay."""

from django.db import migrations

PARTICIPANT_KEYS = {"reglab_registered_email", "reglab_chosen_workshops", "reglab_queue_wishes"}


def forget_participant_sessions(apps, schema_editor):
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    doomed = [
        session.pk
        for session in Session.objects.iterator()
        if PARTICIPANT_KEYS & set(store.decode(session.session_data))
    ]
    Session.objects.filter(pk__in=doomed).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0009_swedish_group_names"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_participant_sessions, migrations.RunPython.noop)]
