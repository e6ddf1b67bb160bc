"""Messages to participants: an organiser's message to a choice of people, and the reminder
before the day.

An organiser writes a draft (subject and text, and who gets it), sees how many it reaches and
a preview for one of them (`compose`), then sends it: `send_message` turns the draft into one
outbox task per recipient, in one transaction, under a lock on the message's row, so a
double click sends it once. The task, `deliver_message`, writes to one person as they are
when it runs: a registration cancelled meanwhile gets nothing.

The organiser's text may name the person, their agenda and their private link with
placeholders ({namn}, {program}, {länk}). They are replaced as plain text in Python, never
given to the template engine, so an organiser's text cannot run template code; unknown
placeholders are refused before saving and again before sending.

The reminder (`send_due_reminders`, run by the `send_reminders` command from a timer) is one
Message per event, sent to every confirmed participant once: its recipients are unique per
message, and a rerun adds only those not reminded yet (people registered since).

A message to a person is not a change of their registration: nothing goes into the audit
trail; the Message itself records who sent it, when and to whom.
"""

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reglab.locking import lock_rows
from workshops.models import Event

from .. import emails, outbox
from ..models import Choice, Message, MessageRecipient, QueueEntry, Registration
from .audit import Actor
from .errors import RegistrationError, try_again_when_busy

logger = logging.getLogger(__name__)

# {namn}, {program}, {länk}: the person's name, their agenda (pass, time, workshop, room) and
# their private link. The subject may only have the name.
BODY_PLACEHOLDERS = ("namn", "program", "länk")
SUBJECT_PLACEHOLDERS = ("namn",)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A message is an e-mail to read, not a document: far longer is a paste gone wrong, and it
# would be composed and stored once per recipient.
BODY_MAX_CHARACTERS = 20_000


Audience = Message.Audience
Delivery = MessageRecipient.Status


# --- The text and its placeholders ---------------------------------------------------------


def _listed(names: Iterable[str]) -> str:
    return ", ".join("{" + name + "}" for name in names)


def check_text(*, subject: str, body: str, subject_en: str = "", body_en: str = "") -> None:
    """Refuse placeholders other than the known ones, a subject of more than one line (no
    mail header can hold it) and an overlong text, in Swedish, naming the input; an English
    version is both a subject and a text, or neither."""
    if bool(subject_en.strip()) != bool(body_en.strip()):
        raise RegistrationError(
            _("Skriv både ämne och text på engelska, eller lämna båda tomma."),
            field="body_en" if subject_en.strip() else "subject_en",
        )
    for field, text in (("subject", subject), ("subject_en", subject_en)):
        if "\n" in text or "\r" in text:
            raise RegistrationError(_("Skriv ämnet på en rad."), field=field)
    for field, text in (("body", body), ("body_en", body_en)):
        if len(text) > BODY_MAX_CHARACTERS:
            raise RegistrationError(
                _("Texten har %(n)s tecken. Den får ha högst %(max)s.")
                % {
                    "n": number_format(len(text), force_grouping=True),
                    "max": number_format(BODY_MAX_CHARACTERS, force_grouping=True),
                },
                field=field,
            )
    for field, text, allowed in (
        ("subject", subject, SUBJECT_PLACEHOLDERS),
        ("body", body, BODY_PLACEHOLDERS),
        ("subject_en", subject_en, SUBJECT_PLACEHOLDERS),
        ("body_en", body_en, BODY_PLACEHOLDERS),
    ):
        unknown = [m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(1) not in allowed]
        if unknown:
            raise RegistrationError(
                _("Okänd platshållare: %(unknown)s. Här kan du använda %(allowed)s.")
                % {"unknown": ", ".join(dict.fromkeys(unknown)), "allowed": _listed(allowed)},
                field=field,
            )


def _pieces(text: str) -> Iterator[tuple[str, str | None]]:
    """The text as (literal text, placeholder name or None) pairs, in order."""
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        yield text[position : match.start()], match.group(1)
        position = match.end()
    yield text[position:], None


def _value(values: dict[str, str], name: str | None, *, html: bool) -> str:
    """A placeholder's value. An unknown one stays as typed: a draft saved around the form's
    check still shows its preview, and send_message refuses it."""
    if name is None:
        return ""
    if name in values:
        return values[name]
    typed = "{" + name + "}"
    return escape(typed) if html else typed


def _fill_text(text: str, values: dict[str, str]) -> str:
    return "".join(literal + _value(values, name, html=False) for literal, name in _pieces(text))


