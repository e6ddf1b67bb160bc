"""The registration form: personal details and one radio group per pass.

The form only checks the shape of the input (required fields, a known workshop id per pass).
The rules (one per pass, capacity, the registration window) are checked by the services; the
view puts their error next to the pass it concerns.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.models import TimeSlot, Workshop


@dataclass
class WorkshopOption:
    workshop: Workshop
    seats_left: int
    checked: bool

    @property
    def full(self) -> bool:
        return self.seats_left <= 0


@dataclass
class PassGroup:
    slot: TimeSlot
    field: forms.BoundField
    options: list[WorkshopOption]


def pass_field_name(slot: TimeSlot) -> str:
    return f"pass_{slot.number}"


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
    email = forms.EmailField(
        label=_("E-post"),
        max_length=254,
        help_text=_("Hit skickar vi bekräftelsen och din personliga länk."),
        error_messages={
            "required": _("Skriv din e-postadress."),
            "invalid": _("Skriv en giltig e-postadress, till exempel namn@kommun.se."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
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

    def __init__(self, *args, workshops, change=False, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshops = list(workshops)
        self.slots = []
        for workshop in self.workshops:
            if workshop.slot not in self.slots:
                self.slots.append(workshop.slot)
        for slot in self.slots:
            self.fields[pass_field_name(slot)] = forms.TypedChoiceField(
                label=str(slot),
                coerce=int,
                choices=[(w.pk, w.code) for w in self.workshops if w.slot_id == slot.pk],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Välj en workshop under %(slot)s.") % {"slot": slot.label},
                    "invalid_choice": _("Välj en av workshopparna under %(slot)s.")
                    % {"slot": slot.label},
                },
            )
            if current and slot.pk in current:
                self.initial[pass_field_name(slot)] = current[slot.pk]
        if change:
            # Changing keeps the address (it identifies the registration) and the consent given.
            del self.fields["email"]
            del self.fields["consent"]

    def pass_groups(self) -> list[PassGroup]:
        groups = []
        for slot in self.slots:
            field = self[pass_field_name(slot)]
            value = field.value()
            options = [
                WorkshopOption(
                    workshop=w,
                    seats_left=w.effective_capacity - w.seats_taken,
                    checked=str(value) == str(w.pk),
                )
                for w in self.workshops
                if w.slot_id == slot.pk
            ]
            groups.append(PassGroup(slot, field, options))
        return groups

    def chosen_workshops(self) -> list[Workshop]:
        by_id = {w.pk: w for w in self.workshops}
        return [by_id[self.cleaned_data[pass_field_name(slot)]] for slot in self.slots]


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-post"),
        max_length=254,
        error_messages={
            "required": _("Skriv din e-postadress."),
            "invalid": _("Skriv en giltig e-postadress, till exempel namn@kommun.se."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
