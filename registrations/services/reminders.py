"""The reminder before the day: every confirmed participant's agenda, once, when due."""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from reglab.locking import lock_rows
from workshops.models import Event

from ..models import Message
from .errors import try_again_when_busy
from .messages import Audience, _queue, recipients, reminder_subject, with_delivery

logger = logging.getLogger(__name__)

# {namn}, {program}, {länk}: the person's name, their agenda (pass, time, workshop, room) and
# their private link. The subject may only have the name.
# Reminders go out from this hour (local time) on their day, not in the night, and until
# the event's first pass starts.
REMINDER_HOUR = 8


def reminder_window(event: Event) -> tuple[datetime.datetime, datetime.datetime] | None:
    """When the event's reminder goes out: from REMINDER_HOUR on its day until the first
    pass starts. None when the event has no reminder."""
    days = event.reminder_days_before
    if days is None:
        return None
    day = event.date - datetime.timedelta(days=days)
    opens = timezone.make_aware(datetime.datetime.combine(day, datetime.time(REMINDER_HOUR)))
    first = event.slots.order_by("start_time").first()
    start = first.start_time if first is not None else datetime.time.max
    return opens, timezone.make_aware(datetime.datetime.combine(event.date, start))


def send_reminder(event: Event, *, now: datetime.datetime | None = None) -> int:
    """Queue the event's reminder for every confirmed participant not reminded yet; returns
    how many were queued (0 on a rerun)."""
    now = now or timezone.now()
    with try_again_when_busy(), transaction.atomic():
        reminder, _created = Message.objects.get_or_create(
            event=event,
            kind=Message.Kind.REMINDER,
            defaults={
                "subject": reminder_subject(event),
                "audience": Audience.EVERYONE,
                "status": Message.Status.SENT,
                "sent_at": now,
            },
        )
        # Two schedulers at once: the second waits here, then sees the first's recipients.
        lock_rows(Message.objects, [reminder.pk])
        ids = list(
            recipients(reminder)
            .exclude(pk__in=reminder.recipients.values("registration_id"))
            .values_list("pk", flat=True)
        )
        return _queue(reminder, ids)


def send_due_reminders(*, now: datetime.datetime | None = None) -> list[tuple[Event, int]]:
    """The reminders due now, each event with the number of people queued."""
    now = now or timezone.now()
    events = Event.objects.filter(
        reminder_days_before__isnull=False, date__gte=timezone.localdate(now)
    ).order_by("date", "pk")
    sent = []
    for event in events:
        opens, closes = reminder_window(event)
        if opens <= now < closes:
            sent.append((event, send_reminder(event, now=now)))
    return sent


@dataclass(frozen=True)
class ReminderStatus:
    window: tuple[datetime.datetime, datetime.datetime] | None
    message: Message | None  # annotated by with_delivery; None until it first went out


def reminder_status(event: Event) -> ReminderStatus:
    """Whether the event's reminder went out, and to how many: for the organisers."""
    message = with_delivery(Message.objects.filter(event=event, kind=Message.Kind.REMINDER))
    return ReminderStatus(reminder_window(event), message.first())
