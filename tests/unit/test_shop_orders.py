"""The rules every shop system shares: amounts in minor units, phone numbers, languages."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.shop_orders import e164, language_of, to_minor

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("199.00", "EUR", 19900),
        ("0.5", "EUR", 50),
        ("1500", "JPY", 1500),
        ("1500.00", "JPY", 1500),
        ("1.005", "KWD", 1005),
    ],
)
def test_decimal_amounts_become_minor_units_by_the_currencys_precision(text: str, currency: str, minor: int) -> None:
    assert to_minor(text, currency, "amount") == minor


@pytest.mark.parametrize(("text", "currency"), [("1.005", "EUR"), ("12.5", "JPY"), ("abc", "EUR"), ("NaN", "EUR")])
def test_amounts_the_currency_cannot_hold_are_refused(text: str, currency: str) -> None:
    with pytest.raises(InvalidInputError):
        to_minor(text, currency, "amount")


def test_the_first_valid_phone_wins_and_none_gives_an_empty_number() -> None:
    assert e164(["", "555-555-SHIP", "0221 4710815"], "DE") == "+492214710815"
    assert e164(["555-555-SHIP", ""], "US") == ""


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de-DE", "de"), ("de_AT", "de"), ("en", "en"), ("EN-gb", "en"), ("fr", "nl"), ("", "nl")],
)
def test_the_locale_picks_german_or_english_else_the_tenants_language(locale: str, language: str) -> None:
    assert language_of(locale, "nl") == language