def _fill_html(text: str, values: dict[str, SafeString]) -> SafeString:
    """Paragraphs of escaped text, with the placeholders' own HTML put in."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        inner = "".join(
            escape(literal).replace("\n", "<br>\n") + _value(values, name, html=True)
            for literal, name in _pieces(paragraph)
        )
        # The agenda is a table, which a <p> cannot hold.
        tag = "div" if "{program}" in paragraph else "p"
        paragraphs.append(f"<{tag}>{inner}</{tag}>")
    return mark_safe("\n".join(paragraphs))  # every piece is escaped above


def clean_text(text: str) -> str:
    """As typed in a browser's text box, with one kind of line break."""
    return text.replace("\r\n", "\n").strip()


# --- Who gets it ---------------------------------------------------------------------------


def recipients(message: Message) -> QuerySet[Registration]:
    """The confirmed registrations a message goes to, in alphabetical order.

    Cancelled registrations are never among them; the task checks again when it sends.
    """
    people = Registration.objects.confirmed().filter(event=message.event_id)
    workshops = message.workshops.all()
    if message.audience == Audience.WORKSHOPS:
        people = people.filter(
            pk__in=Choice.objects.filter(workshop__in=workshops).values("registration_id")
        )
    elif message.audience == Audience.PASS:
        people = people.filter(
            pk__in=Choice.objects.filter(slot=message.slot_id).values("registration_id")
        )
    elif message.audience == Audience.QUEUE:
        queued = QueueEntry.objects.all()
        if workshops.exists():
            queued = queued.filter(workshop__in=workshops)
        people = people.filter(pk__in=queued.values("registration_id"))
    return people.select_related("event").order_by(Lower("name"), "pk")


def check_audience(*, event: Event, audience: str, workshops: Iterable, slot) -> None:
    """The choice of recipients is complete and belongs to the message's event."""
    workshops = list(workshops)
    if audience == Audience.WORKSHOPS and not workshops:
        raise RegistrationError(_("Välj minst en workshop."), field="workshops")
    if audience == Audience.PASS and slot is None:
        raise RegistrationError(_("Välj ett pass."), field="slot")
    if any(w.event_id != event.pk for w in workshops):
        raise RegistrationError(
            _("Välj workshoppar från %(event)s.") % {"event": event}, field="workshops"
        )
    if slot is not None and slot.event_id != event.pk:
        raise RegistrationError(_("Välj ett pass från %(event)s.") % {"event": event}, field="slot")


