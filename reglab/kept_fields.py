"""A form field as crispy-forms renders it, rendered once per process for each shape.

crispy's field template is most of what showing a form again costs (about 1.5 ms a field,
against well under 0.1 ms to fill in a kept copy), and in a rush most answers are the
registration form shown again. The HTML is kept by its content (reglab.caches, 3.): the
form's class and prefix, the field's name, label, help text and widget attributes, the
language, the errors and whether a value or a tick is shown. The value itself is never part
of the key: the field is rendered with a marker as its value (reglab.kept_frames), where this
request's value goes, escaped as the widget escapes it. The output is the same as
crispy's, byte for byte (tests/test_kept_fields.py).

Fields whose value is not a single attribute (selects, radios, text areas) are rendered by
crispy every time.
"""

import copy

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from . import caches, kept_frames

# Widgets whose value is the one `value` attribute of a single <input> (Django's Input).
_VALUE_WIDGETS = (forms.TextInput, forms.EmailInput, forms.NumberInput, forms.URLInput)


def crispy_field(bound_field: forms.BoundField) -> SafeString:
    widget = bound_field.field.widget
    errors = tuple(str(error) for error in bound_field.errors)
    if isinstance(widget, forms.CheckboxInput):
        ticked = widget.check_test(bound_field.value())
        return _kept(_shape(bound_field, errors), bound_field, "on" if ticked else None)
    if type(widget) in _VALUE_WIDGETS:
        value = widget.format_value(bound_field.value())
        if value is None:
            return _kept(_shape(bound_field, errors), bound_field, "")
        return kept_frames.filled(
            ("crispy-field", _shape(bound_field, errors)),
            lambda given: _rendered_with(bound_field, given[0]),
            [conditional_escape(value)],
        )
    return as_crispy_field(bound_field)


def _shape(bound_field: forms.BoundField, errors: tuple[str, ...]) -> tuple:
    form, field = bound_field.form, bound_field.field
    return (
        type(form),
        form.prefix,
        form.auto_id,
        form.use_required_attribute,
        bound_field.html_name,
        str(field.label),
        str(field.help_text),
        field.required,
        field.disabled,
        tuple(sorted((k, str(v)) for k, v in bound_field.build_widget_attrs({}).items())),
        tuple(sorted((k, str(v)) for k, v in field.widget.attrs.items())),
        type(field.widget),
        get_language(),
        errors,
    )


def _kept(shape: tuple, bound_field: forms.BoundField, sent: str | None) -> SafeString:
    # Only the key decides what is built; the bound field is how to build it the first time.
    return _rendered(shape, sent, caches.Unkeyed(bound_field))


@caches.kept_by_content
def _rendered(shape: tuple, sent: str | None, bound: caches.Unkeyed) -> SafeString:
    return _rendered_with(bound.value, sent)


def _rendered_with(bound_field: forms.BoundField, sent: str | None) -> SafeString:
    """The field as crispy renders it when `sent` was sent for it (None: nothing)."""
    placeholder = copy.copy(bound_field.form)
    # The same errors (the original's, already computed), and only `sent` as the data.
    placeholder._errors = bound_field.form.errors
    placeholder._bound_fields_cache = {}
    placeholder.is_bound = True
    placeholder.initial = {}
    data = {bound_field.html_name: [sent]} if sent is not None else {}
    placeholder.data, placeholder.files = MultiValueDict(data), MultiValueDict()
    return as_crispy_field(placeholder[bound_field.name])
