"""Everything that writes registrations, a module per concern; import from here.

- `rules`: one workshop per pass, seats, the registration window, and the row locks under
  which seats are counted (reglab.locking);
- `registration`: register, change, resend the link;
- `cancellation`: cancel one or many, and a preview of it;
- `contact`: an organiser's correction of a participant's e-mail address;
- `queue`: the waiting list, and moving queued people into freed seats;
- `programme`: organisers' edits of rooms and workshops that affect registered people;
- `agenda`: the event's date, venue and pass times, told to everyone they concern;
- `publishing`: a draft workshop onto the programme, once its pass, room and people are set;
- `personal_data`: erasure and anonymisation;
- `checkin`: the event day at the doors: check in, undo, the wrong door, walk-ins;
- `audit`: the trail of who changed what, written by all of the above;
- `messages` and `reminders`: organisers' messages to participants and the reminder before
  the day (these change no registration, so they write no audit entries).

Forms, views and the admin call these functions and show `RegistrationError.message` to people.
Each write is one transaction: a refused request leaves the database as it was.
"""

from .agenda import agenda_change_problems, pass_overlap_problems, save_agenda
from .audit import PARTICIPANT, SYSTEM, Actor
from .cancellation import CancelPreview, QueueMove, cancel, cancel_many, preview_cancel
from .checkin import (
    add_walk_in,
    check_in,
    may_check_in,
    may_override,
    move_at_door,
    undo_check_in,
    wrong_door_message,
)
from .contact import correct_email, refuse_if_email_taken
from .errors import RegistrationError
from .messages import (
    SendResult,
    check_audience,
    check_text,
    compose,
    recipients,
    send_message,
    with_delivery,
)
from .personal_data import ANONYMISED_NAME, anonymise, anonymise_due, erase, events_due
from .programme import room_change_problems, save_room, save_workshop, workshop_change_problems
from .publishing import publish_problems, publish_workshop
from .queue import (
    fill_freed_seats,
    join_queue,
    leave_queue,
    move_to_front,
    one_queue_per_pass_message,
    remove_from_queue,
)
from .registration import (
    RegistrationResult,
    already_registered_error,
    change_choices,
    refuse_if_registered,
    register,
    resend_link,
)
from .reminders import reminder_status, send_due_reminders, send_reminder
from .rules import check_window, missing_choice_message

__all__ = [
    "ANONYMISED_NAME",
    "PARTICIPANT",
    "SYSTEM",
    "Actor",
    "CancelPreview",
    "QueueMove",
    "add_walk_in",
    "check_in",
    "RegistrationError",
    "RegistrationResult",
    "agenda_change_problems",
    "SendResult",
    "already_registered_error",
    "anonymise",
    "anonymise_due",
    "cancel",
    "cancel_many",
    "change_choices",
    "check_audience",
    "check_text",
    "check_window",
    "compose",
    "correct_email",
    "erase",
    "events_due",
    "fill_freed_seats",
    "join_queue",
    "leave_queue",
    "may_check_in",
    "may_override",
    "missing_choice_message",
    "move_at_door",
    "move_to_front",
    "one_queue_per_pass_message",
    "pass_overlap_problems",
    "preview_cancel",
    "publish_problems",
    "publish_workshop",
    "recipients",
    "refuse_if_email_taken",
    "refuse_if_registered",
    "register",
    "reminder_status",
    "remove_from_queue",
    "resend_link",
    "room_change_problems",
    "save_agenda",
    "save_room",
    "save_workshop",
    "send_due_reminders",
    "send_message",
    "send_reminder",
    "with_delivery",
    "undo_check_in",
    "workshop_change_problems",
    "wrong_door_message",
]
