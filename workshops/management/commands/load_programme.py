"""Load an event's programme from a fixture once; later runs leave organisers' edits alone."""

import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError, call_command

from workshops.models import Event


class Command(BaseCommand):
    help = "Loads a programme fixture unless its event is already in the database."

    def add_arguments(self, parser):
        parser.add_argument("fixture", type=Path)
        parser.add_argument(
            "--update",
            action="store_true",
            help="Load even if the event exists, overwriting its programme with the fixture's.",
        )

    def handle(self, *args, fixture: Path, update: bool, **options):
        try:
            objects = json.loads(fixture.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {fixture}: {exc}") from exc
        slugs = [o["fields"]["slug"] for o in objects if o.get("model") == "workshops.event"]
        existing = set(Event.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if existing and not update:
            self.stdout.write(
                f"Programme already loaded ({', '.join(sorted(existing))}); left as it is."
            )
            return
        call_command("loaddata", str(fixture), verbosity=0)
        self.stdout.write(f"Loaded {len(objects)} objects from {fixture.name}.")
