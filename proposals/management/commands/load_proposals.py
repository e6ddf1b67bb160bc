"""Load a year's proposals from a fixture once; later runs leave organisers' edits alone."""

import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError, call_command

from proposals.models import Proposal


class Command(BaseCommand):
    help = "Loads a proposals fixture unless proposals for its years are already there."

    def add_arguments(self, parser):
        parser.add_argument("fixture", type=Path)

    def handle(self, *args, fixture: Path, **options):
        try:
            objects = json.loads(fixture.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {fixture}: {exc}") from exc
        years = {o["fields"]["year"] for o in objects if o.get("model") == "proposals.proposal"}
        if Proposal.objects.filter(year__in=years).exists():
            self.stdout.write(f"Proposals for {', '.join(map(str, sorted(years)))} already loaded.")
            return
        call_command("loaddata", str(fixture), verbosity=0)
        self.stdout.write(f"Loaded {len(objects)} proposals from {fixture.name}.")
