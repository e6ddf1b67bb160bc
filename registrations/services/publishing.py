"""Publishing a draft workshop: from then on it is on the programme and the registration form.

A draft (made from a proposal, say) has a pass and a room from the start but usually nobody
named to lead it; participants would choose it on a title alone. So it is published only
when its pass is one of its event's, its room has seats, and at least one person is named.
A published workshop is never turned back into a draft here: people may already have chosen it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from workshops.models import Workshop

from . import rules
from .errors import RegistrationError, try_again_when_busy


def publish_problems(workshop: Workshop) -> list[str]:
    """Everything that stops `workshop` from being published; empty when nothing does."""
    problems = []
    if workshop.slot.event_id != workshop.event_id:
        problems.append(_("Passet hör till ett annat evenemang."))
    if workshop.effective_capacity < 1:
        problems.append(
            _("%(room)s har inga platser; ge workshoppen en egen platsgräns eller en annan lokal.")
            % {"room": workshop.room.name}
        )
    if not workshop.workshop_presenters.exists():
        problems.append(_("Ingen medverkande är namngiven."))
    return problems


def publish_workshop(*, workshop: Workshop) -> Workshop:
    """Publish a draft after the checks above; a published workshop is left as it is."""
    with try_again_when_busy(), transaction.atomic():
        (workshop,) = rules.lock_workshops([workshop.pk])
        if not workshop.is_draft:
            return workshop
        problems = publish_problems(workshop)
        if problems:
            raise RegistrationError(
                _("%(code)s kan inte publiceras: %(problems)s")
                % {"code": workshop.code, "problems": " ".join(problems)},
                workshop=workshop,
            )
        workshop.status = Workshop.Status.PUBLISHED
        workshop.save(update_fields=["status"])
    return workshop
