"""Erase participants' personal data once an event is over, keeping the numbers."""

import datetime

from django.core.management import BaseCommand, CommandError

from registrations import services
from workshops.models import Event


class Command(BaseCommand):
    help = (
        "Replaces names, e-mail addresses and organisations of an event's registrations with "
        "'Anonymiserad'. Counts per workshop stay. --due does it for every event whose "
        "anonymisation day (its date plus its 'anonymise after days') has come; run it daily. "
        "Dry run unless --apply is given."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--event", help="the event's slug")
        which.add_argument(
            "--due", action="store_true", help="every event whose anonymisation day has come"
        )
        parser.add_argument(
            "--before",
            type=datetime.date.fromisoformat,
            help="with --event: only registrations made before this day (YYYY-MM-DD)",
        )
        parser.add_argument("--apply", action="store_true", help="write the changes")

    def handle(self, *args, event, due, before, apply, **options):
        if due:
            if before:
                raise CommandError("--before goes with --event, not --due.")
            counts = services.anonymise_due(dry_run=not apply)
            done = ", ".join(f"{e.slug}: {n}" for e, n in counts.items()) or "none due"
            total = sum(counts.values())
            if apply:
                self.stdout.write(f"Anonymised {total} registrations of due events ({done}).")
            else:
                self.stdout.write(
                    f"Dry run: would anonymise {total} registrations of due events ({done}). "
                    "Add --apply to write."
                )
            return
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
