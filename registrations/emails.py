"""E-mails to participants: plain text and HTML, with the agenda as an .ics file.

Services hand a message over with `send_later`: it becomes a task (Django's tasks framework)
that runs once the transaction commits. With the database backend the task's row is written
in that transaction (registrations.outbox), so it commits, or rolls back, with the change it
tells about: no crash between the commit and the queueing can lose it. A separate worker
(`manage.py mail_worker`, registrations/tasks_db.py) builds and sends it, so a registration
rush never waits on templates, the calendar file or the mail server; with the immediate
backend (the default, and `make run`) it is sent right after the commit, in the same process.

Every message ends with the event's contact and data controller (email/footer.*), and
replies go to the contact (Reply-To).

A failing mail server must not lose a registration or a message. The worker tries a message
again over many hours (settings.TASK_RETRY_DELAYS) and then marks it failed, where organisers
see it; the participant can ask for their link again and organisers can resend.

Each message is sent at least once and, in normal runs, once: its `MailDelivery` row (keyed
by the task) is written before the mail server is asked and marked sent after, so a task run
again finds it sent and stops. Only a worker that dies between the server's "250" and that
mark sends the message twice; both copies carry the same Message-ID, derived from the key, so
a mail program can drop the second. (SMTP has no way to ask whether a message arrived.)
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass
from email.message import MIMEPart
from email.utils import formataddr
from functools import cache, partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import TaskContext, task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reglab.locking import lock_rows
from workshops.models import Event

from . import outbox
from .calendar import agenda_ics, ics_filename
from .models import MailDelivery, Registration
from .qr import checkin_qr_png
from .selectors import agenda, queue_places, registration_by_address, with_address
from .tasks_db import TryAgainLater, surviving_lost_connection

logger = logging.getLogger(__name__)

# Sent to an address someone typed into a form, so capped per address and hour
# (settings.MAIL_CAP_PER_HOUR): the site's answer is the same whether or not one is dropped.
CAPPED_KINDS = ("link", "already_registered")


@dataclass(frozen=True)
class MessageKind:
    subject: str
    intro: str
    with_agenda: bool = True
    # The check-in QR code (registrations.qr), shown at the door on the day.
    with_checkin_code: bool = False


# The QR code travels in the message itself, so no remote image has to be loaded.
CHECKIN_QR_CID = "incheckning@reglab"


@cache
def _kind_names() -> frozenset[str]:
    # The names, without translating every kind's texts (about thirty strings) to check one.
    return frozenset(_kinds())


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
        "email_corrected": MessageKind(
            _("Din e-postadress är rättad: %(event)s"),
            _(
                "En arrangör har rättat e-postadressen för din anmälan till den här adressen. "
                "Här är ditt program och din personliga länk; den är ny, och en länk du kan ha "
                "fått tidigare fungerar inte längre."
            ),
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
        "agenda_changed": MessageKind(
            _("Ny tid eller plats: %(event)s"),
            _(
                "Arrangören har ändrat datum, tid eller plats för konferensdagen. Du behåller "
                "dina workshoppar. Så här ser ditt program ut nu; kalenderfilen i mejlet är "
                "uppdaterad och ersätter den du fått tidigare."
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


def reply_to(event: Event) -> list[str]:
    """Replies go to the event's contact; the sender stays DEFAULT_FROM_EMAIL, the address the
    mail server may send from."""
    if not event.contact_email:
        return []
    return [formataddr((event.contact_name, event.contact_email))]


def message_id(key: str) -> str:
    """The same Message-ID for every copy of one message, so a copy can be recognised."""
    return f"<{key}@{urlsplit(settings.SITE_URL).hostname or 'reglab'}>"


def agenda_context(registration: Registration, *, with_agenda: bool = True) -> dict:
    """What a participant's e-mail shows besides its text: their agenda, queue places and
    private link (or, without the agenda, the programme's address)."""
    return {
        "registration": registration,
        "event": registration.event,
        "choices": agenda(registration) if with_agenda else [],
        "queue_places": queue_places(registration) if with_agenda else [],
        "private_url": private_url(registration) if with_agenda else None,
        "programme_url": settings.SITE_URL + reverse("workshops:programme"),
        "privacy_url": settings.SITE_URL + reverse("event_privacy", args=[registration.event.slug]),
    }


def build(
    registration: Registration,
    *,
    subject: str,
    template: str,
    context: dict,
    calendar: bool,
    checkin_qr: bool = False,
    key: str | None = None,
) -> EmailMultiAlternatives:
    """One e-mail to the person: `template`.txt and `template`.html rendered with `context`
    (see agenda_context), with their agenda as an .ics file when `calendar` and their check-in
    QR code inline when `checkin_qr`; `key` gives it its Message-ID (see message_id)."""
    context = {**context, "checkin_qr_cid": CHECKIN_QR_CID if checkin_qr else None}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[registration.email],
        reply_to=reply_to(registration.event),
        headers={"Message-ID": message_id(key)} if key else None,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    if calendar:
        message.attach(
            ics_filename(registration),
            agenda_ics(registration, context["choices"]),
            "text/calendar",
        )
    if checkin_qr:
        message.attach(checkin_qr_part(registration))
    return message


def send_email(message: EmailMultiAlternatives, *, what: str) -> bool:
    """Hand one built e-mail to the mail server, one try; True when it went out. A failure is
    logged (naming `what`, the error's type and code only: SMTP errors quote addresses)."""
    try:
        message.send()
    except Exception as error:
        logger.warning("Could not send %s: %s", what, _what(error))
        return False
    return True


def send(registration: Registration, kind_name: str, *, key: str | None = None) -> None:
    """Build one message, in the person's language, and hand it to the mail server, once;
    its errors are raised."""
    with translation.override(registration.language):
        _build_and_send(registration, kind_name, key=key)


def _build_and_send(registration: Registration, kind_name: str, *, key: str | None) -> None:
    kind = _kinds()[kind_name]
    message = build(
        registration,
        subject=kind.subject % {"event": registration.event.name_text},
        template="registrations/email/message",
        context={
            **agenda_context(registration, with_agenda=kind.with_agenda),
            "intro": kind.intro,
        },
        calendar=kind.with_agenda,
        checkin_qr=kind.with_checkin_code,
        key=key,
    )
    message.send()


def send_later(registration: Registration, kind_name: str) -> None:
    """Queue one message for after the current transaction commits (at once outside one).

    Each call is one message: calling it again (an organiser resending) sends again. A
    walk-in who gave no address gets none."""
    if kind_name not in _kind_names():  # fails here, in the caller, not later in the worker
        raise KeyError(kind_name)
    if not registration.email:
        return
    if outbox.writes_rows(deliver):
        outbox.enqueue_many(deliver, [(registration.pk, kind_name)])
    else:
        _after_commit(partial(deliver.enqueue, registration.pk, kind_name))


def _after_commit(enqueue) -> None:
    # Robust: what was committed stands, and the person is answered as such (the thanks page),
    # even if queueing the message fails afterwards; Django logs that failure.
    transaction.on_commit(enqueue, robust=True)


class MailNotSent(TryAgainLater):
    """The mail server did not take the message; the worker tries again later."""


class MailRefused(Exception):
    """The mail server refused the message for good (a 5xx answer): no point in trying again."""


def _refused_for_good(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _what(error: Exception) -> str:
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _reserve(registration: Registration, kind_name: str, key: str) -> str | None:
    """Write the message down before it is sent; None to send it now, else why not."""
    delivery = MailDelivery.objects.filter(pk=key).first()
    if delivery is not None:
        # This task ran before: it sent the message, or died or failed before it knew.
        return "sent already" if delivery.sent_at else None
    if kind_name not in CAPPED_KINDS:
        MailDelivery.objects.create(key=key, registration=registration, kind=kind_name)
        return None
    with transaction.atomic():
        # Every registration with this address, locked: two workers count one at a time.
        same_address = with_address(Registration.objects.all(), registration.email)
        lock_rows(Registration.objects.all(), same_address.values_list("pk", flat=True))
        recent = MailDelivery.objects.filter(
            registration__in=same_address,
            kind__in=CAPPED_KINDS,
            created_at__gte=timezone.now() - datetime.timedelta(hours=1),
        ).count()
        if recent >= settings.MAIL_CAP_PER_HOUR:
            return "over the cap"
        MailDelivery.objects.create(key=key, registration=registration, kind=kind_name)
    return None


@task(takes_context=True)
def deliver(context: TaskContext, registration_id: int, kind_name: str) -> bool:
    """The task behind send_later: fetch the registration as it is now, and send.

    True when the message went out now. A mail server that does not take it raises
    MailNotSent, so the worker tries again later; after the last try the task is failed and
    organisers find it under "E-postutskick" in the admin.
    """
    return _deliver(context, registration_id, kind_name)


def _deliver(context: TaskContext, registration_id: int, kind_name: str) -> bool:
    """Send one message as the task `context` runs it (its id is the message's key)."""
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        # Erased between the request and the worker: nobody is left to write to.
        logger.info("Registration %s is gone; %s e-mail not sent", registration_id, kind_name)
        return False
    key = context.task_result.id
    if (reason := _reserve(registration, kind_name, key)) is not None:
        logger.warning(
            "%s e-mail for registration %s not sent: %s", kind_name, registration_id, reason
        )
        return False
    try:
        send(registration, kind_name, key=key)
    except Exception as error:
        # What went wrong, without the error's text: SMTP errors quote the address.
        problem = f"{kind_name} e-mail for registration {registration_id}: {_what(error)}"
        logger.warning("Could not send %s (try %s)", problem, context.attempt)
        if _refused_for_good(error):
            raise MailRefused(problem) from None
        raise MailNotSent(problem) from None
    # The message is out: this mark must be written even if the connection dropped meanwhile.
    surviving_lost_connection(
        lambda: MailDelivery.objects.filter(pk=key).update(sent_at=timezone.now())
    )
    return True


def send_link_later(event_id: int, email: str) -> None:
    """The link request's mail: queued for any address, known or not, so that the request
    does the same work either way; the task finds out whether anyone has that address."""
    _after_commit(partial(deliver_link.enqueue, event_id, email))


@task(takes_context=True)
def deliver_link(context: TaskContext, event_id: int, email: str) -> bool:
    """The task behind send_link_later: the private link, if the address is registered (with
    the same key, cap and retries as every message)."""
    registration = registration_by_address(event_id, email)
    if registration is None:
        return False
    return _deliver(context, registration.pk, "link")
