"""The registration form: personal details and one radio group per pass.

The form only checks the shape of the input (required fields, a known workshop id per pass).
The rules (one per pass, capacity, the registration window) are checked by the services; the
view puts their error next to the pass it concerns.
"""

from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reglab import caches, kept_frames
from reglab.kept_fields import crispy_field
from workshops.models import Event, TimeSlot, Workshop

from . import services
from .normalise import normalise_email, refuse_bad_characters
from .option_texts import OptionText, option_text
from .selectors import Seats, is_full


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

    @cached_property
    def seats(self) -> Seats:
        # Asked four times per option (left, full, disabled, can queue): counted once.
        return Seats.of(self.workshop)

    @property
    def seats_left(self) -> int:
        return self.seats.left

    @property
    def full(self) -> bool:
        return self.seats.full

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

    @property
    def html(self) -> SafeString:
        """The option as the form shows it: rendered once per process for each combination
        of its text and what this request decided (reglab.caches, 3.)."""
        return _option_html(
            get_language(),
            self.text,
            self.workshop.pk,
            seats_left=self.seats_left,
            full=self.full,
            checked=self.checked,
            disabled=self.disabled,
            can_queue=self.can_queue,
            queued=self.queued,
            queue_place=self.queue_place,
        )


@caches.kept_by_content
def _option_html(language: str, text: OptionText, pk: int, **shown) -> SafeString:
    return render_to_string(
        "registrations/includes/workshop_option.html", {"text": text, "option": {"pk": pk, **shown}}
    )


@dataclass
class PassGroup:
    slot: TimeSlot
    field: forms.BoundField
    options: list[WorkshopOption]

    def options_html(self) -> SafeString:
        return mark_safe("".join(option.html for option in self.options))


@dataclass
class _PassGroupInFrame:
    """A pass group as a kept form frame shows it: its options are a piece put in later."""

    slot: TimeSlot
    field: forms.BoundField
    options_html: str


def pass_field_name(number: int) -> str:
    """The input of pass `number`: the site's radio group, the admin's select."""
    return f"pass_{number}"


def queue_field_name(number: int) -> str:
    """The "Ställ mig i kö" checkboxes of a pass; their problems are shown at the pass."""
    return f"queue_{number}"


def _by_slot(workshops: list[Workshop]) -> dict[int, list[Workshop]]:
    """Each pass's workshops in the order given, the passes in the order they first come."""
    by_slot: dict[int, list[Workshop]] = {}
    for workshop in workshops:
        by_slot.setdefault(workshop.slot_id, []).append(workshop)
    return by_slot


class EmailAddressField(forms.EmailField):
    """An address normalised (registrations.normalise) before it is validated."""

    def to_python(self, value):
        return normalise_email(super().to_python(value))


