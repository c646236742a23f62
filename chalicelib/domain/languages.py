"""The languages Mahnwerk writes in, and which of them a debtor is written to in.

A debtor may speak any language; messages, notices and the pay page exist in SUPPORTED only, and
everyone else reads the FALLBACK. This module is the one place that list lives.
"""

from __future__ import annotations

import re

from babel import localedata

# The CLDR locale each language is written in, for numbers, amounts and dates: German as in Germany, English as
# in Britain. Every template, notice and pay-page text exists in each of these languages.
LOCALES: dict[str, str] = {"de": "de_DE", "en": "en_GB"}
SUPPORTED: tuple[str, ...] = tuple(LOCALES)
FALLBACK = "en"
_ISO_639_1 = re.compile(r"^[a-z]{2}$")


def is_language(code: str) -> bool:
    """An ISO 639-1 code that names a real language (CLDR knows it): 'fr' is one, 'zz' is not."""
    return bool(_ISO_639_1.match(code)) and localedata.exists(code)


def written_in(language: str | None) -> str:
    """The language a debtor who speaks `language` is written to in."""
    return language if language in SUPPORTED else FALLBACK


def primary(code: str) -> str:
    """The language of a locale or language tag: 'de-DE', 'de_AT' and 'DE' are 'de'."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def locale_of(language: str | None) -> str:
    """The CLDR locale to write amounts and dates in, for a debtor who speaks `language`."""
    return LOCALES[written_in(language)]
