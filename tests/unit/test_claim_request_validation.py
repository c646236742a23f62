"""A new claim's request body: what passes, how it is normalised, and which field each rejection names."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pydantic
import pytest

from chalicelib.api.schemas import new_claim_command
from chalicelib.contracts.claims import ClaimIn
from chalicelib.domain.debtor import DebtorKind
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.money import MAX_AMOUNT

pytestmark = pytest.mark.unit


def body(**overrides: Any) -> dict[str, Any]:
    debtor = {
        "name": "Erika Mustermann",
        "email": "erika@example.com",
        "phone": "0151 12345678",
        "language": "de",
        "kind": "consumer",
        "country": "DE",
    }
    debtor.update(overrides.pop("debtor", {}))
    request: dict[str, Any] = {
        "external_id": "INV-2026-0042",
        "debtor": debtor,
        "amount": 12345,
        "currency": "EUR",
        "due_date": "2026-11-02",
        "description": "Order 4711: garden chairs",
    }
    request.update(overrides)
    return request


def validate(request: dict[str, Any]) -> ClaimIn:
    return ClaimIn.model_validate_json(json.dumps(request))


def rejected_fields(request: dict[str, Any] | str) -> list[tuple[int | str, ...]]:
    raw = request if isinstance(request, str) else json.dumps(request)
    with pytest.raises(pydantic.ValidationError) as caught:
        ClaimIn.model_validate_json(raw)
    return [error["loc"] for error in caught.value.errors()]


# --- valid bodies -------------------------------------------------------------------------------


def test_a_valid_body_passes_and_the_phone_is_normalised_to_e164() -> None:
    claim = validate(body())
    assert claim.debtor.phone == "+4915112345678"
    assert claim.amount == 12345
    assert claim.currency == "EUR"
    assert claim.due_date == date(2026, 11, 2)


def test_a_phone_already_in_international_form_keeps_its_number() -> None:
    assert validate(body(debtor={"phone": "+44 20 7946 0958", "country": "GB"})).debtor.phone == "+442079460958"


def test_the_validated_body_becomes_the_create_claim_command() -> None:
    # GIVEN a business debtor with history and an opt-out
    request = body(debtor={"kind": "business", "customer_since": "2020-05-01", "opt_outs": ["sms"]})
    # WHEN
    command = new_claim_command(validate(request))
    # THEN
    assert command.external_id == "INV-2026-0042"
    assert command.amount == 12345
    assert command.due_date == date(2026, 11, 2)
    assert command.debtor.kind == DebtorKind.BUSINESS
    assert command.debtor.customer_since == date(2020, 5, 1)
    assert command.debtor.opt_outs == frozenset({"sms"})
    assert command.debtor.phone == "+4915112345678"


def test_surrounding_whitespace_is_stripped() -> None:
    claim = validate(body(external_id="  INV-7  ", debtor={"name": " Erika "}))
    assert claim.external_id == "INV-7"
    assert claim.debtor.name == "Erika"


def test_the_description_is_optional() -> None:
    request = body()
    del request["description"]
    assert validate(request).description is None


# --- invalid bodies name the field --------------------------------------------------------------


def test_a_missing_external_id_is_named() -> None:
    request = body()
    del request["external_id"]
    assert rejected_fields(request) == [("external_id",)]


@pytest.mark.parametrize("external_id", ["", "   ", "ÄÖÜ-1", "x" * 129], ids=["empty", "blank", "non-ascii", "long"])
def test_a_bad_external_id_is_named(external_id: str) -> None:
    assert rejected_fields(body(external_id=external_id)) == [("external_id",)]


@pytest.mark.parametrize(
    "amount",
    [0, -100, 12.5, 100.0, "100", True, None, MAX_AMOUNT + 1],
    ids=["zero", "negative", "float", "whole-float", "string", "bool", "null", "too-large"],
)
def test_an_amount_that_is_not_a_positive_integer_of_minor_units_is_named(amount: object) -> None:
    assert rejected_fields(body(amount=amount)) == [("amount",)]


def test_the_largest_allowed_amount_passes() -> None:
    assert validate(body(amount=MAX_AMOUNT)).amount == MAX_AMOUNT


@pytest.mark.parametrize("currency", ["ABC", "XXX", "eur", "EURO", "€", 978])
def test_an_unknown_or_misspelt_currency_is_named(currency: object) -> None:
    assert rejected_fields(body(currency=currency)) == [("currency",)]


@pytest.mark.parametrize("email", ["not-an-email", "erika@", "@example.com", ""])
def test_a_bad_email_is_named(email: str) -> None:
    assert rejected_fields(body(debtor={"email": email})) == [("debtor", "email")]


@pytest.mark.parametrize("phone", ["call me", "0151", "+49 1", "+49 30 12"], ids=repr)
def test_a_bad_phone_raises_invalid_input_naming_debtor_phone(phone: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate(body(debtor={"phone": phone}))
    assert caught.value.field == "debtor.phone"


def test_a_phone_too_short_to_be_one_is_named() -> None:
    assert rejected_fields(body(debtor={"phone": "12"})) == [("debtor", "phone")]


@pytest.mark.parametrize("due_date", ["2026-13-01", "2026-02-30", "02.11.2026", "tomorrow", 20261102])
def test_a_bad_due_date_is_named(due_date: object) -> None:
    assert rejected_fields(body(due_date=due_date)) == [("due_date",)]


@pytest.mark.parametrize("kind", ["robot", "Consumer", "", None])
def test_an_unknown_debtor_kind_is_named(kind: object) -> None:
    assert rejected_fields(body(debtor={"kind": kind})) == [("debtor", "kind")]


@pytest.mark.parametrize(("field", "value"), [("country", "XX"), ("country", "de"), ("language", "deu")])
def test_an_unknown_country_or_language_is_named(field: str, value: str) -> None:
    assert rejected_fields(body(debtor={field: value})) == [("debtor", field)]


def test_an_unknown_opt_out_channel_is_named() -> None:
    locs = rejected_fields(body(debtor={"opt_outs": ["fax"]}))
    assert locs == [("debtor", "opt_outs", 0)]


def test_an_extra_unknown_field_is_named() -> None:
    assert rejected_fields(body(amount_eur=123.45)) == [("amount_eur",)]


def test_an_extra_unknown_debtor_field_is_named() -> None:
    assert rejected_fields(body(debtor={"iban": "DE89370400440532013000"})) == [("debtor", "iban")]


def test_every_bad_field_is_named_at_once() -> None:
    locs = rejected_fields(body(amount=0, currency="ABC", due_date="2026-13-01"))
    assert sorted(locs) == [("amount",), ("currency",), ("due_date",)]


@pytest.mark.parametrize("raw", ["not json", "", "{", '{"amount": 1,}'], ids=["text", "empty", "truncated", "comma"])
def test_a_body_that_is_not_json_is_rejected(raw: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        ClaimIn.model_validate_json(raw)
    assert caught.value.errors()[0]["type"] == "json_invalid"


def test_a_json_body_that_is_not_an_object_is_rejected() -> None:
    assert rejected_fields("[1, 2]") == [()]
