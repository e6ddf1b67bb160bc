"""The programme of a conference day: event, passes, rooms, presenters and workshops."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reglab import caches

from .languages import InLanguage


class ProgrammeQuerySet(models.QuerySet):
    """The programme's tables: writes that bypass save() and its signals (workshops.signals)
    change the programme version too, so nothing kept from it shows the old text."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        caches.programme_changed()
        return rows

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        caches.programme_changed()
        return created


ProgrammeManager = models.Manager.from_queryset(ProgrammeQuerySet)


class EventManager(ProgrammeManager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Event(models.Model):
    name = models.CharField(_("namn"), max_length=200)
    tagline = models.CharField(_("underrubrik"), max_length=300, blank=True)
    slug = models.SlugField(_("kortnamn"), unique=True)
    date = models.DateField(_("datum"))
    venue = models.CharField(_("plats"), max_length=200, blank=True)
    introduction = models.TextField(_("inledning"), blank=True)
    # English versions for English pages; empty: the Swedish text is shown (workshops.languages).
    name_en = models.CharField(_("namn på engelska"), max_length=200, blank=True)
    tagline_en = models.CharField(_("underrubrik på engelska"), max_length=300, blank=True)
    introduction_en = models.TextField(_("inledning på engelska"), blank=True)
    registration_opens = models.DateTimeField(_("anmälan öppnar"))
    registration_closes = models.DateTimeField(_("anmälan stänger"))
    schedule_is_preliminary = models.BooleanField(
        _("tider och lokaler är preliminära"),
        default=False,
        help_text=_(
            "Visas som en upplysning på programsidan tills tider och lokaler är fastställda."
        ),
    )

    # Who participants reach with questions (every e-mail's Reply-To goes here), and who is
    # responsible for their personal data: shown on the private page, the privacy page and in
    # every e-mail.
    contact_name = models.CharField(
        _("kontaktperson"),
        max_length=200,
        blank=True,
        help_text=_("Arrangörens kontakt för deltagarna. Visas i alla mejl och på deras sidor."),
    )
    contact_email = models.EmailField(
        _("kontaktpersonens e-post"),
        blank=True,
        help_text=_("Svar på mejlen till deltagarna går hit."),
    )
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=40, blank=True)
    controller_name = models.CharField(
        _("personuppgiftsansvarig"),
        max_length=200,
        blank=True,
        help_text=_("Organisationen som ansvarar för deltagarnas personuppgifter."),
    )
    controller_details = models.TextField(
        _("personuppgiftsansvarigs adress och organisationsnummer"), blank=True
    )
    anonymise_after_days = models.PositiveSmallIntegerField(
        _("radera personuppgifter efter (dagar)"),
        default=90,
        help_text=_(
            "Så många dagar efter evenemanget ersätts deltagarnas namn, e-post och "
            "organisation med ”Anonymiserad” (antalet per workshop blir kvar). Datumet står "
            "på sidan om personuppgifter."
        ),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("påminnelse, dagar före"),
        null=True,
        blank=True,
        default=1,
        help_text=_(
            "Alla bekräftade deltagare får sitt program med tider och lokaler, kalenderfilen "
            "och sin personliga länk så många dagar före dagen (0: samma morgon). Lämna tomt "
            "för ingen påminnelse."
        ),
    )

    objects = EventManager()

    class Meta:
        verbose_name = _("evenemang")
        verbose_name_plural = _("evenemang")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes__gt=F("registration_opens")),
                name="event_registration_window_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    name_text = InLanguage("name")

    tagline_text = InLanguage("tagline")

    introduction_text = InLanguage("introduction")

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_phone)

    @property
    def contact_phone_uri(self) -> str:
        """A tel: link for the phone number as typed (digits and a leading +)."""
        number = "".join(c for c in self.contact_phone if c.isdigit() or c == "+")
        return f"tel:{number}" if number else ""

    @property
    def anonymise_on(self) -> datetime.date:
        """The day the participants' personal data is anonymised (anonymise_registrations
        --due, run daily)."""
        return self.date + datetime.timedelta(days=self.anonymise_after_days)

    def is_registration_open(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.registration_opens <= at < self.registration_closes

    def registration_not_yet_open(self, at: datetime.datetime | None = None) -> bool:
        return (at or timezone.now()) < self.registration_opens

    def clean(self):
        opens, closes = self.registration_opens, self.registration_closes
        if opens and closes and closes <= opens:
            raise ValidationError(
                {"registration_closes": _("Anmälan måste stänga efter att den öppnat.")}
            )


class TimeSlotManager(ProgrammeManager):
    def get_by_natural_key(self, event_slug, number):
        return self.get(event__slug=event_slug, number=number)


class TimeSlot(models.Model):
    """A pass: the morning has three, and every participant picks one workshop in each."""

    event = models.ForeignKey(
        Event, verbose_name=_("evenemang"), on_delete=models.PROTECT, related_name="slots"
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    start_time = models.TimeField(_("börjar"))
    end_time = models.TimeField(_("slutar"))

    objects = TimeSlotManager()

    class Meta:
        verbose_name = _("pass")
        verbose_name_plural = _("pass")
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="timeslot_unique_number"),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="timeslot_ends_after_start"
            ),
        ]

    def __str__(self):
        return _("Pass %(number)s, %(start)s–%(end)s") % {
            "number": self.number,
            "start": self.start_time.strftime("%H:%M"),
            "end": self.end_time.strftime("%H:%M"),
        }

    def natural_key(self):
        return (*self.event.natural_key(), self.number)

    natural_key.dependencies = ["workshops.event"]

    @property
    def label(self) -> str:
        return _("Pass %(number)s") % {"number": self.number}

    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.event.date, self.start_time))

    def ends_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.event.date, self.end_time))

    def clean(self):
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("Passet måste sluta efter att det börjat.")})


