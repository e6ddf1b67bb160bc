"""The bench's programme: the real day with its window open, optionally widened.

`widen_programme(60)` gives the same three passes 20 workshops each (the real 15 and copies
in rooms of their own), with the day's 200 seats per pass spread evenly, so a rush of the
same size meets the same scarcity with four times the options to show and check.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from workshops.models import Event, Room, Workshop

EVENT = "utsikt-ar-insikt"
SEATS_PER_PASS = 200


def open_window() -> None:
    now = timezone.now()
    Event.objects.filter(slug=EVENT).update(
        registration_opens=now - datetime.timedelta(hours=1),
        registration_closes=now + datetime.timedelta(days=1),
    )


@transaction.atomic
def widen_programme(workshops: int) -> None:
    event = Event.objects.get(slug=EVENT)
    slots = list(event.slots.order_by("number"))
    per_pass = workshops // len(slots)
    originals = list(event.workshops.select_related("slot").order_by("number"))
    number = max(w.number for w in originals)
    for slot in slots:
        in_pass = [w for w in originals if w.slot_id == slot.pk]
        for extra in range(per_pass - len(in_pass)):
            model = in_pass[extra % len(in_pass)]
            number += 1
            room = Room.objects.create(name=f"Bench-sal {number}", capacity=SEATS_PER_PASS)
            copy = Workshop.objects.create(
                event=event,
                number=number,
                title=f"{model.title} ({number})",
                description=model.description,
                slot=slot,
                room=room,
            )
            copy.workshop_presenters.bulk_create(
                [
                    type(wp)(workshop=copy, presenter=wp.presenter, order=wp.order)
                    for wp in model.workshop_presenters.all()
                ]
            )
    Workshop.objects.filter(event=event).update(capacity=SEATS_PER_PASS // per_pass)
