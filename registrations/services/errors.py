"""The one error the registration services raise, and how a busy database becomes one."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

from reglab.locking import LockBusy, bounded_wait
from workshops.models import TimeSlot


class RegistrationError(Exception):
    """A request that breaks a rule. `message` is Swedish and meant for the person.

    `slot` is set when the problem concerns one pass, so the form can show the message there;
    `field` names the admin form's input where the organiser acts on it: for a refusal they may
    override, the confirmation box (named like the service's argument that lifts it), else the
    input to change (the pass).
    """

    def __init__(
        self,
        message: str,
        *,
        slot: TimeSlot | None = None,
        workshop=None,
        field: str | None = None,
        confirm_label: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.slot = slot
        self.workshop = workshop
        self.field = field
        # For a refusal an organiser may override: what the confirmation box should say.
        self.confirm_label = confirm_label


@contextmanager
def try_again_when_busy() -> Iterator[None]:
    """Outside the transaction: a lock wait that ran out asks the person to try again."""
    try:
        with bounded_wait():
            yield
    except LockBusy as busy:
        raise RegistrationError(
            _("Det är många som anmäler sig just nu – försök igen om en stund.")
        ) from busy
