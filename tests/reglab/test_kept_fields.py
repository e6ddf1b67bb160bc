"""Kept field HTML (reglab.kept_fields) is crispy's, byte for byte, whatever the value."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.http import QueryDict
from django.utils import translation

from registrations import selectors
from registrations.forms import RegistrationForm
from reglab import kept_fields

FIELDS = ("name", "email", "organisation", "consent")


def _form(event, data=None, **kwargs):
    if data is not None:
        posted = QueryDict(mutable=True)
        posted.update(data)
        data = posted
    form = RegistrationForm(data, workshops=selectors.workshops_to_show(event), **kwargs)
    if data is not None:
        form.is_valid()
    return form


CASES = [
    None,
    {},
    {"name": "Anna Berg", "email": "anna@kommun.se", "organisation": "Kommunen", "consent": "on"},
    {"name": "A<b>\"&' x", "email": "not an address", "organisation": "<script>", "consent": ""},
    {"name": "  ", "email": "", "organisation": "O" * 201},
    {"name": "Zoë\u202e", "email": "z@e.se", "organisation": "Ö & Å"},
]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("data", CASES)
def test_a_kept_field_is_crispys_html_byte_for_byte(programme, data, language):
    with translation.override(language):
        # Twice each: the first builds the kept shape, the second fills it in.
        for _ in range(2):
            form = _form(programme, data)
            for name in FIELDS:
                assert kept_fields.crispy_field(form[name]) == as_crispy_field(form[name])


def test_another_value_in_the_same_shape_is_its_own(programme):
    first = _form(programme, {"name": "Anna", "email": "a@b.se", "organisation": "X"})
    second = _form(programme, {"name": "Bertil", "email": "b@b.se", "organisation": "Y"})
    assert 'value="Anna"' in kept_fields.crispy_field(first["name"])
    html = kept_fields.crispy_field(second["name"])
    assert 'value="Bertil"' in html and "Anna" not in html


def test_a_value_is_escaped_as_the_widget_escapes_it(programme):
    form = _form(
        programme, {"name": '"><script>alert(1)</script>', "email": "", "organisation": ""}
    )
    html = kept_fields.crispy_field(form["name"])
    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_the_change_form_without_address_and_consent(programme):
    form = _form(programme, {"name": "Anna", "organisation": ""}, change=True)
    for name in ("name", "organisation"):
        assert kept_fields.crispy_field(form[name]) == as_crispy_field(form[name])