def email_field(**kwargs) -> forms.EmailField:
    """The participant's address, with the same Swedish messages wherever it is asked for."""
    return EmailAddressField(
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
        validators=[refuse_bad_characters("name")],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = email_field(help_text=_("Hit skickar vi bekräftelsen och din personliga länk."))
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        error_messages={"required": _("Skriv vilken organisation du kommer från.")},
        validators=[refuse_bad_characters("organisation")],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    consent = forms.BooleanField(
        label=_("Jag godkänner att Reglab sparar mina uppgifter för den här konferensen."),
        error_messages={"required": _("Du behöver godkänna det för att kunna anmäla dig.")},
    )

    def __init__(
        self,
        *args,
        workshops,
        change=False,
        current=None,
        queued=None,
        queue_places=None,
        preselect: str | None = None,
        **kwargs,
    ):
        """`current` and `queued`: {slot id: workshop id} of the person's seats and queues;
        `queue_places`: {workshop id: their place in its queue}; `preselect`: a workshop's
        code ("W3", from a workshop's page) to start with chosen, or ticked to queue for when
        it is full."""
        super().__init__(*args, **kwargs)
        self.workshops = list(workshops)
        self.current = current or {}
        self.queued = dict(queued or {})
        self.queue_places = queue_places or {}
        self.queue_wishes: list[Workshop] = []
        by_slot = _by_slot(self.workshops)
        self.slots = [in_pass[0].slot for in_pass in by_slot.values()]
        for slot in self.slots:
            self.fields[pass_field_name(slot.number)] = forms.TypedChoiceField(
                label=str(slot),
                coerce=int,
                choices=[(w.pk, w.code) for w in by_slot[slot.pk]],
                widget=forms.RadioSelect,
                error_messages={
                    "required": services.missing_choice_message(slot),
                    "invalid_choice": _("Välj en av workshopparna under %(slot)s.")
                    % {"slot": slot.label},
                },
            )
            if current and slot.pk in current:
                self.initial[pass_field_name(slot.number)] = current[slot.pk]
        if preselect and not self.is_bound:
            self._preselect(preselect)
        if change:
            # Changing keeps the address (it identifies the registration) and the consent given.
            del self.fields["email"]
            del self.fields["consent"]

    def _preselect(self, code: str) -> None:
        workshop = next((w for w in self.workshops if w.code == code.strip().upper()), None)
        if workshop is None:
            return  # an old or mistyped link: the form as usual
        if is_full(workshop, workshop.seats_taken):
            self.queued.setdefault(workshop.slot_id, workshop.pk)
        else:
            self.initial.setdefault(pass_field_name(workshop.slot.number), workshop.pk)

    def pass_groups(self) -> list[PassGroup]:
        # From `workshops` as they are now: a view may put them in again, counted anew.
        by_slot = _by_slot(self.workshops)
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
                for w in by_slot.get(slot.pk, [])
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


# The person's details, in the order the registration form shows them.
DETAILS = ("name", "email", "organisation", "consent")
FORM_TEMPLATE = "registrations/includes/registration_form.html"


def registration_form_html(form: RegistrationForm, event: Event, *, token: str) -> SafeString:
    """The registration form (its template) for `form`, with `token` as its CSRF token.

    Rendered once per process for each shape (reglab.kept_frames): what it says (the language,
    the fields and their labels, the errors, the passes' texts) is the key; the token, each
    pass's options and the details as typed are the pieces put in per request, each of them
    kept on its own (WorkshopOption.html, reglab.kept_fields).
    """
    groups = form.pass_groups()
    pieces = [
        token,
        *(group.options_html() for group in groups),
        *(crispy_field(form[name]) for name in DETAILS if name in form.fields),
    ]
    shape = (
        FORM_TEMPLATE,
        get_language(),
        event.slug,
        form.auto_id,
        type(form),
        # A declared field's lazy label is the class's in this language; the passes' are text.
        tuple((name, _text_or_none(field.label)) for name, field in form.fields.items()),
        tuple((name, tuple(map(str, errors))) for name, errors in form.errors.items()),
        tuple((g.slot.pk, g.slot.label, g.slot.start_time, g.slot.end_time) for g in groups),
    )
    return kept_frames.filled(shape, lambda given: _render_form(form, event, groups, given), pieces)


def _text_or_none(label) -> str | None:
    return label if isinstance(label, str) else None


def _render_form(form, event, groups: list[PassGroup], pieces: list[str]) -> str:
    token, *rest = pieces
    options, details = rest[: len(groups)], rest[len(groups) :]
    context = {
        "event": event,
        "form": form,
        "csrf_token": token,
        "pass_groups": [
            _PassGroupInFrame(group.slot, group.field, html)
            for group, html in zip(groups, options, strict=True)
        ],
        "details": details,
    }
    return render_to_string(FORM_TEMPLATE, context)


class LinkRequestForm(forms.Form):
    email = email_field()


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


class WalkInForm(forms.Form):
    """Someone at the door who did not register: what the roster and the badge need."""

    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        error_messages={"required": _("Skriv personens namn.")},
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        error_messages={"required": _("Skriv personens organisation.")},
    )
    email = forms.EmailField(
        label=_("E-post (frivilligt)"),
        max_length=254,
        required=False,
        help_text=_("Med en adress får personen ett mejl med sin länk."),
        error_messages={"invalid": _("Skriv en e-postadress som namn@exempel.se, eller ingen.")},
    )
    consent = forms.BooleanField(
        label=_("Personen godkänner att Reglab sparar uppgifterna för konferensen"),
        error_messages={"required": _("Fråga personen om uppgifterna får sparas.")},
    )
    allow_over_capacity = forms.BooleanField(
        label=_("Lägg till över platsgränsen"),
        required=False,
        help_text=_("Workshoppen är full. Som arrangör kan du ändå ge personen en plats."),
    )

    def __init__(self, *args, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["allow_over_capacity"]
