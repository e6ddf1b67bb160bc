from django import template

from reglab.kept_fields import crispy_field

register = template.Library()


@register.filter
def as_kept_field(bound_field):
    """`|as_crispy_field`, the same HTML, rendered once per process for each shape of the field
    (reglab.kept_fields)."""
    return crispy_field(bound_field)
