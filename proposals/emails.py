"""E-mails about proposals: the receipt for a new proposal and the invitations to a round.

As for registrations (registrations.emails): a service hands a message over with
`send_later`; once its transaction commits it becomes a task, which fetches the proposal or
voter as it is then and sends. A rolled-back submission mails nobody, and a slow mail server
never holds up the page. A message that cannot be sent fails its task, which organisers see
among the task results in the admin.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from reglab import languages

from .models import Proposal, Voter


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    context: dict


def _receipt(proposal: Proposal) -> Message:
    return Message(
        to=proposal.contact_email,
        subject=_("Vi har tagit emot ert förslag: %(title)s") % {"title": proposal.title},
        context={"proposal": proposal, "list_url": settings.SITE_URL + reverse("proposals:list")},
    )


def _invitation(voter: Voter) -> Message:
    return Message(
        to=voter.email,
        subject=_("Inbjudan att prioritera förslag: %(round)s") % {"round": voter.round.title},
        context={
            "voter": voter,
            "round": voter.round,
            "vote_url": settings.SITE_URL + reverse("proposals:vote", args=[voter.token]),
        },
    )


@dataclass(frozen=True)
class Kind:
    model: type
    template: str
    message: Callable


KINDS = {
    "receipt": Kind(Proposal, "proposals/email/receipt.txt", _receipt),
    "invitation": Kind(Voter, "proposals/email/invitation.txt", _invitation),
}


def send_later(kind_name: str, obj: Proposal | Voter) -> None:
    """Queue one message for after the current transaction commits (at once outside one)."""
    if not isinstance(obj, KINDS[kind_name].model):
        raise TypeError(f"{kind_name} is sent for a {KINDS[kind_name].model.__name__}")
    # In the language of the page that caused it (the proposal form, or the admin).
    transaction.on_commit(partial(deliver.enqueue, kind_name, obj.pk, languages.current()))


@task
def deliver(kind_name: str, object_id: int, language: str | None = None) -> bool:
    """The task behind send_later. Sends nothing when the row or its address is gone."""
    with translation.override(languages.supported(language)):
        return _deliver(kind_name, object_id)


def _deliver(kind_name: str, object_id: int) -> bool:
    kind = KINDS[kind_name]
    obj = kind.model.objects.filter(pk=object_id).first()
    message = kind.message(obj) if obj is not None else None
    if message is None or not message.to:
        return False
    EmailMessage(
        subject=message.subject,
        body=render_to_string(kind.template, message.context),
        to=[message.to],
    ).send()
    return True