class RoomManager(ProgrammeManager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Room(models.Model):
    name = models.CharField(_("namn"), max_length=100, unique=True)
    capacity = models.PositiveIntegerField(_("antal platser"))

    objects = RoomManager()

    class Meta:
        verbose_name = _("lokal")
        verbose_name_plural = _("lokaler")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class PresenterManager(ProgrammeManager):
    def get_by_natural_key(self, name, organisation):
        return self.get(name=name, organisation=organisation)


class Presenter(models.Model):
    """One record per real person, with the organisation printed for them."""

    name = models.CharField(_("namn"), max_length=200)
    job_title = models.CharField(_("befattning"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300)

    objects = PresenterManager()

    class Meta:
        verbose_name = _("medverkande")
        verbose_name_plural = _("medverkande")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "organisation"], name="presenter_unique_person")
        ]

    def __str__(self):
        return f"{self.name}, {self.organisation}"

    def natural_key(self):
        return (self.name, self.organisation)


class WorkshopQuerySet(ProgrammeQuerySet):
    def get_by_natural_key(self, event_slug, number):
        return self.get(event__slug=event_slug, number=number)

    def published(self):
        """What participants may see and choose: drafts stay with the organisers."""
        return self.filter(status=Workshop.Status.PUBLISHED)

    def for_programme(self):
        """Workshops with everything the programme and the form show, in a fixed few queries."""
        return self.select_related("slot", "room", "event").prefetch_related(
            models.Prefetch(
                "workshop_presenters",
                queryset=WorkshopPresenter.objects.select_related("presenter"),
            )
        )


