"""How messages write dates and lay out text, the same in dunning emails and notices."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from babel.dates import format_date

if TYPE_CHECKING:
    from datetime import date

# Languages with wording files, and how each writes a date: de "24.12.2026", en "24 December 2026".
LOCALES = {"de": ("de_DE", "medium"), "en": ("en_GB", "long")}
FALLBACK_LANGUAGE = "en"
_LAYOUT_WHITESPACE = re.compile(r"[ \t\r\n]+")


def format_day(day: date, language: str) -> str:
    locale, style = LOCALES[language]
    return str(format_date(day, format=style, locale=locale))


def squash(text: str) -> str:
    """Template indentation and line breaks collapse to single spaces."""
    return _LAYOUT_WHITESPACE.sub(" ", text).strip()


def tidy_lines(text: str) -> str:
    """No trailing spaces, at most one empty line between paragraphs, one newline at the end."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", lines) + "\n"
