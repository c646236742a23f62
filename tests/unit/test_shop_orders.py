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


@pytest.mark.parametrize("text", ["1E30", "1E999999", "-1E999999", "10000000000.01"])
def test_an_amount_beyond_any_order_is_refused_not_turned_into_a_claim(text: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        to_minor(text, "EUR", "total")
    assert refused.value.field == "total"
    assert "more than any order" in refused.value.message


def test_a_digit_beyond_the_currency_far_down_the_decimals_is_refused_not_rounded_away() -> None:
    # 28 significant digits would survive Decimal's default precision; the 1 in the 31st place would be dropped
    with pytest.raises(InvalidInputError, match="more decimals"):
        to_minor("1.0000000000000000000000000000001", "EUR", "total")
    assert to_minor("100." + "0" * 60, "EUR", "total") == 10000
