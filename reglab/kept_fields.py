"""A form field as crispy-forms renders it, rendered once per process for each shape.

crispy's field template is most of what showing a form again costs (about 1.5 ms a field,
against well under 0.1 ms to fill in a kept copy), and in a rush most answers are the
registration form shown again. The HTML is kept by its content (reglab.caches, 3.): the
form's class and prefix, the field's name, label, help text and widget attributes, the
language, the errors and whether a value or a tick is shown. The value itself is never part
of the key: the field is rendered with a random placeholder as its value, which is replaced
by this request's value, escaped as the widget escapes it. The output is the same as
crispy's, byte for byte (tests/test_kept_fields.py).

Fields whose value is not a single attribute (selects, radios, text areas) are rendered by
crispy every time.
"""

import copy
import secrets

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import caches

# Random per process, so no label, help text or error can contain it.
_VALUE_SLOT = f"value-{secrets.token_hex(16)}"

# Widgets whose value is the one `value` attribute of a single <input> (Django's Input).
_VALUE_WIDGETS = (forms.TextInput, forms.EmailInput, forms.NumberInput, forms.URLInput)


def crispy_field(bound_field: forms.BoundField) -> SafeString:
    widget = bound_field.field.widget
    errors = tuple(str(error) for error in bound_field.errors)
    if isinstance(widget, forms.CheckboxInput):
        ticked = widget.check_test(bound_field.value())
        return _kept(_shape(bound_field, errors), bound_field, ticked)
    if type(widget) in _VALUE_WIDGETS:
        value = widget.format_value(bound_field.value())
        html = _kept(_shape(bound_field, errors), bound_field, value is not None)
        if value is None:
            return html
        return mark_safe(html.replace(_VALUE_SLOT, conditional_escape(value)))
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


def _kept(shape: tuple, bound_field: forms.BoundField, shown: bool) -> SafeString:
    # Only the key decides what is built; the bound field is how to build it the first time.
    return _rendered(shape, shown, caches.Unkeyed(bound_field))


@caches.kept_by_content
def _rendered(shape: tuple, shown: bool, bound: caches.Unkeyed) -> SafeString:
    bound_field = bound.value
    placeholder = copy.copy(bound_field.form)
    # The same errors (the original's, already computed), a value that is only the slot.
    placeholder._errors = bound_field.form.errors
    placeholder._bound_fields_cache = {}
    placeholder.is_bound = True
    placeholder.initial = {}
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        data = {bound_field.html_name: ["on"]} if shown else {}
    else:
        data = {bound_field.html_name: [_VALUE_SLOT if shown else ""]}
    placeholder.data, placeholder.files = MultiValueDict(data), MultiValueDict()
    return as_crispy_field(placeholder[bound_field.name])
