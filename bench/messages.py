"""Messages scenario of make bench, run in its own process against the bench database.

Adds an event of its own with N confirmed participants (bulk, outside the rules), sends them
one message with their agenda ({program}, so each e-mail also has its .ics), and reports how
long queueing took (the organiser's click: N recipient rows and N outbox tasks) and how long
the bench's running worker needed to send them all (dummy mail backend).
"""

import datetime
import sys
import time

import django

django.setup()

from django.utils import timezone  # noqa: E402

from registrations import services  # noqa: E402
from registrations.models import Choice, Message, MessageRecipient, Registration  # noqa: E402
from workshops.models import Event, Room, TimeSlot, Workshop  # noqa: E402

SLUG = "bench-messages"


def populate(people: int) -> Event:
    now = timezone.now()
    event = Event.objects.create(
        name="Meddelandebänk",
        slug=SLUG,
        date=(now + datetime.timedelta(days=30)).date(),
        registration_opens=now - datetime.timedelta(days=1),
        registration_closes=now + datetime.timedelta(days=20),
    )
    workshops = []
    for number in (1, 2, 3):
        slot = TimeSlot.objects.create(
            event=event,
            number=number,
            start_time=datetime.time(8 + number),
            end_time=datetime.time(8 + number, 45),
        )
        room = Room.objects.create(name=f"Bänksal {number}", capacity=people)
        workshops.append(
            Workshop.objects.create(
                event=event,
                number=number,
                title=f"Workshop {number}",
                description="–",
                slot=slot,
                room=room,
            )
        )
    registrations = Registration.objects.bulk_create(
        Registration(
            event=event,
            name=f"Mottagare {i}",
            email=f"mottagare{i}@bench.example.se",
            organisation="Bench",
            consent=True,
        )
        for i in range(people)
    )
    Choice.objects.bulk_create(
        Choice(registration=r, slot_id=w.slot_id, workshop=w)
        for r in registrations
        for w in workshops
    )
    return event


def main(people: int) -> None:
    event = populate(people)
    message = Message.objects.create(
        event=event,
        subject="Ny lokal, {namn}",
        body="Hej {namn}!\n\nWorkshop 2 har flyttat till Hus B.\n\n{program}\n\n{länk}",
        audience=Message.Audience.EVERYONE,
    )
    started = time.perf_counter()
    result = services.send_message(message=message, by=services.SYSTEM)
    queued_s = time.perf_counter() - started
    waiting = message.recipients.filter(
        status__in=[MessageRecipient.Status.PENDING, MessageRecipient.Status.SENDING]
    )
    deadline = time.monotonic() + 600
    while waiting.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    sent_s = time.perf_counter() - started
    sent = message.recipients.filter(status=MessageRecipient.Status.SENT).count()
    print(
        f"{result.queued} queued in {queued_s:.2f} s; {sent} sent by the worker "
        f"{sent_s:.1f} s after the click ({sent / sent_s:.0f}/s), {waiting.count()} waiting"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
