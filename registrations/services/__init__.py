"""Everything that writes registrations, a module per concern; import from here.

- `rules`: one workshop per pass, seats, the registration window, and the row locks under
  which seats are counted (reglab.locking);
- `registration`: register, change, cancel, resend the link;
- `queue`: the waiting list, and moving queued people into freed seats;
- `programme`: organisers' edits of rooms and workshops that affect registered people;
- `personal_data`: erasure and anonymisation;
- `checkin`: the event day at the doors: check in, undo, the wrong door, walk-ins;
- `audit`: the trail of who changed what, written by all of the above.

Forms, views and the admin call these functions and show `RegistrationError.message` to people.
Each write is one transaction: a refused request leaves the database as it was.
"""

from .audit import PARTICIPANT, SYSTEM, Actor
from .checkin import (
    add_walk_in,
    check_in,
    may_check_in,
    may_override,
    move_at_door,
    undo_check_in,
    wrong_door_message,
)
from .errors import RegistrationError
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
    "add_walk_in",
    "check_in",
    "RegistrationError",
    "RegistrationResult",
    "already_registered_error",
    "anonymise",
    "cancel",
    "change_choices",
    "check_window",
    "erase",
    "fill_freed_seats",
    "join_queue",
    "leave_queue",
    "may_check_in",
    "may_override",
    "missing_choice_message",
    "move_at_door",
    "move_to_front",
    "one_queue_per_pass_message",
    "refuse_if_registered",
    "register",
    "resend_link",
    "room_change_problems",
    "save_room",
    "save_workshop",
    "undo_check_in",
    "workshop_change_problems",
    "wrong_door_message",
]
