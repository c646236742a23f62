"""Adyen standard webhooks: HMAC verification against Adyen's own vectors, and which items move money."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.payments import stripe_webhooks
from chalicelib.adapters.payments.adyen_webhooks import item_signature, verify_and_parse
from chalicelib.domain.errors import InvalidInputError, SignatureError
from chalicelib.services.ports import PaymentEvent
from infra.local.psp_signing import adyen_notification, sign_adyen_item, stripe_signature_header

pytestmark = pytest.mark.unit

EVENTS = Path(__file__).parent.parent / "events" / "adyen"
# The local stage's demo key (infra/local/seed.py SECRETS["adyen"]).
KEY = hashlib.sha256(b"local-adyen-secret").hexdigest().upper()
CLAIM = "01JQ8Z6W3K4M5N6P7R8S9T0V1W"
PAYMENT_PSP = "QFQTPCQ8HXSKGK82"

# Adyen's published vector: Adyen/adyen-python-api-library, test/UtilTest.py, test_notification_request_item_hmac.
ADYEN_VECTOR_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
ADYEN_VECTOR_ITEM: dict[str, Any] = {
    "pspReference": "7914073381342284",
    "merchantReference": "TestPayment-1407325143704",
    "merchantAccountCode": "TestMerchant",
    "amount": {"currency": "EUR", "value": 1130},
    "eventCode": "AUTHORISATION",
    "success": "true",
    "eventDate": "2019-05-06T17:15:34.121+02:00",
    "operations": ["CANCEL", "CAPTURE", "REFUND"],
    "paymentMethod": "visa",
}
ADYEN_VECTOR_SIGNATURE = "coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0="

# Notifications from Adyen's test environment, as kept in the same library (test/mocks/util/*_notification.json,
# test_webhooks_with_slashes): separators and backslashes in merchantReference are signed as they are.
ADYEN_TEST_ENV_KEY = "74F490DD33F7327BAECC88B2947C011FC02D014A473AAA33A8EC93E4DC069174"
ADYEN_TEST_ENV_ITEMS = {
    "colon": ("M8NB66SBZSGLNK82", ":slashes are fun", "2EQYm7YJpKO4EtHSPu55SQTyWf8dkW5u2nD1tJFpViA="),
    "backslash": ("T7FD4VM4D3RZNN82", "\\\\slashes are fun", "nIgT81gaB5oJpn2jPXupDq68iRo2wUlBsuYjtYfwKqo="),
}


def fixture_item(name: str) -> dict[str, Any]:
    notification = json.loads((EVENTS / f"{name}.json").read_text())
    item: dict[str, Any] = notification["notificationItems"][0]["NotificationRequestItem"]
    return item


def body_of(*items: dict[str, Any], key: str = KEY) -> bytes:
    """The body Adyen would post: every item signed with the merchant's HMAC key."""
    return json.dumps(adyen_notification(*(sign_adyen_item(item, key) for item in items))).encode()


def with_fields(item: dict[str, Any], **fields: Any) -> dict[str, Any]:
    changed = copy.deepcopy(item)
    changed.update(fields)
    return changed


# --- Adyen's own vectors ----------------------------------------------------------------------------------------


def test_adyens_published_vector_gives_adyens_signature() -> None:
    assert item_signature(ADYEN_VECTOR_ITEM, ADYEN_VECTOR_KEY) == ADYEN_VECTOR_SIGNATURE


def test_a_notification_signed_as_in_adyens_published_vector_verifies_and_is_a_payment() -> None:
    # GIVEN Adyen's vector item with the signature Adyen's library expects
    item = copy.deepcopy(ADYEN_VECTOR_ITEM)
    item["additionalData"] = {"hmacSignature": ADYEN_VECTOR_SIGNATURE}

    # WHEN it arrives in a batch
    events = verify_and_parse(json.dumps(adyen_notification(item)).encode(), ADYEN_VECTOR_KEY)

    # THEN it verifies and is the payment of its merchantReference
    assert events == [
        PaymentEvent(
            event_id="7914073381342284:AUTHORISATION",
            claim_id="TestPayment-1407325143704",
            amount=1130,
            currency="EUR",
            kind="payment",
            provider_reference="7914073381342284",
        )
    ]


@pytest.mark.parametrize("case", sorted(ADYEN_TEST_ENV_ITEMS))
def test_adyen_test_environment_notifications_with_colons_and_backslashes_verify(case: str) -> None:
    psp_reference, merchant_reference, signature = ADYEN_TEST_ENV_ITEMS[case]
    item = {
        "additionalData": {"hmacSignature": signature, "paymentMethod": "visa"},
        "amount": {"currency": "EUR", "value": 1000},
        "eventCode": "AUTHORISATION",
        "merchantAccountCode": "AntoniStroinski",
        "merchantReference": merchant_reference,
        "pspReference": psp_reference,
        "success": "true",
    }

    events = verify_and_parse(json.dumps(adyen_notification(item)).encode(), ADYEN_TEST_ENV_KEY)

    assert [(e.claim_id, e.amount) for e in events] == [(merchant_reference, 1000)]


