"""The organisers' programme forms. The checks they show live in registrations.services: a
change that would overbook a workshop or move people needs the organiser's confirmation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations import services

from .models import Room, Workshop


def confirm_overbooking_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Jag förstår att fler är anmälda än platserna"), required=False
    )


class ServiceChecksMixin:
    """Shows the services' refusals where the organiser acts on them (a refusal they may
    override at its confirmation box), after the model's own checks have built the changed
    (unsaved) instance."""

    # The boxes by which the organiser lifts a refusal.
    confirmations: tuple[str, ...] = ()

    def problems(self) -> list[services.RegistrationError]:
        raise NotImplementedError

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
