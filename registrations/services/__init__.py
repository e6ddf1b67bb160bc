"""Everything that writes registrations, a module per concern; import from here.

- `rules`: one workshop per pass, seats, the registration window, and the row locks under
  which seats are counted (reglab.locking);
- `registration`: register, change, cancel, resend the link;
- `queue`: the waiting list, and moving queued people into freed seats;
- `programme`: organisers' edits of rooms and workshops that affect registered people;
- `personal_data`: erasure and anonymisation;
- `audit`: the trail of who changed what, written by all of the above;
- `messages`: organisers' messages to participants and the reminder before the day (these
  change no registration, so they write no audit entries).

Forms, views and the admin call these functions and show `RegistrationError.message` to people.
Each write is one transaction: a refused request leaves the database as it was.
"""

from .audit import PARTICIPANT, SYSTEM, Actor
from .errors import RegistrationError
from .messages import (
    SendResult,
    check_audience,
    check_text,
    compose,
    recipients,
    reminder_status,
    send_due_reminders,
    send_message,
    send_reminder,
    with_delivery,
)
from .personal_data import ANONYMISED_NAME, anonymise, erase
from .programme import room_change_problems, save_room, save_workshop, workshop_change_problems
from .queue import (
    fill_freed_seats,
    join_queue,
    leave_queue,
    move_to_front,
    one_queue_per_pass_message,
)
from .registration import (
    RegistrationResult,
    already_registered_error,
    cancel,
    change_choices,
    refuse_if_registered,
    register,
    resend_link,
)
from .rules import check_window, missing_choice_message

__all__ = [
    "ANONYMISED_NAME",
    "PARTICIPANT",
    "SYSTEM",
    "Actor",
    "RegistrationError",
    "RegistrationResult",
    "SendResult",
    "already_registered_error",
    "anonymise",
    "cancel",
    "change_choices",
    "check_audience",
    "check_text",
    "check_window",
    "compose",
    "erase",
    "fill_freed_seats",
    "join_queue",
    "leave_queue",
    "missing_choice_message",
    "move_to_front",
    "one_queue_per_pass_message",
    "recipients",
    "refuse_if_registered",
    "register",
    "reminder_status",
    "resend_link",
    "room_change_problems",
    "save_room",
    "save_workshop",
    "send_due_reminders",
    "send_message",
    "send_reminder",
    "with_delivery",
    "workshop_change_problems",
]
