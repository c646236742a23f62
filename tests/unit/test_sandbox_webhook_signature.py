"""The sandbox PSP's signed payment webhook: signing, verification and parsing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.adapters.payments.sandbox import (
    SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    SandboxPayment,
    parse,
    payment_event,
    sign,
    verify,
)
from chalicelib.domain.errors import InvalidInputError, SignatureError

pytestmark = pytest.mark.unit

SECRET = "whsec_test"
NOW = 1_790_000_000


def event_body(**data_overrides: Any) -> bytes:
    data: dict[str, Any] = {"claim_id": "01JCLAIM", "amount": 12345, "currency": "EUR", "payment_id": "pay_1"}
    data.update(data_overrides)
    return json.dumps({"id": "evt_1", "type": "payment.succeeded", "created": NOW, "data": data}).encode()


def signed_headers(body: bytes, secret: str = SECRET, timestamp: int = NOW) -> dict[str, str]:
    return {SIGNATURE_HEADER: sign(secret, body, timestamp)}


# --- signing and verification -------------------------------------------------------------------


def test_a_signed_body_verifies() -> None:
    body = event_body()
    verify(SECRET, signed_headers(body), body, now=NOW)  # no SignatureError


def test_the_signature_header_names_timestamp_and_hmac() -> None:
    header = sign(SECRET, b"{}", NOW)
    timestamp, digest = header.split(",")
    assert timestamp == f"t={NOW}"
    assert digest.startswith("v1=")
    assert len(digest.removeprefix("v1=")) == 64


def test_the_header_is_found_in_its_title_case_spelling() -> None:
    body = event_body()
    verify(SECRET, {"Sandbox-Signature": sign(SECRET, body, NOW)}, body, now=NOW)


def test_a_signature_a_few_minutes_old_is_accepted_within_the_tolerance() -> None:
    body = event_body()
    verify(SECRET, signed_headers(body), body, now=NOW + TOLERANCE_SECONDS)
    verify(SECRET, signed_headers(body), body, now=NOW - TOLERANCE_SECONDS)


def test_a_tampered_body_is_refused() -> None:
    body = event_body()
    tampered = event_body(amount=1234500)
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, signed_headers(body), tampered, now=NOW)


def test_a_body_signed_with_another_secret_is_refused() -> None:
    body = event_body()
    with pytest.raises(SignatureError):
        verify(SECRET, signed_headers(body, secret="whsec_other"), body, now=NOW)


def test_a_changed_timestamp_breaks_the_signature() -> None:
    body = event_body()
    digest = sign(SECRET, body, NOW).split(",")[1]
    with pytest.raises(SignatureError):
        verify(SECRET, {SIGNATURE_HEADER: f"t={NOW + 1},{digest}"}, body, now=NOW)


@pytest.mark.parametrize("skew", [TOLERANCE_SECONDS + 1, -(TOLERANCE_SECONDS + 1), 86400])
def test_a_signature_outside_the_time_tolerance_is_refused(skew: int) -> None:
    # GIVEN a correctly signed event, replayed (or from a clock) too far from now
    body = event_body()
    with pytest.raises(SignatureError, match="tolerance"):
        verify(SECRET, signed_headers(body), body, now=NOW + skew)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SIGNATURE_HEADER: ""},
        {SIGNATURE_HEADER: "garbage"},
        {SIGNATURE_HEADER: "v1=abc"},
        {SIGNATURE_HEADER: f"t={NOW}"},
        {SIGNATURE_HEADER: "t=yesterday,v1=abc"},
        {SIGNATURE_HEADER: "t=-5,v1=abc"},
        {"x-other-signature": "t=1,v1=abc"},
    ],
    ids=["none", "empty", "garbage", "no-timestamp", "no-hmac", "word-timestamp", "negative-timestamp", "other"],
)
def test_a_missing_or_malformed_header_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureError, match="missing or malformed"):
        verify(SECRET, headers, event_body(), now=NOW)


def test_a_timestamp_of_non_decimal_digits_is_refused_as_malformed() -> None:
    with pytest.raises(SignatureError):
        verify(SECRET, {SIGNATURE_HEADER: "t=\u00b2,v1=abc"}, event_body(), now=NOW)


# --- parsing ------------------------------------------------------------------------------------


def test_a_payment_event_is_parsed_into_a_payment() -> None:
    assert parse(event_body()) == SandboxPayment(
        event_id="evt_1", claim_id="01JCLAIM", amount=12345, currency="EUR", payment_id="pay_1"
    )


def test_an_event_made_by_the_sandbox_psp_signs_verifies_and_parses() -> None:
    # GIVEN the event the local sandbox PSP sends after a checkout
    event = payment_event("01JCLAIM", 5000, "EUR")
    body = json.dumps(event).encode()
    # WHEN
    verify(SECRET, signed_headers(body), body, now=NOW)
    payment = parse(body)
    # THEN
    assert payment is not None
    assert (payment.claim_id, payment.amount, payment.currency) == ("01JCLAIM", 5000, "EUR")
    assert payment.event_id == event["id"]
    assert payment.event_id.startswith("evt_")
    assert payment.payment_id.startswith("pay_")


def test_each_sandbox_event_has_its_own_id() -> None:
    assert payment_event("c", 1, "EUR")["id"] != payment_event("c", 1, "EUR")["id"]


@pytest.mark.parametrize("amount", [12.5, 100.0, "100", True, 0, -100, None], ids=repr)
def test_an_amount_that_is_not_a_positive_integer_is_rejected(amount: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse(event_body(amount=amount))
    assert caught.value.field == "data.amount"


@pytest.mark.parametrize("event_type", ["payment.failed", "charge.refunded", "checkout.created"])
def test_an_event_without_money_is_ignored(event_type: str) -> None:
    body = json.dumps({"id": "evt_2", "type": event_type, "data": {}}).encode()
    assert parse(body) is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        json.dumps({"id": "evt_1", "type": "payment.succeeded"}).encode(),
        json.dumps({"id": "evt_1", "type": "payment.succeeded", "data": {"amount": 100}}).encode(),
        json.dumps({"type": "payment.succeeded", "data": {"claim_id": "c", "amount": 1, "currency": "EUR"}}).encode(),
    ],
    ids=["not-json", "not-utf8", "no-data", "no-claim-id", "no-event-id"],
)
def test_a_body_that_is_not_a_payment_event_is_rejected_as_invalid_input(body: bytes) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse(body)
    assert caught.value.field == "body"


@pytest.mark.parametrize("body", [b"[]", b'"payment.succeeded"', b"null"], ids=["array", "string", "null"])
def test_a_json_body_that_is_not_an_object_is_rejected_as_invalid_input(body: bytes) -> None:
    with pytest.raises(InvalidInputError):
        parse(body)


@pytest.mark.parametrize("field", ["claim_id", "currency", "payment_id"])
def test_a_reference_that_is_not_text_is_refused_naming_it_not_turned_into_text(field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse(event_body(**{field: {"id": "01JCLAIM"}}))
    assert caught.value.field == f"data.{field}"
    assert "{" not in caught.value.message
