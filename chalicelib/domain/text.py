"""Text a person typed, as Mahnwerk stores and sends it: printable, so every channel can carry it.

A NUL byte or an escape sequence in a debtor's name passes every length check, then breaks the call
step's speech markup, a letter's PDF or a merchant's log viewer far from where it came in. Control
characters are therefore refused at the boundary: in one-line fields (names, addresses, references) all
of them, in free text (a dispute, a message to the merchant) all but the line breaks and the tab a
textarea produces. Unpaired surrogates are refused as well: no UTF-8 encoder can write them.
"""

from __future__ import annotations

import unicodedata

from .errors import InvalidInputError

LINE_BREAKS = frozenset("\n\r\t")
_CONTROL = frozenset({"Cc", "Cs"})  # C0, DEL, C1; lone surrogates
_LINE_SEPARATORS = frozenset({"Zl", "Zp"})  # U+2028, U+2029: a line break where none may be


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character of `text` that has no place in it, or None when there is none."""
    for char in text:
        if multiline and char in LINE_BREAKS:
            continue
        category = unicodedata.category(char)
        if category in _CONTROL or (not multiline and category in _LINE_SEPARATORS):
            return char
    return None


def describe(char: str) -> str:
    """'U+0000', never the character itself: it would break the error message as it broke the field."""
    return f"U+{ord(char):04X}"


def require_printable(value: str | None, field: str, *, multiline: bool = False) -> None:
    """Refuse `value` naming `field` and the offending character's code point."""
    if value is None:
        return
    char = control_character(value, multiline=multiline)
    if char is not None:
        raise InvalidInputError(field, f"contains the control character {describe(char)}")
