"""Participants' registrations: one choice per pass, written only by registrations.services."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from workshops.models import Event, TimeSlot, Workshop


def new_token() -> str:
    # 32 bytes = 256 bits from the OS's CSPRNG; nothing about the person goes into it.
    return secrets.token_urlsafe(32)


def new_checkin_code() -> str:
    # The badge's QR code. 128 bits: unguessable, yet a small code that a phone reads fast.
    # It is not the token: it opens the door's check-in for a logged-in staff member and
    # grants nothing else, so a photographed badge cannot change a registration.
    return secrets.token_urlsafe(16)


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Bekräftad")
        CANCELLED = "cancelled", _("Avbokad")

    event = models.ForeignKey(
        Event, verbose_name=_("evenemang"), on_delete=models.PROTECT, related_name="registrations"
    )
    name = models.CharField(_("namn"), max_length=200)
    # Empty only for a walk-in who gave no address.
    email = models.EmailField(_("e-post"), max_length=254, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200)
    consent = models.BooleanField(_("samtycke till personuppgiftsbehandling"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.CONFIRMED)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    checkin_code = models.CharField(
        max_length=32, unique=True, default=new_checkin_code, editable=False
    )
    # Added at the door on the day: holds a seat only in the passes they walked in to
    # (rules.check_one_per_pass), not one in every pass.
    walk_in = models.BooleanField(_("kom utan anmälan"), default=False)
    # The language the person registered in: their e-mails are written in it.
    language = models.CharField(
        _("språk"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("anmäld"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("anmälan")
        verbose_name_plural = _("anmälningar")
        ordering = ["-created_at"]
        constraints = [
            # A cancelled registration does not block the person from registering again;
            # walk-ins without an address do not block each other.
            models.UniqueConstraint(
                Lower("email"),
                "event",
                condition=Q(status="confirmed") & ~Q(email=""),
                name="registration_one_per_email_and_event",
            ),
            models.CheckConstraint(condition=Q(consent=True), name="registration_requires_consent"),
        ]
        permissions = [
            ("export_registrations", _("Kan ladda ner anmälningar (CSV och Excel)")),
            ("view_rosters", _("Kan skriva ut närvarolistor")),
            ("check_in", _("Kan checka in vid dörren, flytta rätt och lägga till på plats")),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class Choice(models.Model):
    registration = models.ForeignKey(
        Registration, verbose_name=_("anmälan"), on_delete=models.CASCADE, related_name="choices"
    )
    slot = models.ForeignKey(
        TimeSlot, verbose_name=_("pass"), on_delete=models.PROTECT, related_name="choices"
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="choices"
    )
    over_capacity = models.BooleanField(
        _("placerad över platsgränsen"),
        default=False,
        help_text=_(
            "Satt när en arrangör medvetet placerat personen trots att workshoppen var full."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("val")
        verbose_name_plural = _("val")
        ordering = ["slot__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "slot"], name="choice_one_per_registration_and_slot"
            )
        ]

    def __str__(self):
        return f"{self.slot.label}: {self.workshop}"


# First come, first served; those an organiser moved to the front go before everyone.
QUEUE_ORDER = [F("moved_to_front_at").asc(nulls_last=True), F("created_at").asc(), F("id").asc()]


class QueueEntryQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by(*QUEUE_ORDER)


class QueueEntry(models.Model):
    """A confirmed participant waiting for a seat in a full workshop, one queue per pass.

    The person keeps their confirmed seat in the same pass until they are moved in.
    """

    registration = models.ForeignKey(
        Registration, verbose_name=_("anmälan"), on_delete=models.CASCADE, related_name="queue"
    )
    slot = models.ForeignKey(
        TimeSlot, verbose_name=_("pass"), on_delete=models.PROTECT, related_name="queue"
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="queue"
    )
    created_at = models.DateTimeField(_("ställde sig i kö"), auto_now_add=True)
    moved_to_front_at = models.DateTimeField(_("flyttad först"), null=True, blank=True)

    objects = QueueEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("köplats")
        verbose_name_plural = _("kö")
        ordering = QUEUE_ORDER
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "slot"], name="queue_one_per_registration_and_slot"
            )
        ]

    def __str__(self):
        return f"{self.workshop.code}: {self.registration}"


class CheckIn(models.Model):
    """A person present at a workshop's door (registrations.services.checkin).

    Per workshop, so a person present in pass 1 is present nowhere in pass 2. One per
    person and workshop: two staff marking the same person at once give one check-in.
    It counts only while the person holds a seat there (selectors.present).
    """

    registration = models.ForeignKey(
        Registration, verbose_name=_("anmälan"), on_delete=models.CASCADE, related_name="checkins"
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="checkins"
    )
    at = models.DateTimeField(_("incheckad"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("incheckad av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("incheckning")
        verbose_name_plural = _("incheckningar")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "workshop"], name="checkin_once_per_registration_workshop"
            )
        ]

    def __str__(self):
        return f"{self.workshop.code}: {self.registration}"


class AuditEntry(models.Model):
    """One change to a registration: when, who and what, written by the services in the
    same transaction as the change itself (registrations.services.audit).

    `summary` names workshops, passes and queues, never the person's name or address, so the
    trail can stay when the registration is erased or anonymised.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Anmäld")
        CHANGED = "changed", _("Bytte workshop")
        DETAILS_CHANGED = "details_changed", _("Ändrade namn eller organisation")
        OVERRIDE = "override", _("Placerad över platsgränsen")
        QUEUED = "queued", _("Ställde sig i kö")
        LEFT_QUEUE = "left_queue", _("Lämnade kön")
        MOVED_TO_FRONT = "moved_to_front", _("Flyttad först i kön")
        MOVED_FROM_QUEUE = "moved_from_queue", _("Fick plats från kön")
        MOVED_BY_PROGRAMME = "moved_by_programme", _("Berörd av programändring")
        EMAIL_CORRECTED = "email_corrected", _("E-postadressen rättad")
        CANCELLED = "cancelled", _("Avbokad")
        CHECKED_IN = "checked_in", _("Incheckad")
        CHECK_IN_UNDONE = "check_in_undone", _("Incheckning ångrad")
        MOVED_AT_DOOR = "moved_at_door", _("Flyttad vid dörren")
        WALK_IN = "walk_in", _("Tillagd på plats utan anmälan")
        ERASED = "erased", _("Raderad av deltagaren")
        ANONYMISED = "anonymised", _("Anonymiserad")

    class ActorKind(models.TextChoices):
        PARTICIPANT = "participant", _("deltagaren (privat länk)")
        ORGANISER = "organiser", _("arrangör")
        SYSTEM = "system", _("systemet")

    registration = models.ForeignKey(
        Registration, verbose_name=_("anmälan"), on_delete=models.CASCADE, related_name="audit"
    )
    at = models.DateTimeField(_("när"), auto_now_add=True)
    action = models.CharField(_("händelse"), max_length=30, choices=Action)
    actor_kind = models.CharField(_("vem"), max_length=20, choices=ActorKind)
    # The login, kept by name too: the trail outlives a deleted user account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inloggning"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("användarnamn"), max_length=150, blank=True)
    summary = models.CharField(_("vad"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["registration", "at"])]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"


class MailDelivery(models.Model):
    """One message to a participant, keyed by the task that sends it: the worker writes it
    down before the mail server is asked and marks it sent after, so a task run again (its
    worker died, its connection dropped) does not send a message that already went out.

    Also what the cap on link mails per address counts (registrations/emails.py). It names
    the registration, not the address, so erasing the registration erases this too.
    """

    key = models.CharField(max_length=64, primary_key=True)
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="mail_deliveries"
    )
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-postleverans")
        verbose_name_plural = _("e-postleveranser")

    def __str__(self):
        return f"{self.kind} ({self.key})"


# Messages to participants and the reminder, in a module of their own (models_messages.py).
from .models_messages import Message, MessageRecipient  # noqa: E402, F401
