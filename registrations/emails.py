"""E-mails to participants: plain text and HTML, with the agenda as an .ics file.

Sending happens after the transaction commits. A failing mail server must not lose a
registration, so errors are logged and the registration stays; the participant can ask for
their link again and organisers can resend.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .calendar import agenda_ics, ics_filename
from .models import Registration
from .selectors import agenda

logger = logging.getLogger(__name__)

# A mail server that hiccups gets a second and third chance; one that is down costs the
# participant at most these pauses (plus the SMTP timeout per try) before their page shows.
SEND_ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.5


@dataclass(frozen=True)
class MessageKind:
    subject: str
    intro: str
    with_agenda: bool = True


def _kinds():
    # Built on call so the strings are translated in the active language.
    return {
        "confirmation": MessageKind(
            _("Bekräftelse: din anmälan till %(event)s"),
            _("Tack för din anmälan! Här är dina tre workshoppar."),
        ),
        "already_registered": MessageKind(
            _("Du är redan anmäld till %(event)s"),
            _(
                "Någon (troligen du) försökte anmäla den här e-postadressen igen. Du är redan "
                "anmäld, och din anmälan är oförändrad. Vill du byta workshop gör du det via "
                "din personliga länk."
            ),
        ),
        "changed": MessageKind(
            _("Ändrad anmälan till %(event)s"),
            _("Din anmälan är ändrad. Så här ser ditt program ut nu."),
        ),
        "link": MessageKind(
            _("Din länk till anmälan för %(event)s"),
            _("Du bad om din personliga länk. Här är den, och ditt program."),
        ),
        "moved": MessageKind(
            _("Du har fått plats: %(event)s"),
            _(
                "En plats blev ledig i workshoppen du köade till, och du är nu flyttad dit. "
                "Din tidigare plats under samma pass är frigjord. Så här ser ditt program ut nu."
            ),
        ),
        "cancelled": MessageKind(
            _("Avbokad: %(event)s"),
            _("Din anmälan är avbokad och dina platser har frigjorts. Välkommen tillbaka!"),
            with_agenda=False,
        ),
    }


def private_url(registration: Registration) -> str:
    path = reverse("registrations:private", kwargs={"token": registration.token})
    return f"{settings.SITE_URL}{path}"


def send(registration: Registration, kind_name: str) -> bool:
    """Send one message; True when it went out. Failures are logged, never raised."""
    kind = _kinds()[kind_name]
    event = registration.event
    choices = agenda(registration) if kind.with_agenda else []
    context = {
        "registration": registration,
        "event": event,
        "intro": kind.intro,
        "choices": choices,
        "private_url": private_url(registration) if kind.with_agenda else None,
        "programme_url": settings.SITE_URL + reverse("workshops:programme"),
    }
    message = EmailMultiAlternatives(
        subject=kind.subject % {"event": event.name},
        body=render_to_string("registrations/email/message.txt", context),
        to=[registration.email],
    )
    message.attach_alternative(
        render_to_string("registrations/email/message.html", context), "text/html"
    )
    if kind.with_agenda:
        message.attach(
            ics_filename(registration), agenda_ics(registration, choices), "text/calendar"
        )
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            message.send()
        except Exception:
            if attempt == SEND_ATTEMPTS:
                logger.exception(
                    "Could not send %s e-mail for registration %s after %s attempts",
                    kind_name,
                    registration.pk,
                    attempt,
                )
                return False
            time.sleep(RETRY_PAUSE_SECONDS * attempt)
        else:
            return True
    return False


def send_confirmation(registration):
    return send(registration, "confirmation")


def send_already_registered(registration):
    return send(registration, "already_registered")


def send_changed(registration):
    return send(registration, "changed")


def send_link(registration):
    return send(registration, "link")


def send_cancelled(registration):
    return send(registration, "cancelled")


def send_moved(registration):
    return send(registration, "moved")
