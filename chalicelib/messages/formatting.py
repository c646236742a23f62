"""How messages write dates and lay out text, the same in dunning emails and notices."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from babel.dates import format_date

from chalicelib.domain.languages import locale_of, written_in

if TYPE_CHECKING:
    from datetime import date

# How each language writes a date, in messages and on the pay page alike: de "24.12.2026", en "24 December 2026".
DATE_STYLES = {"de": "medium", "en": "long"}
_LAYOUT_WHITESPACE = re.compile(r"[ \t\r\n]+")


def format_day(day: date, language: str) -> str:
    return str(format_date(day, format=DATE_STYLES[written_in(language)], locale=locale_of(language)))


def squash(text: str) -> str:
    """Template indentation and line breaks collapse to single spaces."""
    return _LAYOUT_WHITESPACE.sub(" ", text).strip()


def tidy_lines(text: str) -> str:
    """No trailing spaces, at most one empty line between paragraphs, one newline at the end."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", lines) + "\n"
