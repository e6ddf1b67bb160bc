"""Which text a page shows for the active language: the one home of that rule.

The programme is written in Swedish; organisers may add English titles and descriptions. An
English page shows the English text when there is one, else the Swedish text marked with
lang="sv" on its element, so a screen reader reads it as Swedish (WCAG 3.1.2, language of parts).
"""

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from reglab import languages

# The language the organisers write the programme in (and the interface's source strings).
CONTENT_LANGUAGE = "sv"


def page_language() -> str:
    return languages.current()


def lang_attr(language: str) -> SafeString:
    """' lang="sv"' for text in another language than the page's, else nothing."""
    return format_html(' lang="{}"', language) if language != page_language() else mark_safe("")


class LocalisedText(str):
    """The text to show, knowing its language: `{{ t }}` and `<p{{ t.lang_attr }}>`."""

    language: str

    def __new__(cls, text: str, language: str):
        self = super().__new__(cls, text)
        self.language = language
        return self

    @property
    def lang_attr(self) -> SafeString:
        return lang_attr(self.language)

    @property
    def html(self) -> SafeString:
        """Inline: the text, in <span lang="sv"> when that is not the page's language."""
        if self.language == page_language():
            return conditional_escape(str(self))
        return format_html("<span{}>{}</span>", self.lang_attr, str(self))


def localised(swedish: str, english: str) -> LocalisedText:
    """The English text on English pages when an organiser wrote one, else the Swedish."""
    if page_language() == "en" and english:
        return LocalisedText(english, "en")
    return LocalisedText(swedish, CONTENT_LANGUAGE)


class InLanguage:
    """`workshop.title_text`: the field or its `_en` twin, as `localised` chooses for the page."""

    def __init__(self, field: str):
        self.field = field

    def __get__(self, instance, owner=None) -> LocalisedText:
        if instance is None:
            return self
        return localised(getattr(instance, self.field), getattr(instance, f"{self.field}_en"))


def swedish(text: str) -> SafeString:
    """Swedish prose that has no English version (organisations, job titles, a venue)."""
    return LocalisedText(text, CONTENT_LANGUAGE).html
