"""Messages to participants: an organiser's message to a choice of people, and the reminder
before the day, each with its recipients and their delivery status.

Written only by registrations.services.messages; imported by registrations.models, so these
are models of the registrations app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workshops.models import Event, TimeSlot, Workshop


class Message(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "message", _("Meddelande")
        REMINDER = "reminder", _("Påminnelse")

    class Audience(models.TextChoices):
        WORKSHOPS = "workshops", _("Deltagarna i valda workshoppar")
        PASS = "pass", _("Deltagarna under ett pass")
        EVERYONE = "everyone", _("Alla bekräftade deltagare")
        QUEUE = "queue", _("De som står i kö (till valda workshoppar, eller alla köer)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SENT = "sent", _("Skickat")

    event = models.ForeignKey(
        Event, verbose_name=_("evenemang"), on_delete=models.PROTECT, related_name="messages"
    )
    kind = models.CharField(_("sort"), max_length=20, choices=Kind, default=Kind.MESSAGE)
    subject = models.CharField(_("ämne"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # For the participants who registered in English; left empty, they get the Swedish text.
    subject_en = models.CharField(_("ämne på engelska"), max_length=200, blank=True)
    body_en = models.TextField(_("text på engelska"), blank=True)
    audience = models.CharField(
        _("mottagare"), max_length=20, choices=Audience, default=Audience.WORKSHOPS
    )
    workshops = models.ManyToManyField(
        Workshop, verbose_name=_("workshoppar"), blank=True, related_name="+"
    )
    slot = models.ForeignKey(
        TimeSlot,
        verbose_name=_("pass"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(_("skapat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrat"), auto_now=True)
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)
    # Who sent it, kept by name too: the record outlives a deleted user account. Empty for the
    # reminder, which the system sends.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skickat av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by_name = models.CharField(_("skickat av"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("meddelande")
        verbose_name_plural = _("meddelanden till deltagare")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One reminder per event; its recipients are unique too (MessageRecipient), so a
            # scheduler that runs again reminds nobody twice.
            models.UniqueConstraint(
                fields=["event"], condition=Q(kind="reminder"), name="message_one_reminder"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(audience="pass") | Q(slot__isnull=False),
                name="message_pass_audience_has_pass",
            ),
        ]
        permissions = [("send_message", _("Kan skicka meddelanden till deltagare"))]

    def __str__(self):
        return self.subject

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT


class MessageRecipient(models.Model):
    """One person a sent message goes to; the task that sends it updates `status`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar")
        SENDING = "sending", _("Skickas")
        SENT = "sent", _("Skickat")
        FAILED = "failed", _("Misslyckades")
        CANCELLED = "cancelled", _("Inte skickat: avbokad")

    message = models.ForeignKey(
        Message, verbose_name=_("meddelande"), on_delete=models.CASCADE, related_name="recipients"
    )
    # Erasing a registration removes it from the messages' records too.
    registration = models.ForeignKey(
        "registrations.Registration",
        verbose_name=_("anmälan"),
        on_delete=models.CASCADE,
        related_name="messages_received",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PENDING)
    delivered_at = models.DateTimeField(_("lämnat till e-postservern"), null=True, blank=True)

    class Meta:
        verbose_name = _("mottagare")
        verbose_name_plural = _("mottagare")
        ordering = ["message", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "registration"], name="messagerecipient_once_per_message"
            )
        ]
        indexes = [models.Index(fields=["message", "status"])]

    def __str__(self):
        return f"{self.message}: {self.registration}"
