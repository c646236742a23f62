"""The rules every new claim meets, from the API or any shop: printable text, a real language, dates in range."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain.claim_intake import check_new_claim, date_bounds
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.text import control_character
from tests.factories import make_debtor

pytestmark = pytest.mark.unit

TODAY = date(2026, 12, 1)


def refused(**changes: Any) -> InvalidInputError:
    claim: dict[str, Any] = {
        "external_id": "shopify:820982911946154508",
        "debtor": make_debtor(),
        "due_date": TODAY,
        "invoice_date": TODAY - timedelta(days=14),
        "description": "Order #1001",
        "today": TODAY,
    }
    with pytest.raises(InvalidInputError) as caught:
        check_new_claim(**(claim | changes))
    return caught.value


def accepted(**changes: Any) -> None:
    claim: dict[str, Any] = {
        "external_id": "INV-1",
        "debtor": make_debtor(),
        "due_date": TODAY,
        "invoice_date": None,
        "description": None,
        "today": TODAY,
    }
    check_new_claim(**(claim | changes))


@pytest.mark.parametrize("field", ["name", "email", "phone", "country"])
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\n", "\t", "\u2028", "\ud800"], ids=repr)
def test_a_control_character_in_any_debtor_field_is_refused_naming_the_field(field: str, char: str) -> None:
    error = refused(debtor=make_debtor(**{field: f"Eri{char}ka"}))

    assert error.field == f"debtor.{field}"
    assert f"U+{ord(char):04X}" in error.message
    assert char not in error.message


def test_a_control_character_in_the_description_or_external_id_is_refused() -> None:
    assert refused(description="Order\x00 #1001").field == "description"
    assert refused(external_id="shopify:82\x0b0").field == "external_id"


@pytest.mark.parametrize("name", ["Jürgen Weiß-Müller", "محمد بن سلمان", "José 🌵 García", "Ørsted A/S  (Kbh.)"])
def test_names_in_any_script_pass(name: str) -> None:
    accepted(debtor=make_debtor(name=name))


def test_a_made_up_language_is_refused_and_a_real_one_passes() -> None:
    assert refused(debtor=make_debtor(language="zz")).field == "debtor.language"
    accepted(debtor=make_debtor(language="fr"))


@pytest.mark.parametrize("due", [date(9999, 12, 31), date(1, 1, 1), date(2062, 12, 1), date(2016, 11, 30)], ids=str)
def test_a_due_date_outside_ten_years_back_and_one_year_ahead_is_refused(due: date) -> None:
    error = refused(due_date=due, invoice_date=None)

    assert error.field == "due_date"
    assert due.isoformat() in error.message


def test_the_first_and_last_allowed_days_pass() -> None:
    earliest, latest = date_bounds(TODAY)

    assert (earliest, latest) == (date(2016, 12, 1), date(2027, 12, 2))
    accepted(due_date=earliest, invoice_date=earliest)
    accepted(due_date=latest, invoice_date=latest)


def test_ten_years_before_the_29th_of_february_is_the_28th() -> None:
    assert date_bounds(date(2028, 2, 29))[0] == date(2018, 2, 28)


def test_an_invoice_date_out_of_range_or_after_the_due_date_is_refused() -> None:
    assert refused(invoice_date=date(1900, 1, 1)).field == "invoice_date"
    late = refused(invoice_date=TODAY + timedelta(days=1))
    assert (late.field, late.message) == ("invoice_date", "must not be after due_date")


def test_free_text_keeps_line_breaks_and_tabs_but_no_other_control_character() -> None:
    assert control_character("Line 1\r\nLine 2\tend", multiline=True) is None
    assert control_character("Line 1\r\nLine 2", multiline=False) == "\r"
    assert control_character("bell\x07", multiline=True) == "\x07"