# --- which items move money -------------------------------------------------------------------------------------


def test_a_successful_authorisation_is_a_payment_of_the_claim_in_its_merchant_reference() -> None:
    assert verify_and_parse(body_of(fixture_item("authorisation")), KEY) == [
        PaymentEvent(
            event_id=f"{PAYMENT_PSP}:AUTHORISATION",
            claim_id=CLAIM,
            amount=5240,
            currency="EUR",
            kind="payment",
            provider_reference=PAYMENT_PSP,
        )
    ]


def test_a_successful_refund_takes_its_amount_back_and_points_at_the_refunded_payment() -> None:
    assert verify_and_parse(body_of(fixture_item("refund")), KEY) == [
        PaymentEvent(
            event_id="V4HZ4RBFJGXXGN82:REFUND",
            claim_id=CLAIM,
            amount=-1000,
            currency="EUR",
            kind="refund",
            provider_reference=PAYMENT_PSP,
        )
    ]


def test_a_chargeback_takes_the_disputed_amount_back() -> None:
    assert verify_and_parse(body_of(fixture_item("chargeback")), KEY) == [
        PaymentEvent(
            event_id="W8RJTC6CN7SKGK82:CHARGEBACK",
            claim_id=CLAIM,
            amount=-5240,
            currency="EUR",
            kind="chargeback",
            provider_reference=PAYMENT_PSP,
        )
    ]


def test_a_successful_cancel_or_refund_undoes_the_payment_as_a_refund() -> None:
    item = with_fields(
        fixture_item("refund"),
        eventCode="CANCEL_OR_REFUND",
        pspReference="X2KQ7PZ4MJ3NGK82",
        additionalData={"modification.action": "cancel"},
        amount={"currency": "EUR", "value": 5240},
    )

    [event] = verify_and_parse(body_of(item), KEY)

    assert (event.kind, event.amount, event.event_id) == ("refund", -5240, "X2KQ7PZ4MJ3NGK82:CANCEL_OR_REFUND")


def test_a_refused_authorisation_moves_no_money() -> None:
    refused = with_fields(fixture_item("authorisation"), success="false", reason="Refused")

    assert verify_and_parse(body_of(refused), KEY) == []


@pytest.mark.parametrize("event_code", ["REFUND", "CANCEL_OR_REFUND"])
def test_a_failed_refund_moves_no_money(event_code: str) -> None:
    failed = with_fields(fixture_item("refund"), eventCode=event_code, success="false")

    assert verify_and_parse(body_of(failed), KEY) == []


@pytest.mark.parametrize(
    "event_code", ["CAPTURE", "CANCELLATION", "REFUND_FAILED", "CHARGEBACK_REVERSED", "REPORT_AVAILABLE"]
)
def test_events_that_are_not_payments_refunds_or_chargebacks_are_ignored(event_code: str) -> None:
    other = with_fields(fixture_item("refund"), eventCode=event_code)

    assert verify_and_parse(body_of(other), KEY) == []


def test_a_zero_value_authorisation_is_a_card_check_not_a_payment() -> None:
    card_check = with_fields(fixture_item("authorisation"), amount={"currency": "EUR", "value": 0})

    assert verify_and_parse(body_of(card_check), KEY) == []


def test_a_payment_without_merchant_reference_is_not_a_claims() -> None:
    shop_payment = with_fields(fixture_item("authorisation"), merchantReference="")

    assert verify_and_parse(body_of(shop_payment), KEY) == []


def test_the_currency_is_upper_case_whatever_the_item_says() -> None:
    item = with_fields(fixture_item("authorisation"), amount={"currency": "eur", "value": 5240})

    [event] = verify_and_parse(body_of(item), KEY)

    assert event.currency == "EUR"


def test_a_redelivered_item_has_the_same_event_id_so_its_money_counts_once() -> None:
    item = fixture_item("authorisation")

    first = verify_and_parse(body_of(item), KEY)
    again = verify_and_parse(body_of(item), KEY)

    assert first == again


def test_a_batch_maps_every_item_in_order() -> None:
    events = verify_and_parse(
        body_of(fixture_item("authorisation"), fixture_item("refund"), fixture_item("chargeback")), KEY
    )

    assert [(e.kind, e.amount) for e in events] == [("payment", 5240), ("refund", -1000), ("chargeback", -5240)]


# --- signatures -------------------------------------------------------------------------------------------------


def test_an_item_changed_after_signing_is_refused() -> None:
    # GIVEN a signed authorisation whose amount is raised in transit
    notification = adyen_notification(sign_adyen_item(fixture_item("authorisation"), KEY))
    notification["notificationItems"][0]["NotificationRequestItem"]["amount"]["value"] = 524000

    # WHEN / THEN
    with pytest.raises(SignatureError):
        verify_and_parse(json.dumps(notification).encode(), KEY)


