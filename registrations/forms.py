"""The registration form: personal details and one radio group per pass.

The form only checks the shape of the input (required fields, a known workshop id per pass).
The rules (one per pass, capacity, the registration window) are checked by the services; the
view puts their error next to the pass it concerns.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.models import Event, TimeSlot, Workshop

from . import services
from .models import Registration
from .option_texts import OptionText, option_text
from .selectors import is_full, seats_free, with_seats_taken


@dataclass
class WorkshopOption:
    workshop: Workshop  # annotated with seats_taken
    checked: bool
    # The person's own workshop in this pass (change form): kept even when it is full.
    current: bool = False
    # Ticked "Ställ mig i kö" for this workshop.
    queued: bool = False
    # The person's place in this workshop's queue (change form), if they stand in it.
    queue_place: int | None = None

    @property
    def seats_left(self) -> int:
        return seats_free(self.workshop, self.workshop.seats_taken)

    @property
    def full(self) -> bool:
        return is_full(self.workshop, self.workshop.seats_taken)

    @property
    def disabled(self) -> bool:
        return self.full and not self.current

    @property
    def can_queue(self) -> bool:
        return self.disabled

    @property
    def text(self) -> OptionText:
        slot = self.workshop.slot
        return option_text(
            self.workshop,
            input_name=pass_field_name(slot.number),
            queue_name=queue_field_name(slot.number),
        )


@dataclass
class PassGroup:
    slot: TimeSlot
    field: forms.BoundField
    options: list[WorkshopOption]


def pass_field_name(number: int) -> str:
    """The input of pass `number`: the site's radio group, the admin's select."""
    return f"pass_{number}"


def queue_field_name(number: int) -> str:
    """The "Ställ mig i kö" checkboxes of a pass; their problems are shown at the pass."""
    return f"queue_{number}"


def email_field(**kwargs) -> forms.EmailField:
    """The participant's address, with the same Swedish messages wherever it is asked for."""
    return forms.EmailField(
        label=_("E-post"),
        max_length=254,
        error_messages={
            "required": _("Skriv din e-postadress."),
            "invalid": _("Skriv en giltig e-postadress, till exempel namn@kommun.se."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


class RegistrationForm(forms.Form):
    """`workshops` come from selectors.workshops_with_seats (annotated with seats_taken).

    A plain Form, not a ModelForm: model validation would check the unique e-mail and so tell
    a stranger who is registered.
    """

    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        error_messages={"required": _("Skriv ditt namn.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = email_field(help_text=_("Hit skickar vi bekräftelsen och din personliga länk."))
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        error_messages={"required": _("Skriv vilken organisation du kommer från.")},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    consent = forms.BooleanField(
        label=_("Jag godkänner att Reglab sparar mina uppgifter för den här konferensen."),
        error_messages={"required": _("Du behöver godkänna det för att kunna anmäla dig.")},
    )

    def __init__(
        self, *args, workshops, change=False, current=None, queued=None, queue_places=None, **kwargs
    ):
        """`current` and `queued`: {slot id: workshop id} of the person's seats and queues;
        `queue_places`: {workshop id: their place in its queue}."""
        super().__init__(*args, **kwargs)
        self.workshops = list(workshops)
        self.current = current or {}
        self.queued = queued or {}
        self.queue_places = queue_places or {}
        self.queue_wishes: list[Workshop] = []
        self.slots = []
        for workshop in self.workshops:
            if workshop.slot not in self.slots:
                self.slots.append(workshop.slot)
        for slot in self.slots:
            self.fields[pass_field_name(slot.number)] = forms.TypedChoiceField(
                label=str(slot),
                coerce=int,
                choices=[(w.pk, w.code) for w in self.workshops if w.slot_id == slot.pk],
                widget=forms.RadioSelect,
                error_messages={
                    "required": services.missing_choice_message(slot),
                    "invalid_choice": _("Välj en av workshopparna under %(slot)s.")
                    % {"slot": slot.label},
                },
            )
            if current and slot.pk in current:
                self.initial[pass_field_name(slot.number)] = current[slot.pk]
        if change:
            # Changing keeps the address (it identifies the registration) and the consent given.
            del self.fields["email"]
            del self.fields["consent"]

    def pass_groups(self) -> list[PassGroup]:
        groups = []
        for slot in self.slots:
            field = self[pass_field_name(slot.number)]
            value = field.value()
            queued = set(self._queue_values(slot))
            options = [
                WorkshopOption(
                    workshop=w,
                    checked=str(value) == str(w.pk),
                    current=self.current.get(slot.pk) == w.pk,
                    queued=str(w.pk) in queued,
                    queue_place=self.queue_places.get(w.pk),
                )
                for w in self.workshops
                if w.slot_id == slot.pk
            ]
            groups.append(PassGroup(slot, field, options))
        return groups

    def chosen_workshops(self) -> list[Workshop]:
        by_id = {w.pk: w for w in self.workshops}
        return [by_id[self.cleaned_data[pass_field_name(slot.number)]] for slot in self.slots]

    def _queue_values(self, slot: TimeSlot) -> list[str]:
        if self.is_bound:
            return self.data.getlist(queue_field_name(slot.number))
        return [str(self.queued[slot.pk])] if slot.pk in self.queued else []

    def clean(self):
        """Each ticked queue must be a workshop of its pass, one per pass; the services check
        the rest (full, not one's own) and the rule again."""
        cleaned = super().clean()
        by_id = {str(w.pk): w for w in self.workshops}
        for slot in self.slots:
            if len(set(self._queue_values(slot))) > 1:
                # The service refuses this too; said here, it comes with the other errors.
                self.add_error(
                    pass_field_name(slot.number), services.one_queue_per_pass_message(slot)
                )
                continue
            for value in self._queue_values(slot):
                workshop = by_id.get(value)
                if workshop is None or workshop.slot_id != slot.pk:
                    self.add_error(
                        pass_field_name(slot.number),
                        _("Välj en av de fulla workshopparna under %(slot)s att köa till.")
                        % {"slot": slot.label},
                    )
                    break
                self.queue_wishes.append(workshop)
        return cleaned


class LinkRequestForm(forms.Form):
    email = email_field()


def admin_pass_numbers(events) -> list[int]:
    """The pass numbers the admin form has a select for (1–3 for the conference day)."""
    return sorted(set(TimeSlot.objects.filter(event__in=events).values_list("number", flat=True)))


class RegistrationAdminForm(forms.ModelForm):
    """The admin's form: personal details, one workshop per pass, and the organiser's override.

    It writes nothing itself (no model fields): RegistrationAdmin.save_model hands the input to
    the services, which apply the one-per-pass rule and capacity exactly as on the site.
    `refused` is set by the admin when the services turned the input down.
    """

    event = forms.ModelChoiceField(queryset=Event.objects.all(), label=_("Evenemang"))
    name = forms.CharField(label=_("Namn"), max_length=200)
    email = forms.EmailField(label=_("E-post"), max_length=254)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
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

    refused = None

    class Meta:
        model = Registration
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        registration = self.instance if self.instance.pk else None
        if registration is not None:
            for name in ("event", "email", "consent"):
                self.fields.pop(name, None)
            self.initial.update(name=registration.name, organisation=registration.organisation)
            self.initial.update(
                {
                    pass_field_name(choice.slot.number): choice.workshop_id
                    for choice in registration.choices.select_related("slot")
                }
            )
        events = [registration.event] if registration else list(Event.objects.all())
        workshops = list(
            with_seats_taken(Workshop.objects.filter(event__in=events))
            .select_related("event", "slot", "room")
            .order_by("event__date", "event_id", "slot__number", "number")
        )
        self.workshops = {w.pk: w for w in workshops}
        self._pass_names = []
        for number in admin_pass_numbers(events):
            in_pass = [w for w in workshops if w.slot.number == number]
            self._pass_names.append(pass_field_name(number))
            self.fields[pass_field_name(number)] = forms.TypedChoiceField(
                label=str(in_pass[0].slot) if len(events) == 1 else _("Pass %s") % number,
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
        return [self.workshops[self.cleaned_data[name]] for name in self.pass_field_names()]

    def clean(self):
        cleaned = super().clean()
        event, email = cleaned.get("event"), cleaned.get("email")
        if event and email:
            try:
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


class JoinQueueForm(forms.Form):
    """Which full workshop to queue for; the service checks that it is full and allowed."""

    workshop = forms.ModelChoiceField(
        label=_("Workshop"),
        queryset=Workshop.objects.none(),
        error_messages={"invalid_choice": _("Välj en workshop i listan.")},
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = Workshop.objects.filter(event=event).select_related(
            "slot", "room"
        )