class Workshop(models.Model):
    class Status(models.TextChoices):
        # A draft (e.g. made from a proposal) is on no public page and the registration form
        # until an organiser publishes it (registrations.services.publish_workshop).
        DRAFT = "draft", _("Utkast")
        PUBLISHED = "published", _("Publicerad")

    event = models.ForeignKey(
        Event, verbose_name=_("evenemang"), on_delete=models.PROTECT, related_name="workshops"
    )
    number = models.PositiveSmallIntegerField(_("nummer"), help_text=_("3 ger koden W3."))
    title = models.CharField(_("titel"), max_length=300)
    description = models.TextField(_("beskrivning"))
    title_en = models.CharField(
        _("titel på engelska"),
        max_length=300,
        blank=True,
        help_text=_("Visas på de engelska sidorna. Lämna tomt för att visa den svenska titeln."),
    )
    description_en = models.TextField(
        _("beskrivning på engelska"),
        blank=True,
        help_text=_(
            "Visas på de engelska sidorna. Lämna tomt för att visa den svenska beskrivningen."
        ),
    )
    slot = models.ForeignKey(
        TimeSlot, verbose_name=_("pass"), on_delete=models.PROTECT, related_name="workshops"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("lokal"), on_delete=models.PROTECT, related_name="workshops"
    )
    capacity = models.PositiveIntegerField(
        _("egen platsgräns"),
        null=True,
        blank=True,
        help_text=_("Lämna tomt för att använda lokalens antal platser."),
    )
    contributors_note = models.CharField(
        _("övriga medverkande"),
        max_length=300,
        blank=True,
        help_text=_("Medverkande utan namn, t.ex. ”personer från Region Skåne”."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        default=Status.PUBLISHED,
        help_text=_("Ett utkast syns inte i programmet eller i anmälan förrän det publiceras."),
    )
    presenters = models.ManyToManyField(
        Presenter,
        through="WorkshopPresenter",
        verbose_name=_("medverkande"),
        related_name="workshops",
    )

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshoppar")
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="workshop_unique_number"),
            models.UniqueConstraint(
                fields=["slot", "room"],
                name="workshop_one_per_room_and_pass",
                violation_error_message=_(
                    "Lokalen används redan av en annan workshop under det passet. Välj en "
                    "annan lokal eller ett annat pass."
                ),
            ),
        ]
        # "The slot belongs to the same event" is a database trigger (migration 0002):
        # a check constraint cannot look into another table.

    def __str__(self):
        return f"{self.code}. {self.title}"

    def natural_key(self):
        return (*self.event.natural_key(), self.number)

    natural_key.dependencies = ["workshops.event", "workshops.timeslot", "workshops.room"]

    @property
    def code(self) -> str:
        return f"W{self.number}"

    title_text = InLanguage("title")

    description_text = InLanguage("description")

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def effective_capacity(self) -> int:
        return self.capacity if self.capacity is not None else self.room.capacity

    def ordered_presenters(self):
        """Presenters in printed order (uses the prefetch from for_programme when present)."""
        return sorted(self.workshop_presenters.all(), key=lambda wp: wp.order)

    def clean(self):
        if self.slot_id and self.event_id and self.slot.event_id != self.event_id:
            raise ValidationError({"slot": _("Passet hör till ett annat evenemang.")})


class WorkshopPresenterManager(ProgrammeManager):
    def get_by_natural_key(self, event_slug, number, name, organisation):
        return self.get(
            workshop__event__slug=event_slug,
            workshop__number=number,
            presenter__name=name,
            presenter__organisation=organisation,
        )


class WorkshopPresenter(models.Model):
    class Role(models.TextChoices):
        PRESENTER = "presenter", _("Medverkande")
        MODERATOR = "moderator", _("Samtalsledare")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="workshop_presenters"
    )
    presenter = models.ForeignKey(
        Presenter, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role, default=Role.PRESENTER)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    objects = WorkshopPresenterManager()

    class Meta:
        verbose_name = _("medverkande i workshop")
        verbose_name_plural = _("medverkande i workshop")
        ordering = ["workshop", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "presenter"], name="workshoppresenter_once_per_workshop"
            )
        ]

    def __str__(self):
        return str(self.presenter)

    def natural_key(self):
        return (*self.workshop.natural_key(), *self.presenter.natural_key())

    natural_key.dependencies = ["workshops.workshop", "workshops.presenter"]
