"""E-mails to participants: plain text and HTML, with the agenda as an .ics file.

Services hand a message over with `send_later`: once the transaction commits it becomes a
task (Django's tasks framework). With the database backend a separate worker
(`manage.py db_worker`) builds and sends it, so a registration rush never waits on templates,
the calendar file or the mail server; with the immediate backend (the default, and `make run`)
it is sent right after the commit, in the same process.

A failing mail server must not lose a registration, so errors are logged and the registration
stays; the participant can ask for their link again and organisers can resend.
"""

import logging
import time
from dataclasses import dataclass
from email.message import MIMEPart
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .calendar import agenda_ics, ics_filename
from .models import Registration
from .qr import checkin_qr_png
from .selectors import agenda, queue_places

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
    # The check-in QR code (registrations.qr), shown at the door on the day.
    with_checkin_code: bool = False


# The QR code travels in the message itself, so no remote image has to be loaded.
CHECKIN_QR_CID = "incheckning@reglab"


def _kinds():
    # Built on call so the strings are translated in the active language.
    return {
        "confirmation": MessageKind(
            _("Bekräftelse: din anmälan till %(event)s"),
            _("Tack för din anmälan! Här är dina tre workshoppar."),
            with_checkin_code=True,
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
            with_checkin_code=True,
        ),
        "moved": MessageKind(
            _("Du har fått plats: %(event)s"),
            _(
                "En plats blev ledig i workshoppen du köade till, och du är nu flyttad dit. "
                "Din tidigare plats under samma pass är frigjord. Så här ser ditt program ut nu."
            ),
        ),
        "changed_and_moved": MessageKind(
            _("Ändrad anmälan till %(event)s"),
            _(
                "Din anmälan är ändrad. Platsen du lämnade gick till någon i kön, och det "
                "frigjorde en plats i en workshop du köade till: du är nu flyttad dit. Så här "
                "ser ditt program ut nu."
            ),
        ),
        "workshop_moved": MessageKind(
            _("Ny lokal: %(event)s"),
            _(
                "En workshop i ditt program har flyttats till en annan lokal. Du behåller din "
                "plats. Så här ser ditt program ut nu; kalenderfilen i mejlet är uppdaterad."
            ),
        ),
        "workshop_moved_pass": MessageKind(
            _("Ny tid för din workshop: %(event)s"),
            _(
                "En workshop i ditt program har flyttats till ett annat pass. Du följer med dit, "
                "och din tidigare workshop i det passet är frigjord. I passet där workshoppen "
                "låg förut har du fått en plats i en workshop med lediga platser; vill du byta "
                "gör du det via din personliga länk. Så här ser ditt program ut nu; "
                "kalenderfilen i mejlet är uppdaterad."
            ),
        ),
        "queue_workshop_moved": MessageKind(
            _("Din köplats har tagits bort: %(event)s"),
            _(
                "En workshop du köade till har flyttats till ett annat pass, så du står inte "
                "längre i kö till den. Dina platser är oförändrade."
            ),
        ),
        "walk_in": MessageKind(
            _("Välkommen till %(event)s"),
            _(
                "Du är registrerad på plats, utan föranmälan. Här är din workshop. Via "
                "länken kan du se dina uppgifter eller radera dem."
            ),
            with_checkin_code=True,
        ),
        "cancelled": MessageKind(
            _("Avbokad: %(event)s"),
            _("Din anmälan är avbokad och dina platser har frigjorts. Välkommen tillbaka!"),
            with_agenda=False,
        ),
    }


def describe(kind_name: str) -> str:
    """The kind of message as organisers read it: its subject, without the event's name."""
    kind = _kinds().get(kind_name)
    return kind.subject % {"event": "…"} if kind else kind_name


def private_url(registration: Registration) -> str:
    path = reverse("registrations:private", kwargs={"token": registration.token})
    return f"{settings.SITE_URL}{path}"


def checkin_qr_part(registration: Registration) -> MIMEPart:
    """The check-in QR code as an inline image, shown by the HTML part (cid:) and kept as
    an attachment by mail programs that show only text."""
    part = MIMEPart()
    part.set_content(
        checkin_qr_png(registration),
        maintype="image",
        subtype="png",
        disposition="inline",
        filename="incheckning-qr.png",
        cid=f"<{CHECKIN_QR_CID}>",
    )
    return part


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
        "queue_places": queue_places(registration) if kind.with_agenda else [],
        "private_url": private_url(registration) if kind.with_agenda else None,
        "programme_url": settings.SITE_URL + reverse("workshops:programme"),
        "checkin_qr_cid": CHECKIN_QR_CID if kind.with_checkin_code else None,
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
    if kind.with_checkin_code:
        message.attach(checkin_qr_part(registration))
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


def send_later(registration: Registration, kind_name: str) -> None:
    """Queue one message for after the current transaction commits (at once outside one).

    A walk-in who gave no address gets none.
    """
    _kinds()[kind_name]  # an unknown kind fails here, in the caller, not later in the worker
    if not registration.email:
        return
    transaction.on_commit(partial(deliver.enqueue, registration.pk, kind_name))


class MailNotSent(Exception):
    """Raised by the task when every attempt failed, so it is recorded as failed."""


@task
def deliver(registration_id: int, kind_name: str) -> bool:
    """The task behind send_later: fetch the registration as it is now, and send.

    A message that could not be sent marks its task as failed: organisers find it among the
    task results in the admin and can resend the confirmation from the registration list.
    """
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        # Erased between the request and the worker: nobody is left to write to.
        logger.info("Registration %s is gone; %s e-mail not sent", registration_id, kind_name)
        return False
    if not send(registration, kind_name):
        raise MailNotSent(f"{kind_name} e-mail for registration {registration_id}")
    return True
