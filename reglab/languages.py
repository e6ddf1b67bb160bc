"""The languages the site speaks (settings.LANGUAGES), and which one a person gets.

A registration keeps the language its person registered in (`Registration.language`); every
e-mail to them is written in it, whatever language the worker that sends it runs in.
"""

from django.conf import settings
from django.utils import translation


def supported(code: str | None) -> str:
    """`code` as one of settings.LANGUAGES ("en-gb" is "en"); the site's own language for
    anything else."""
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def current() -> str:
    """The language of the request (or task) running now, as one of settings.LANGUAGES."""
    return supported(translation.get_language())
