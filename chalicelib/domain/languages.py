"""The languages Mahnwerk writes in, and which of them a debtor is written to in.

A debtor may speak any language; messages, notices and the pay page exist in SUPPORTED only, and
everyone else reads the FALLBACK. This module is the one place that list lives.
"""

from __future__ import annotations

import re

from babel import localedata

SUPPORTED: tuple[str, ...] = ("de", "en")  # every template, notice and pay-page text exists in each
FALLBACK = "en"
_ISO_639_1 = re.compile(r"^[a-z]{2}$")


def is_language(code: str) -> bool:
    """An ISO 639-1 code that names a real language (CLDR knows it): 'fr' is one, 'zz' is not."""
    return bool(_ISO_639_1.match(code)) and localedata.exists(code)


def written_in(language: str | None) -> str:
    """The language a debtor who speaks `language` is written to in."""
    return language if language in SUPPORTED else FALLBACK
