"""Correcting a participant's e-mail address: the registration desk's most common case.

The address is checked like a new one (one confirmed registration per address and event,
case-insensitively; the partial unique index backs it). The private link goes to the new
address only, and it is a new link: the old one was mailed to the mistyped address, perhaps
someone else's mailbox, and stops working. The old address gets nothing.
"""

from django.db import IntegrityError, transaction

from .. import emails, selectors
from ..models import Registration, new_token
from . import rules
from .audit import Action, Actor, record
from .errors import try_again_when_busy
from .registration import already_registered_error


def refuse_if_email_taken(*, registration: Registration, email: str) -> None:
    """Another confirmed registration of the event has this address (in any case)."""
    email = email.strip()
    others = Registration.objects.confirmed().filter(event_id=registration.event_id)
    taken = selectors.with_address(others, email).exclude(pk=registration.pk).exists()
    if taken:
        raise already_registered_error(email)


def correct_email(*, registration: Registration, new_email: str, by: Actor) -> Registration:
    """Give the registration a corrected address, and mail it a new private link.

    Only the letters' case changed: the same mailbox, so the link stays and nobody is
    mailed. The trail says the address was corrected, never what it was or is.
    """
    email = new_email.strip()
    with try_again_when_busy(), transaction.atomic():
        registration = rules.lock_confirmed(registration)
        if email == registration.email:
            return registration
        refuse_if_email_taken(registration=registration, email=email)
        same_mailbox = email.casefold() == registration.email.casefold()
        registration.email = email
        if not same_mailbox:
            registration.token = new_token()
        try:
            # A savepoint: a registration with this address committed meanwhile is caught
            # by the unique index and told as the check above tells it.
            with transaction.atomic():
                registration.save(update_fields=["email", "token", "updated_at"])
        except IntegrityError:
            raise already_registered_error(email) from None
        record(registration, Action.EMAIL_CORRECTED, by=by)
        if not same_mailbox:
            emails.send_later(registration, "email_corrected")
    return registration
