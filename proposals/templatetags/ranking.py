from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def ordinal(number: int) -> str:
    """A place as an ordinal in the active language: 1:a, 2:a, 3:e, 4:e… (1st, 2nd, 3rd, 4th…)."""
    if (get_language() or "sv").startswith("en"):
        if number % 100 in (11, 12, 13):
            return f"{number}th"
        return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"
    # Swedish: ":a" after numbers ending in 1 or 2 (but not 11, 12), else ":e".
    ending = ":a" if number % 10 in (1, 2) and number % 100 not in (11, 12) else ":e"
    return f"{number}{ending}"
