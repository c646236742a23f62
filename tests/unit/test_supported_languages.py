"""Every language in chalicelib.domain.languages is written everywhere the debtor reads: messages, notices, the page."""

from __future__ import annotations

from importlib import resources

import pytest

from chalicelib.domain.languages import SUPPORTED, written_in
from chalicelib.domain.money import Money
from chalicelib.messages.formatting import DATE_STYLES
from chalicelib.web import i18n

pytestmark = pytest.mark.unit
TEMPLATES = resources.files("chalicelib.messages") / "templates"


@pytest.mark.parametrize("language", SUPPORTED)
def test_a_supported_language_has_its_messages_notices_and_page_texts(language: str) -> None:
    assert (TEMPLATES / language / "wording.j2").is_file()
    assert (TEMPLATES / "notices" / f"{language}.j2").is_file()
    assert language in i18n.texts()
    assert language in i18n.LANGUAGE_NAMES
    assert language in DATE_STYLES


def test_amounts_are_written_in_the_readers_way_and_unknown_languages_in_the_fallbacks() -> None:
    amount = Money(123456, "EUR")

    assert [amount.format(code) for code in ("de", "en", "fr")] == ["1.234,56\xa0€", "€1,234.56", "€1,234.56"]
    assert written_in("fr") == "en"