def test_an_item_signed_with_another_key_is_refused() -> None:
    other_key = hashlib.sha256(b"someone else").hexdigest()

    with pytest.raises(SignatureError):
        verify_and_parse(body_of(fixture_item("authorisation"), key=other_key), KEY)


def test_an_unsigned_item_is_refused() -> None:
    body = json.dumps(adyen_notification(fixture_item("authorisation"))).encode()

    with pytest.raises(SignatureError, match="hmacSignature"):
        verify_and_parse(body, KEY)


def test_one_forged_item_refuses_the_whole_batch_before_any_item_is_mapped() -> None:
    # GIVEN two well-signed items and, last, a forged chargeback
    forged = sign_adyen_item(fixture_item("chargeback"), hashlib.sha256(b"forger").hexdigest())
    notification = adyen_notification(
        sign_adyen_item(fixture_item("authorisation"), KEY), sign_adyen_item(fixture_item("refund"), KEY), forged
    )
    returned: list[PaymentEvent] | None = None

    # WHEN the batch arrives
    with pytest.raises(SignatureError, match=r"notificationItems\[2\]"):
        returned = verify_and_parse(json.dumps(notification).encode(), KEY)

    # THEN nothing is returned, not even the good items before it
    assert returned is None


def test_a_key_that_is_not_hex_refuses_rather_than_accepts() -> None:
    with pytest.raises(SignatureError):
        verify_and_parse(body_of(fixture_item("authorisation")), "not-a-hex-key")


def test_a_tenant_without_a_key_refuses_every_item() -> None:
    with pytest.raises(SignatureError, match="no Adyen HMAC key"):
        verify_and_parse(body_of(fixture_item("authorisation")), "")


def test_signing_an_item_leaves_the_original_untouched() -> None:
    item = fixture_item("refund")
    before = copy.deepcopy(item)

    signed = sign_adyen_item(item, KEY)

    assert item == before
    assert signed["additionalData"]["hmacSignature"] == item_signature(item, KEY)


# --- malformed input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[" * 10_000 + b"]" * 10_000, "nested deeper"),
        (b'["AUTHORISATION"]', "JSON object"),
        (b'{"live": "false"}', "notificationItems"),
        (b'{"live": "false", "notificationItems": []}', "notificationItems"),
        (b'{"notificationItems": "AUTHORISATION"}', "notificationItems"),
        (b'{"notificationItems": [{"Item": {}}]}', "notificationItems[0].NotificationRequestItem"),
    ],
)
def test_a_body_that_is_not_an_adyen_batch_is_invalid_input(body: bytes, named: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        verify_and_parse(body, KEY)

    assert error.value.field == "body"
    assert named in error.value.message


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"amount": {"currency": "EUR", "value": "52.40"}}, "notificationItems[0].amount.value"),
        ({"amount": {"currency": "EUR", "value": 52.4}}, "notificationItems[0].amount.value"),
        ({"amount": {"currency": "EUR", "value": -5240}}, "notificationItems[0].amount.value"),
        ({"amount": {"value": 5240}}, "notificationItems[0].amount.currency"),
        ({"amount": None}, "notificationItems[0].amount"),
        ({"success": "yes"}, "notificationItems[0].success"),
        ({"pspReference": ""}, "notificationItems[0].pspReference"),
        ({"merchantReference": 4711}, "notificationItems[0].merchantReference"),
    ],
)
def test_a_signed_item_whose_money_fields_cannot_be_read_is_invalid_input(fields: dict[str, Any], named: str) -> None:
    # GIVEN an item Adyen's key signed as it stands, so it gets past verification
    item = with_fields(fixture_item("authorisation"), **fields)

    # WHEN / THEN the error names the field
    with pytest.raises(InvalidInputError) as error:
        verify_and_parse(body_of(item), KEY)

    assert error.value.field == "body"
    assert named in error.value.message


# --- the Stripe header the local stack signs with ---------------------------------------------------------------


def test_the_local_stripe_signature_header_verifies_with_the_stripe_adapter() -> None:
    payload = b'{"id": "evt_local", "type": "checkout.session.completed"}'

    headers = stripe_signature_header(payload, "local-stripe-secret")

    stripe_webhooks.verify(payload, headers["Stripe-Signature"], "local-stripe-secret")


def test_a_local_stripe_signature_for_another_secret_does_not_verify() -> None:
    payload = b'{"id": "evt_local"}'

    headers = stripe_signature_header(payload, "local-stripe-secret")

    with pytest.raises(SignatureError):
        stripe_webhooks.verify(payload, headers["Stripe-Signature"], "another-secret")


def test_an_old_local_stripe_signature_is_refused_as_a_replay() -> None:
    payload = b'{"id": "evt_local"}'

    headers = stripe_signature_header(payload, "local-stripe-secret", timestamp=1_700_000_000)

    with pytest.raises(SignatureError):
        stripe_webhooks.verify(payload, headers["Stripe-Signature"], "local-stripe-secret")
