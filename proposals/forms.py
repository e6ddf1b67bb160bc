"""Input shape and field-level checks; the rules themselves live in proposals.services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.languages import CONTENT_LANGUAGE, page_language, swedish
from workshops.models import Event, Room, TimeSlot

from .models import OTHER_ORGANISATION, REGION_CHOICES, Proposal


def year_choices() -> list[tuple[int, int]]:
    # Regions propose for this year or the two after; older years are history.
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year, this_year + 3)]


class OrganisationSelect(forms.Select):
    """The regions and organisations are Swedish names: lang="sv" on their options on an
    English page (WCAG 3.1.2); the empty choice and "Annan organisation" are interface text."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value not in ("", OTHER_ORGANISATION) and page_language() != CONTENT_LANGUAGE:
            option["attrs"]["lang"] = CONTENT_LANGUAGE
        return option


class BootstrapMixin:
    """Bootstrap classes on every widget, and the invalid look on fields with errors, for a
    form whose template lays its inputs out itself (the points rows); crispy-forms renders
    the others, like the registration form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self):
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class ProposalForm(forms.Form):
    # Fields in the order the page shows them, so the error summary reads in that order too.
    title = forms.CharField(label=_("Titel"), max_length=300)
    format = forms.ChoiceField(
        label=_("Form"),
        choices=[("", _("Välj form"))] + list(Proposal.Format.choices),
        help_text=_("Välj ”Annat” om ingen av formerna passar och beskriv den nedan."),
    )
    year = forms.TypedChoiceField(
        label=_("År"),
        coerce=int,
        choices=year_choices,
        help_text=_("Det år aktiviteten föreslås för."),
    )
    description = forms.CharField(
        label=_("Beskrivning"),
        max_length=5000,
        help_text=_("Vad vill ni göra, och varför? Högst 5 000 tecken."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    region = forms.ChoiceField(
        label=_("Region eller organisation"),
        choices=[("", _("Välj region eller organisation")), *REGION_CHOICES],
        widget=OrganisationSelect,
        help_text=_("Finns ni inte i listan: välj ”Annan organisation” och skriv namnet nedan."),
    )
    other_organisation = forms.CharField(
        label=_("Annan organisation (om ni inte finns i listan)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    contact_email = forms.EmailField(
        label=_("Kontaktpersonens e-post (valfritt)"),
        max_length=254,
        required=False,
        help_text=_(
            "Vi skickar ett kvitto hit. När förslaget är publicerat visas adressen i listan "
            "så att andra regioner kan höra av sig."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = year_choices()[1][0]

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("region") == OTHER_ORGANISATION and not cleaned.get("other_organisation"):
            self.add_error(
                "other_organisation",
                _("Skriv organisationens namn, eller välj en region i listan."),
            )
        return cleaned


class FilterForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Form"),
        required=False,
        choices=[("", _("Alla former"))] + list(Proposal.Format.choices),
    )
    region = forms.ChoiceField(label=_("Region"), required=False, widget=OrganisationSelect)

    def __init__(self, *args, regions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Alla regioner")), *regions]


class PointsForm(BootstrapMixin, forms.Form):
    """One whole-number field per proposal in the round; the sum is checked by the service."""

    def __init__(self, *args, proposals, points_per_voter: int, initial_points: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = list(proposals)
        for proposal in self.proposals:
            self.fields[self.field_name(proposal)] = forms.IntegerField(
                label=swedish(proposal.title),
                required=False,
                min_value=0,
                max_value=points_per_voter,
                initial=initial_points.get(proposal.pk, 0),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
            )
        # BootstrapMixin styled the form before these fields existed.
        self.style_widgets()

    @staticmethod
    def field_name(proposal) -> str:
        return f"p{proposal.pk}"

    def rows(self):
        return [(proposal, self[self.field_name(proposal)]) for proposal in self.proposals]

    def points(self) -> dict[int, int]:
        return {p.pk: self.cleaned_data[self.field_name(p)] or 0 for p in self.proposals}


class VoterFormSet(forms.BaseInlineFormSet):
    """The round's voters: one invitation per address (the database holds it too, but the
    form says which address; two new rows are not checked against each other otherwise)."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            empty_extra = not form.has_changed() and form.instance.pk is None
            if empty_extra or self._should_delete_form(form):
                continue
            email = form.cleaned_data.get("email", "").casefold()
            if email and email in seen:
                form.add_error("email", _("Den här adressen finns redan bland deltagarna."))
            seen.add(email)


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, slot):
        return f"{slot.event.name}: {slot}"


class ConvertForm(forms.Form):
    """What the organiser picks when turning a proposal into a workshop."""

    event = forms.ModelChoiceField(label=_("Evenemang"), queryset=Event.objects.all())
    slot = SlotChoiceField(
        label=_("Pass"),
        queryset=TimeSlot.objects.select_related("event").order_by("event", "number"),
    )
    room = forms.ModelChoiceField(label=_("Lokal"), queryset=Room.objects.all())