def with_delivery(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Annotate how many recipients each message has, and how many of them per status."""

    def count(*statuses):
        return Count("recipients", filter=Q(recipients__status__in=statuses))

    return messages.annotate(
        recipients_total=Count("recipients"),
        recipients_sent=count(Delivery.SENT),
        recipients_failed=count(Delivery.FAILED),
        recipients_waiting=count(Delivery.PENDING, Delivery.SENDING),
        recipients_cancelled=count(Delivery.CANCELLED),
    )


# --- Composing one person's e-mail ---------------------------------------------------------


def compose(message: Message, registration: Registration) -> EmailMultiAlternatives:
    """The e-mail `message` becomes for this person, in their language: for the preview and
    for sending."""
    with translation.override(registration.language):
        return _compose(message, registration)


def texts_for(message: Message, language: str) -> tuple[str, str]:
    """The subject and text a person reading `language` gets: the English version for
    English, when the organiser wrote one, else the Swedish text."""
    if language == "en" and message.subject_en.strip():
        return message.subject_en, message.body_en
    return message.subject, message.body


def _compose(message: Message, registration: Registration) -> EmailMultiAlternatives:
    context = emails.agenda_context(registration)
    if message.kind == Message.Kind.REMINDER:
        return emails.build(
            registration,
            subject=reminder_subject(message.event),
            template="registrations/email/message",
            context={**context, "intro": _reminder_intro(message.event)},
            calendar=True,
            checkin_qr=True,
        )
    agenda = {"event": context["event"], "choices": context["choices"]}
    link = context["private_url"]
    text = {
        "namn": registration.name,
        "program": render_to_string("registrations/email/agenda.txt", agenda).strip(),
        "länk": link,
    }
    html = {
        "namn": escape(registration.name),
        "program": render_to_string("registrations/email/agenda.html", agenda),
        # The address as its own text, allowed to break: on a phone it is wider than the screen.
        "länk": format_html(
            '<a href="{}" style="color: #0b5394; word-break: break-all;">{}</a>', link, link
        ),
    }
    subject, body = texts_for(message, registration.language)
    subject = _fill_text(subject, {"namn": registration.name})
    return emails.build(
        registration,
        subject=subject,
        template="registrations/email/organiser_message",
        context={
            **context,
            "subject": subject,
            "body_text": _fill_text(body, text),
            "body_html": _fill_html(body, html),
        },
        # The calendar file comes with the agenda, so a changed room reaches calendars too.
        calendar="{program}" in body,
    )


# --- Sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    message: Message
    queued: int  # recipients queued by this call
    already_sent: bool  # sent before (a second click): this call queued nobody


def send_message(*, message: Message, by: Actor, seen_version: str | None = None) -> SendResult:
    """Send a draft to its recipients: one task each, queued in this transaction.

    Under a lock on the message's row the draft becomes sent, so a second request (a double
    click) waits for the first and then finds it sent. `seen_version` (the `updated_at` the
    organiser's preview showed) refuses a draft someone changed since.
    """
    with try_again_when_busy(), transaction.atomic():
        locked = lock_rows(Message.objects.select_related("event"), [message.pk])
        if not locked:
            raise RegistrationError(_("Meddelandet finns inte längre."))
        (message,) = locked
        if message.is_sent:
            return SendResult(message, 0, already_sent=True)
        if seen_version is not None and seen_version != message.updated_at.isoformat():
            raise RegistrationError(
                _("Meddelandet har ändrats sedan du förhandsgranskade det. Titta på det igen.")
            )
        check_text(
            subject=message.subject,
            body=message.body,
            subject_en=message.subject_en,
            body_en=message.body_en,
        )
        check_audience(
            event=message.event,
            audience=message.audience,
            workshops=message.workshops.all(),
            slot=message.slot,
        )
        ids = list(recipients(message).values_list("pk", flat=True))
        if not ids:
            raise RegistrationError(_("Ingen bekräftad deltagare får det här meddelandet."))
        user = by.user if by.user is not None and by.user.is_authenticated else None
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
        message.sent_by = user
        message.sent_by_name = user.get_username() if user is not None else ""
        message.save(update_fields=["status", "sent_at", "sent_by", "sent_by_name", "updated_at"])
        queued = _queue(message, ids)
    return SendResult(message, queued, already_sent=False)


def _queue(message: Message, registration_ids: list[int]) -> int:
    """One recipient row and one outbox task for each registration, in the caller's
    transaction."""
    created = MessageRecipient.objects.bulk_create(
        [MessageRecipient(message=message, registration_id=pk) for pk in registration_ids],
        batch_size=1000,
    )
    outbox.enqueue_many(deliver_message, [(recipient.pk,) for recipient in created])
    return len(created)


class MessageNotSent(Exception):
    """Raised by the task when the mail server refused, so the task is recorded as failed."""


@task
def deliver_message(recipient_id: int) -> str:
    """Send one recipient their message, and record how it went.

    The recipient is claimed first (waiting or failed → sending, in one UPDATE), so a task run
    twice sends once; one that is sending, sent or skipped is left alone. A recipient whose
    worker died mid-send stays "sending": organisers see it, and nobody gets it twice.
    """
    claimed = MessageRecipient.objects.filter(
        pk=recipient_id, status__in=[Delivery.PENDING, Delivery.FAILED]
    ).update(status=Delivery.SENDING)
    if not claimed:
        # Erased meanwhile (the row went with the registration), or handled already.
        return "skipped"
    recipient = MessageRecipient.objects.select_related(
        "message__event", "registration__event"
    ).get(pk=recipient_id)
    if not recipient.registration.is_confirmed:
        _record(recipient, Delivery.CANCELLED)
        return Delivery.CANCELLED
    email = compose(recipient.message, recipient.registration)
    sent = emails.send_email(email, what=f"message {recipient.message_id} to {recipient_id}")
    _record(recipient, Delivery.SENT if sent else Delivery.FAILED)
    if not sent:
        raise MessageNotSent(f"message {recipient.message_id}, recipient {recipient_id}")
    return Delivery.SENT


def _record(recipient: MessageRecipient, status: str) -> None:
    recipient.status = status
    recipient.delivered_at = timezone.now() if status == Delivery.SENT else None
    recipient.save(update_fields=["status", "delivered_at"])


def reminder_subject(event: Event) -> str:
    return _("Påminnelse: %(event)s %(date)s") % {
        "event": event.name_text,
        "date": date_format(event.date, "j F"),
    }


def _reminder_intro(event: Event) -> str:
    return _(
        "Snart är det dags för %(event)s, %(date)s. Här är ditt program med tider och "
        "lokaler. Välkommen!"
    ) % {"event": event.name_text, "date": date_format(event.date, "l j F Y")}
