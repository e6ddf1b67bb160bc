"""Queue the reminders that are due: run it from a timer (systemd, cron), e.g. every hour."""

from django.core.management import BaseCommand

from registrations import services
from registrations.services.reminders import REMINDER_HOUR


class Command(BaseCommand):
    help = (
        "Queues the reminder of every event whose reminder is due now (its days before, from "
        f"{REMINDER_HOUR:02}:00, until the first pass starts) for the confirmed participants "
        "not reminded yet. Safe to run as often as you like: nobody is reminded twice."
    )

    def handle(self, *args, **options):
        sent = services.send_due_reminders()
        if not sent:
            self.stdout.write("No reminders due.")
            return
        self.stdout.write(
            "Reminders queued: "
            + ", ".join(f"{count} for {event.slug}" for event, count in sent)
            + "."
        )
