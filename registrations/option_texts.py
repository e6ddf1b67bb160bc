"""The fixed text of a workshop's option in the registration and change forms.

A form shows every workshop of the day, and their titles, rooms, presenters and descriptions
were most of what rendering it cost; in a rush most answers are that form shown again. The
text is rendered once per process and kept, keyed by the text itself (and the pass and the
language; reglab.caches.kept_by_content), so an organiser's edit shows at once and nothing ever
needs clearing. What changes
from one request to the next (seats, ticked, disabled, whether it can be queued for) stays in
the template.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from reglab import caches
from workshops.languages import LocalisedText, swedish
from workshops.models import Workshop


@dataclass(frozen=True)
class OptionText:
    # The radio button's id and name ("pass_1-W3", "pass_1"), and the info line's id.
    input_id: str
    input_name: str
    info_id: str
    # Inside the option's <label>: the code and the title.
    label: SafeString
    # After the seats in the info line: " · room · presenters (organisation), …".
    info: SafeString
    # The "Ställ mig i kö" checkbox of a full workshop: its id, name and label.
    queue_id: str
    queue_name: str
    queue_label: str
    # The folded description.
    details: SafeString


def option_text(workshop: Workshop, *, input_name: str, queue_name: str) -> OptionText:
    # The form's workshops (selectors.workshops_to_show) carry the texts found for them so far.
    found = getattr(workshop, "option_texts", None)
    key = (get_language(), input_name, queue_name)
    if found is not None and key in found:
        return found[key]
    text = _option_text(workshop, key)
    if found is not None:
        found[key] = text
    return text


def _option_text(workshop: Workshop, key: tuple[str, str, str]) -> OptionText:
    language, input_name, queue_name = key
    presenters = tuple(
        (wp.presenter.name, wp.presenter.organisation) for wp in workshop.ordered_presenters()
    )
    return _rendered(
        language,
        input_name,
        queue_name,
        workshop.code,
        # With its language: an English page may show the Swedish text (lang="sv").
        _with_language(workshop.title_text),
        _with_language(workshop.description_text),
        workshop.room.name,
        presenters,
    )


def _with_language(text: LocalisedText) -> tuple[str, str]:
    return str(text), text.language


@caches.kept_by_content
def _rendered(
    language, input_name, queue_name, code, title, description, room, presenters
) -> OptionText:
    title, description = LocalisedText(*title), LocalisedText(*description)
    info = format_html(" · {}", room)
    if presenters:
        # Organisations are Swedish prose; the names are names.
        info += format_html(
            " · {}",
            format_html_join(", ", "{} ({})", ((name, swedish(org)) for name, org in presenters)),
        )
    return OptionText(
        input_id=f"{input_name}-{code}",
        input_name=input_name,
        info_id=f"{input_name}-{code}-info",
        label=format_html('<span class="workshop-code">{}</span> {}', code, title.html),
        info=info,
        queue_id=f"{queue_name}-{code}",
        queue_name=queue_name,
        queue_label=gettext("Ställ mig i kö till %(code)s") % {"code": code},
        details=format_html(
            '<details class="workshop-option-details"><summary>{}</summary>'
            '<p class="description"{}>{}</p></details>',
            gettext("Om %(code)s") % {"code": code},
            description.lang_attr,
            description,
        ),
    )
