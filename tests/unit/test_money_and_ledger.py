"""Money is integer minor units of an ISO 4217 currency; the ledger derives what a debtor still owes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.domain.errors import CurrencyMismatchError, InvalidInputError
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.money import Money, validate_currency

pytestmark = pytest.mark.unit


def plain_spaces(text: str) -> str:
    """Babel separates amount and symbol with a (narrow) no-break space; compare as a reader sees it."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


# --- Money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [12.5, 100.0, Decimal("1.00"), "100", None])
def test_money_refuses_an_amount_that_is_not_an_integer(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [True, False])
def test_money_refuses_a_bool_although_python_counts_it_as_an_int(amount: bool) -> None:
    with pytest.raises(TypeError):
        Money(amount, "EUR")


def test_money_of_one_currency_adds_and_subtracts_in_minor_units() -> None:
    assert Money(1050, "EUR") + Money(250, "EUR") == Money(1300, "EUR")
    assert Money(1050, "EUR") - Money(1100, "EUR") == Money(-50, "EUR")


def test_zero_money_keeps_its_currency() -> None:
    assert Money.zero("JPY") == Money(0, "JPY")
    assert Money.zero("JPY") != Money.zero("EUR")


@pytest.mark.parametrize("combine", [Money.__add__, Money.__sub__], ids=["add", "subtract"])
def test_money_of_different_currencies_cannot_be_combined(combine) -> None:
    with pytest.raises(CurrencyMismatchError):
        combine(Money(100, "EUR"), Money(100, "USD"))


def test_money_of_different_currencies_cannot_be_compared() -> None:
    with pytest.raises(CurrencyMismatchError):
        _ = Money(100, "JPY") > Money(99, "EUR")


@pytest.mark.parametrize("code", ["EUR", "USD", "GBP", "CHF", "JPY", "PLN", "SEK"])
def test_known_iso_4217_codes_are_accepted(code: str) -> None:
    assert validate_currency(code) == code


@pytest.mark.parametrize("code", ["XXX", "XAU", "XTS", "EURO", "eur", "EU", "ABC", ""])
def test_testing_codes_metals_misspellings_and_lower_case_are_rejected_naming_the_currency_field(code: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate_currency(code)
    assert caught.value.field == "currency"


def test_german_format_puts_the_euro_sign_after_a_decimal_comma() -> None:
    assert plain_spaces(Money(12345, "EUR").format("de")) == "123,45 €"
    assert plain_spaces(Money(123456, "EUR").format("de")) == "1.234,56 €"


def test_english_format_puts_the_euro_sign_before_a_decimal_point() -> None:
    assert Money(12345, "EUR").format("en") == "€123.45"
    assert Money(123456, "EUR").format("en") == "€1,234.56"


def test_a_few_cents_keep_the_leading_zero() -> None:
    assert plain_spaces(Money(5, "EUR").format("de")) == "0,05 €"


def test_yen_have_no_minor_unit_so_they_format_without_cents() -> None:
    # GIVEN 1234 minor units of JPY, which has 0 decimals: that is ¥1,234, not ¥12.34
    yen = Money(1234, "JPY")
    # THEN
    assert plain_spaces(yen.format("de")) == "1.234 ¥"
    assert yen.format("en").endswith("1,234")
    assert "12.34" not in yen.format("en")


def test_a_language_without_its_own_format_falls_back_to_english() -> None:
    assert Money(12345, "EUR").format("fr") == Money(12345, "EUR").format("en")


# --- Ledger --------------------------------------------------------------------------------------


def test_balance_is_principal_plus_fees_plus_interest_minus_payments() -> None:
    ledger = Ledger("EUR", principal=10000, fees=250, interest=45, paid=3000)
    assert ledger.total_due == 10295
    assert ledger.balance == 7295
    assert not ledger.settled


def test_a_partial_payment_lowers_the_balance_without_settling_it() -> None:
    # GIVEN
    ledger = Ledger("EUR", principal=12345)
    # WHEN
    after = ledger.with_payment(5000)
    # THEN
    assert after.paid == 5000
    assert after.balance == 7345
    assert after.overpaid == 0
    assert not after.settled
    assert ledger.balance == 12345, "the ledger is a value: the original is unchanged"


def test_paying_exactly_the_balance_settles_the_claim() -> None:
    ledger = Ledger("EUR", principal=12345).with_payment(12345)
    assert ledger.balance == 0
    assert ledger.overpaid == 0
    assert ledger.settled


def test_an_over_payment_is_recorded_as_overpaid_and_the_balance_never_goes_negative() -> None:
    # GIVEN a claim of 100.00 with 2.50 fees
    ledger = Ledger("EUR", principal=10000, fees=250)
    # WHEN the debtor pays 120.00
    after = ledger.with_payment(12000)
    # THEN nothing is owed and the 17.50 surplus is kept for a refund
    assert after.balance == 0
    assert after.overpaid == 1750
    assert after.paid == 12000
    assert after.settled


def test_payments_accumulate() -> None:
    ledger = Ledger("EUR", principal=10000).with_payment(3000).with_payment(4000)
    assert ledger.paid == 7000
    assert ledger.balance == 3000


def test_charges_add_to_the_balance() -> None:
    # GIVEN a half-paid claim
    ledger = Ledger("EUR", principal=10000, paid=5000)
    # WHEN the final notice books a fee and interest
    charged = ledger.with_charges(fees=250, interest=45)
    # THEN
    assert (charged.fees, charged.interest) == (250, 45)
    assert charged.total_due == 10295
    assert charged.balance == 5295


def test_charges_on_a_settled_claim_reopen_a_balance() -> None:
    ledger = Ledger("EUR", principal=10000, paid=10000).with_charges(interest=30)
    assert ledger.balance == 30
    assert not ledger.settled


def test_the_ledger_speaks_money_in_its_own_currency() -> None:
    assert Ledger("CHF", principal=100).money(2500) == Money(2500, "CHF")


def test_a_refund_takes_back_paid_money_but_never_more_than_was_paid() -> None:
    ledger = Ledger(currency="EUR", principal=5000, paid=5000)

    assert ledger.with_reversal(2000).balance == 2000
    assert ledger.with_reversal(9000).paid == 0


def test_a_credit_lowers_the_principal_but_never_below_nothing() -> None:
    ledger = Ledger(currency="EUR", principal=5000, fees=250)

    assert ledger.with_credit(1000).balance == 4250
    assert ledger.with_credit(9000).principal == 0
