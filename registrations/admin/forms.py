"""The organisers' forms: a registration, a workshop, a room, a message to participants.

They check the input's shape; the rules are the services'. A registration's form shows the
services' refusal at saving time; the workshop and room forms also run the services' checks
of a change (a change that would overbook a workshop or move people needs the organiser's
confirmation) before saving.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations import services
from registrations.forms import email_field, pass_field_name
from registrations.models import Message, Registration
from registrations.normalise import refuse_bad_characters
from registrations.selectors import with_seats_taken
from workshops.models import Event, Room, TimeSlot, Workshop

from .refusals import RefusableForm


def admin_pass_numbers(events) -> list[int]:
    """The pass numbers the admin form has a select for (1–3 for the conference day)."""
    return sorted(set(TimeSlot.objects.filter(event__in=events).values_list("number", flat=True)))


class RegistrationAdminForm(RefusableForm, forms.ModelForm):
    """The admin's form: personal details, one workshop per pass, and the organiser's override.
    On a registration, a changed e-mail address is a correction (services.correct_email).

    It writes nothing itself (no model fields): RegistrationAdmin.save_model hands the input to
    the services, which apply the one-per-pass rule and capacity exactly as on the site.
    When they refuse, `refused` (see RefusableForm) is shown at the pass it concerns.
    """

    event = forms.ModelChoiceField(queryset=Event.objects.all(), label=_("Evenemang"))
    name = forms.CharField(
        label=_("Namn"), max_length=200, validators=[refuse_bad_characters("name")]
    )
    email = email_field()
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        validators=[refuse_bad_characters("organisation")],
    )
    consent = forms.BooleanField(
        label=_("Personen har godkänt att Reglab sparar uppgifterna för konferensen")
    )
    allow_over_capacity = forms.BooleanField(
        label=_("Tillåt över platsgränsen"),
        required=False,
        help_text=_(
            "Placerar personen även i en full workshop. Det noteras på valet, så att det syns "
            "att det var medvetet."
        ),
    )

    class Meta:
        model = Registration
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        registration = self.instance if self.instance.pk else None
        if registration is not None:
            for name in ("event", "consent"):
                self.fields.pop(name, None)
            self.fields["email"].help_text = _(
                "Rättar du adressen får den nya adressen ett mejl med en ny personlig länk. "
                "Den gamla adressen får ingenting, och den gamla länken slutar fungera."
            )
            # A walk-in may have come without giving an address.
            self.fields["email"].required = not registration.walk_in
            self.initial.update(
                name=registration.name,
                email=registration.email,
                organisation=registration.organisation,
            )
            self.initial.update(
                {
                    pass_field_name(choice.slot.number): choice.workshop_id
                    for choice in registration.choices.select_related("slot")
                }
            )
        events = [registration.event] if registration else list(Event.objects.all())
        if registration is None and len(events) == 1:
            self.fields["event"].initial = events[0].pk  # the usual case: one day to add to
        workshops = list(
            with_seats_taken(Workshop.objects.published().filter(event__in=events))
            .select_related("event", "slot", "room")
            .order_by("event__date", "event_id", "slot__number", "number")
        )
        self.workshops = {w.pk: w for w in workshops}
        self._pass_names = []
        # A walk-in holds seats only in the passes they came to; the others may stay empty.
        held = (
            set(registration.choices.values_list("slot__number", flat=True))
            if registration is not None and registration.walk_in
            else None
        )
        for number in admin_pass_numbers(events):
            in_pass = [w for w in workshops if w.slot.number == number]
            self._pass_names.append(pass_field_name(number))
            self.fields[pass_field_name(number)] = forms.TypedChoiceField(
                label=str(in_pass[0].slot) if len(events) == 1 else _("Pass %s") % number,
                required=held is None or number in held,
                empty_value=None,
                coerce=int,
                choices=[("", "---------"), *self._grouped_by_event(in_pass, len(events) > 1)],
            )

    @staticmethod
    def _option(workshop: Workshop) -> tuple[int, str]:
        label = _("%(workshop)s – %(taken)s av %(capacity)s platser") % {
            "workshop": workshop,
            "taken": workshop.seats_taken,
            "capacity": workshop.effective_capacity,
        }
        return workshop.pk, label

    def _grouped_by_event(self, workshops: list[Workshop], grouped: bool) -> list:
        if not grouped:
            return [self._option(w) for w in workshops]
        events = list(dict.fromkeys(w.event for w in workshops))
        return [
            (event.name, [self._option(w) for w in workshops if w.event_id == event.pk])
            for event in events
        ]

    def _post_clean(self):
        # No model validation: the form builds no instance (its fields only share the model's
        # names), and the services check the rules and the database's constraints back them.
        pass

    def pass_field_names(self) -> list[str]:
        return self._pass_names

    def chosen_workshops(self) -> list[Workshop]:
        chosen = [self.cleaned_data[name] for name in self.pass_field_names()]
        return [self.workshops[pk] for pk in chosen if pk is not None]

    def clean(self):
        cleaned = super().clean()
        event, email = cleaned.get("event"), cleaned.get("email")
        try:
            if self.instance.pk and email:
                services.refuse_if_email_taken(registration=self.instance, email=email)
            elif event and email:
                services.refuse_if_registered(event=event, email=email)
        except services.RegistrationError as error:
            self._show_refusal(error)
        if self.refused is not None:
            self._show_refusal(self.refused)
        return cleaned

    def _show_refusal(self, error: services.RegistrationError) -> None:
        """At the input it names, or the pass it concerns, else above the form."""
        field = error.field or (
            pass_field_name(error.slot.number) if error.slot is not None else None
        )
        self.add_error(field if field in self.fields else None, error.message)


def confirm_overbooking_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Jag förstår att fler är anmälda än platserna"), required=False
    )


class ServiceChecksMixin(RefusableForm):
    """Shows the services' refusals where the organiser acts on them (a refusal they may
    override at its confirmation box), after the model's own checks have built the changed
    (unsaved) instance."""

    # The boxes by which the organiser lifts a refusal.
    confirmations: tuple[str, ...] = ()

    def problems(self) -> list[services.RegistrationError]:
        raise NotImplementedError

    @classmethod
    def shows_refusal(cls, error):
        # On the second run the form does the service's own check again, and now it sees what
        # the service saw, so it does not need `refused`. The check cannot see a refusal that
        # names no input (the database was busy).
        return error.field is not None

    def confirmations_not_asked(self) -> set[str]:
        """The boxes to leave off the page: those no refusal asks for. A ticked box stays, so
        a confirmation is never sent unseen."""
        return {
            name
            for name in self.confirmations
            if name not in self.errors and not self[name].value()
        }

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        for problem in self.problems():
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message)
            if field and problem.confirm_label:
                # The bound field copied the label when the fields were cleaned.
                self[field].label = problem.confirm_label


class WorkshopAdminForm(ServiceChecksMixin, forms.ModelForm):
    confirm_overbooking = confirm_overbooking_field()
    move_participants = forms.BooleanField(
        label=_("Flytta med de anmälda och mejla dem"), required=False
    )
    confirmations = ("confirm_overbooking", "move_participants")

    class Meta:
        model = Workshop
        fields = [
            "event",
            "number",
            "title",
            "description",
            "title_en",
            "description_en",
            "slot",
            "room",
            "capacity",
            "contributors_note",
        ]

    def problems(self):
        return services.workshop_change_problems(
            workshop=self.instance,
            confirm_overbooking=self.cleaned_data["confirm_overbooking"],
            move_participants=self.cleaned_data["move_participants"],
        )


class RoomAdminForm(ServiceChecksMixin, forms.ModelForm):
    confirm_overbooking = confirm_overbooking_field()
    confirmations = ("confirm_overbooking",)

    class Meta:
        model = Room
        fields = ["name", "capacity"]

    def problems(self):
        return services.room_change_problems(
            room=self.instance, confirm_overbooking=self.cleaned_data["confirm_overbooking"]
        )


class EventAdminForm(ServiceChecksMixin, forms.ModelForm):
    """The event, saved with its passes (the inline) by services.save_agenda. The form cannot
    see the passes' new times, so the confirmation is asked by the service at saving time;
    the form shows that refusal on the box that lifts it (RefusalAdminMixin)."""

    notify_participants = forms.BooleanField(
        label=_("Mejla de anmälda om ändringen"), required=False
    )
    confirmations = ("notify_participants",)
    # No Meta: EventAdmin makes this a form of all the event's fields.

    def problems(self):
        refused = self.refused
        return [refused] if refused is not None and refused.field in self.confirmations else []


class TimeSlotAdminForm(ServiceChecksMixin, forms.ModelForm):
    notify_participants = forms.BooleanField(
        label=_("Mejla de anmälda om ändringen"), required=False
    )
    confirmations = ("notify_participants",)

    class Meta:
        model = TimeSlot
        fields = ["event", "number", "start_time", "end_time"]

    def problems(self):
        return services.agenda_change_problems(
            event=self.instance.event,
            slots=[self.instance],
            confirm_notify=self.cleaned_data["notify_participants"],
        )


class TimeSlotFormSet(forms.BaseInlineFormSet):
    """The event's passes: they may not overlap (the service's rule, asked here so it comes
    with the other input's errors)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]
        problems = services.pass_overlap_problems(kept)
        if problems:
            raise forms.ValidationError([problem.message for problem in problems])


