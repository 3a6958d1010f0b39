"""Validators shared by every app's models and forms."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Explicit direction embeddings, overrides and isolates (Unicode bidi algorithm, X1-X9):
# text holding them can display in another order than it is stored ("Trojan Source").
# The marks U+200E and U+200F are left alone: mixed Arabic and Latin text needs them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_characters(value):
    """The characters of value that have no place in one line of text: control
    characters (line breaks, tabs, NUL, C1 controls), line and paragraph separators and
    bidi controls, each once, in the order met."""
    found = []
    for char in value:
        if (
            char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Zl", "Zp")
        ) and char not in found:
            found.append(char)
    return found


@deconstructible
class SingleLineValidator:
    """Refuses what would break a header or a CSV row, or hide text from a reader: a
    name, a title, a subject or a list name is one line of visible text."""

    message = _(
        "Write this on one line, without line breaks, tabs, control characters or "
        "text-direction overrides."
    )
    code = "single_line"

    def __call__(self, value):
        if value is None:
            return
        found = unsafe_characters(str(value))
        if found:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"characters": ", ".join(f"U+{ord(char):04X}" for char in found)},
            )

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)


single_line = SingleLineValidator()
