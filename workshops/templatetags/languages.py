from django import template

from workshops import languages

register = template.Library()


@register.filter
def swedish(text):
    """Swedish prose without an English version: in <span lang="sv"> on an English page."""
    return languages.swedish(str(text))
