"""Erase participants' personal data once an event is over, keeping the numbers."""

import datetime

from django.core.management import BaseCommand, CommandError

from registrations import services
from workshops.models import Event


class Command(BaseCommand):
    help = (
        "Replaces names, e-mail addresses and organisations of an event's registrations with "
        "'Anonymiserad'. Counts per workshop stay. Dry run unless --apply is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", required=True, help="the event's slug")
        parser.add_argument(
            "--before",
            type=datetime.date.fromisoformat,
            help="only registrations made before this day (YYYY-MM-DD)",
        )
        parser.add_argument("--apply", action="store_true", help="write the changes")

    def handle(self, *args, event: str, before: datetime.date | None, apply: bool, **options):
        try:
            found = Event.objects.get(slug=event)
        except Event.DoesNotExist:
            raise CommandError(f"No event with the slug {event!r}.") from None
        count = services.anonymise(event=found, before=before, dry_run=not apply)
        scope = f" made before {before}" if before else ""
        if apply:
            self.stdout.write(f"Anonymised {count} registrations of {found.slug}{scope}.")
        else:
            self.stdout.write(
                f"Dry run: would anonymise {count} registrations of {found.slug}{scope}. "
                "Add --apply to write."
            )