# A message's text: in Swedish, and optionally in English for those who registered in English.
TEXT_FIELDS = ("subject", "body", "subject_en", "body_en")


class MessageAdminForm(forms.ModelForm):
    """A draft message: its text and who gets it. The services check the placeholders and
    the choice of recipients (and do again when it is sent)."""

    class Meta:
        model = Message
        fields = ["event", *TEXT_FIELDS, "audience", "workshops", "slot"]
        widgets = {
            "audience": forms.RadioSelect,
            "workshops": forms.CheckboxSelectMultiple,
            "body": forms.Textarea(attrs={"rows": 14, "cols": 80}),
            "body_en": forms.Textarea(attrs={"rows": 8, "cols": 80}),
        }
        help_texts = {
            "subject": _("Du kan skriva {namn} för mottagarens namn."),
            "body": _(
                "Platshållare: {namn} blir mottagarens namn, {program} mottagarens program "
                "(pass, tid, workshop och lokal; då följer kalenderfilen med) och {länk} den "
                "personliga länken till anmälan."
            ),
            "workshops": _(
                "För deltagarna i valda workshoppar, eller de som köar till dem (inga valda: "
                "alla köer)."
            ),
            "slot": _("För deltagarna under ett pass."),
            "subject_en": _(
                "Frivilligt. De som anmälde sig på engelska får ämnet och texten på engelska "
                "när du skriver dem; annars den svenska texten. Samma platshållare."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "workshops" not in self.fields:
            return  # a sent message: shown read-only, with no inputs
        workshops = list(
            Workshop.objects.select_related("event", "slot").order_by(
                "event__date", "event_id", "slot__number", "number"
            )
        )
        several_events = len({w.event_id for w in workshops}) > 1
        groups: dict[str, list] = {}
        for workshop in workshops:
            group = str(workshop.slot)
            if several_events:
                group = f"{workshop.event.name}: {group}"
            groups.setdefault(group, []).append((workshop.pk, str(workshop)))
        self.fields["workshops"].widget.choices = list(groups.items())
        self.fields["slot"].queryset = TimeSlot.objects.select_related("event").order_by(
            "event__date", "event_id", "number"
        )

    def clean_subject(self):
        return services.messages.clean_text(self.cleaned_data["subject"])

    def clean_body(self):
        return services.messages.clean_text(self.cleaned_data["body"])

    def clean_subject_en(self):
        return services.messages.clean_text(self.cleaned_data["subject_en"])

    def clean_body_en(self):
        return services.messages.clean_text(self.cleaned_data["body_en"])

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        # Only what the chosen recipients use is kept.
        if audience not in (Message.Audience.WORKSHOPS, Message.Audience.QUEUE):
            cleaned["workshops"] = Workshop.objects.none()
        if audience != Message.Audience.PASS:
            cleaned["slot"] = None
        checks = [
            lambda: services.check_text(
                subject=cleaned.get("subject", ""),
                body=cleaned.get("body", ""),
                subject_en=cleaned.get("subject_en", ""),
                body_en=cleaned.get("body_en", ""),
            )
        ]
        if cleaned.get("event") and audience:
            checks.append(
                lambda: services.check_audience(
                    event=cleaned["event"],
                    audience=audience,
                    workshops=cleaned.get("workshops") or [],
                    slot=cleaned.get("slot"),
                )
            )
        for check in checks:
            try:
                check()
            except services.RegistrationError as error:
                if error.field not in self.errors:
                    self.add_error(
                        error.field if error.field in self.fields else None, error.message
                    )
        return cleaned
