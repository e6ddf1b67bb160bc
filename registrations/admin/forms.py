"""The organisers' forms: a registration, a workshop, a room.

They check the input's shape; the rules are the services'. A registration's form shows the
services' refusal at saving time; the workshop and room forms also run the services' checks
of a change (a change that would overbook a workshop or move people needs the organiser's
confirmation) before saving.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations import services
from registrations.forms import pass_field_name
from registrations.models import Registration
from registrations.selectors import with_seats_taken
from workshops.models import Event, Room, TimeSlot, Workshop

from .refusals import RefusableForm


def admin_pass_numbers(events) -> list[int]:
    """The pass numbers the admin form has a select for (1–3 for the conference day)."""
    return sorted(set(TimeSlot.objects.filter(event__in=events).values_list("number", flat=True)))


class RegistrationAdminForm(RefusableForm, forms.ModelForm):
    """The admin's form: personal details, one workshop per pass, and the organiser's override.

    It writes nothing itself (no model fields): RegistrationAdmin.save_model hands the input to
    the services, which apply the one-per-pass rule and capacity exactly as on the site.
    When they refuse, `refused` (see RefusableForm) is shown at the pass it concerns.
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
