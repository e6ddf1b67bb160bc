"""What a person types, made comparable and safe to store: the one home for both rules.

- An e-mail address is normalised before it is compared or stored, so one mailbox is one
  person: NFKC (a fullwidth "ｅ" is an "e"), invisible format characters removed (a soft
  hyphen or a zero-width space is not part of any address, but mail servers drop them and
  deliver to the address without them), surrounding spaces and the domain's case dropped.
  The local part keeps its case (the database compares addresses case-insensitively anyway).
- Names and organisations are stored as typed, but control characters (CR/LF and friends,
  which break e-mail headers, CSV rows and rosters) and the bidirectional overrides and
  isolates (which make "Anna" display as something else) are refused with a Swedish message.

The site's and the organisers' forms use these for their fields; the services apply them
again, so no caller can store an address or a name that bypasses them. Addresses stored
before this rule are not rewritten (no data migration): they were accepted as typed, and
an organiser can correct one in the admin.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates).
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))

BAD_CHARACTERS_MESSAGES = {
    "name": _(
        "Namnet innehåller otillåtna tecken, till exempel en radbrytning. Skriv det på en rad."
    ),
    "organisation": _(
        "Organisationen innehåller otillåtna tecken, till exempel en radbrytning. "
        "Skriv den på en rad."
    ),
}


def normalise_email(value: str) -> str:
    """The address as it is compared and stored (see the module's docstring)."""
    value = unicodedata.normalize("NFKC", value)
    value = "".join(c for c in value if unicodedata.category(c) != "Cf").strip()
    local, at, domain = value.rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else value


def has_bad_characters(value: str) -> bool:
    """Control characters (category Cc: CR, LF, tab, NUL …) or bidi overrides/isolates."""
    return any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in value)


def bad_characters_message(field: str) -> str:
    return str(BAD_CHARACTERS_MESSAGES[field])


def refuse_bad_characters(field: str):
    """A form field validator for `field` ("name" or "organisation")."""

    def validate(value: str) -> None:
        if has_bad_characters(value):
            raise ValidationError(BAD_CHARACTERS_MESSAGES[field], code="bad_characters")

    return validate
