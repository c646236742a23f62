"""Payment-provider events written by other projects (../shared/real-world/psp/), read in place.

Stripe's events are signed here at run time with Stripe's own SDK, as Stripe signs them; Adyen's items carry the
signatures Adyen (or Adyen's library) made, verified with the HMAC keys ../shared/real-world/SOURCES.md lists for
each file. Every expected value was read from the file by hand.
"""

from __future__ import annotations

import re

import pytest
import stripe

from chalicelib.adapters.payments import adyen_webhooks, stripe_webhooks
from chalicelib.domain.errors import SignatureError
from chalicelib.services.ports import PaymentEvent
from tests.real_world import PSP, SOURCES, needs_real_world

pytestmark = [pytest.mark.unit, needs_real_world]

STRIPE_SECRET = "whsec_real_world_0123456789"
CHECKOUT_INTENT = "pi_1PgafyB7WZ01zgkWSjxsAJo3"  # the payment intent every Stripe fixture refers to


def stripe_event(name: str) -> PaymentEvent | None:
    body = (PSP / name).read_bytes()
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), STRIPE_SECRET)
    return stripe_webhooks.verify_and_parse(body, header, STRIPE_SECRET)


def adyen_key(name: str) -> str:
    """The key ../shared/real-world/SOURCES.md names for the file (Adyen's own test keys)."""
    sources = SOURCES.read_text()
    found = re.search(rf"`psp/{re.escape(name)}`: `([0-9A-F]{{64}})`", sources)
    assert found, f"../shared/real-world/SOURCES.md names no HMAC key for {name}"
    return found.group(1)


def adyen_events(name: str) -> list[PaymentEvent]:
    return adyen_webhooks.verify_and_parse((PSP / name).read_bytes(), adyen_key(name))


# --- Stripe ---------------------------------------------------------------------------------------------------------

STRIPE_PAYMENTS = {
    # payment_status "paid", amount_total 12990, currency "eur", client_reference_id = metadata.claim_id
    "stripe_checkout_session_completed.json": PaymentEvent(
        "evt_1Pgc76B7WZ01zgkWwyRHS12y", "clm_01JEXTERNALCHECKOUT0001", 12990, "EUR", "payment", CHECKOUT_INTENT
    ),
    # amount_total 1500, currency "jpy": the yen's amounts are whole yen
    "stripe_checkout_session_completed_jpy.json": PaymentEvent(
        "evt_1Pgc76B7WZ01zgkWwyRHS1JP", "clm_01JEXTERNALCHECKOUT0001", 1500, "JPY", "payment", CHECKOUT_INTENT
    ),
    # status succeeded, amount_received 1099 eur, metadata source "direct" and claim_id
    "stripe_payment_intent_succeeded_direct.json": PaymentEvent(
        "evt_1Pgc76B7WZ01zgkWwyRHS1PI", "clm_01JEXTERNALINTENT000001", 1099, "EUR", "payment", CHECKOUT_INTENT
    ),
}


@pytest.mark.parametrize("name", sorted(STRIPE_PAYMENTS))
def test_a_real_stripe_payment_is_the_payment_its_file_describes(name: str) -> None:
    assert stripe_event(name) == STRIPE_PAYMENTS[name]


@pytest.mark.parametrize(
    "name",
    [
        "stripe_checkout_session_unpaid_raw.json",  # payment_status "unpaid", amount_total null: nothing paid yet
        "stripe_payment_intent_succeeded_checkout.json",  # metadata {}: a checkout's intent, or the shop's own
    ],
)
def test_real_stripe_events_that_move_no_claims_money_are_ignored(name: str) -> None:
    assert stripe_event(name) is None


def test_a_real_partial_stripe_refund_takes_back_only_this_refunds_amount() -> None:
    # amount_refunded 5000, previous_attributes.amount_refunded 2000; metadata {}: its claim is the intent's
    refund = stripe_event("stripe_charge_refunded_partial.json")

    assert refund == PaymentEvent(
        "evt_1Pgc76B7WZ01zgkWwyRHS1RF",
        None,
        -3000,
        "EUR",
        "refund",
        "ch_1PgafuB7WZ01zgkWXYmPNZs8",
        original_payment=CHECKOUT_INTENT,
    )


def test_a_real_stripe_dispute_charges_back_the_disputed_amount() -> None:
    # amount 12990 eur, payment_intent set, metadata {}
    chargeback = stripe_event("stripe_charge_dispute_created.json")

    assert chargeback == PaymentEvent(
        "evt_1Pgc76B7WZ01zgkWwyRHS1DP",
        None,
        -12990,
        "EUR",
        "chargeback",
        "dp_1Pgc71B7WZ01zgkWMevJiAUx",
        original_payment=CHECKOUT_INTENT,
    )


def test_a_real_stripe_event_changed_after_signing_is_refused() -> None:
    body = (PSP / "stripe_checkout_session_completed.json").read_bytes()
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), STRIPE_SECRET)

    with pytest.raises(SignatureError):
        stripe_webhooks.verify_and_parse(body.replace(b"12990", b"99999"), header, STRIPE_SECRET)


# --- Adyen ----------------------------------------------------------------------------------------------------------


def authorised(psp_reference: str, merchant_reference: str, value: int) -> list[PaymentEvent]:
    """An AUTHORISATION with success "true": the payment of its merchantReference, in EUR like every one here."""
    return [PaymentEvent(f"{psp_reference}:AUTHORISATION", merchant_reference, value, "EUR", "payment", psp_reference)]


ADYEN_EVENTS = {
    # 10100 EUR, merchantReference 8313842560770001, pspReference 123456789
    "adyen_authorisation.json": authorised("123456789", "8313842560770001", 10100),
    # Adyen's test environment signed these four; merchantReference keeps its separators and backslashes
    "adyen_authorisation_real_signature_backslash.json": authorised("T7FD4VM4D3RZNN82", "\\\\slashes are fun", 1000),
    "adyen_authorisation_real_signature_colon.json": authorised("M8NB66SBZSGLNK82", ":slashes are fun", 1000),
    "adyen_authorisation_real_signature_forwardslash.json": authorised("X3GWNS6KJ8NKGK82", "//slashes are fun", 1000),
    "adyen_authorisation_real_signature_mixed.json": authorised("ZVWN7D3WSMK2WN82", "\\:/\\/slashes are fun", 1000),
    # REFUND success "true", 1500 EUR of the payment ORIGINAL_PSP
    "adyen_refund.json": [
        PaymentEvent("PSP_REFERENCE:REFUND", "payment-2017-1-17-11-refund", -1500, "EUR", "refund", "ORIGINAL_PSP")
    ],
    # CHARGEBACK 1000 EUR of 9913333333333333 (success "true" on a chargeback only says the notice is valid)
    "adyen_chargeback.json": [
        PaymentEvent("9915555555555555:CHARGEBACK", "XXXXXXXXXX", -1000, "EUR", "chargeback", "9913333333333333")
    ],
    # REFUND with success "false" ("Insufficient balance on payment"): the refund failed, no money moved
    "adyen_refund_failed.json": [],
    # CAPTURE of an auto-captured payment: counted at AUTHORISATION already
    "adyen_capture_ignored.json": [],
    # CANCELLATION of an authorisation, with no merchantReference
    "adyen_cancellation_ignored.json": [],
    # REPORT_AVAILABLE, amount.value the string "0": a report, not money
    "adyen_report_available_java_vector.json": [],
}


@pytest.mark.parametrize("name", sorted(ADYEN_EVENTS))
def test_a_real_adyen_batch_verifies_and_moves_the_money_its_file_describes(name: str) -> None:
    assert adyen_events(name) == ADYEN_EVENTS[name]


def test_a_real_adyen_batch_with_one_item_forged_after_signing_is_refused_whole() -> None:
    # item 0: a correctly signed AUTHORISATION; item 1: a REFUND whose amount became 150000 after signing
    with pytest.raises(SignatureError) as refused:
        adyen_events("adyen_batch_with_forged_item.json")

    assert "notificationItems[1]" in str(refused.value)


def test_a_real_adyen_batch_verified_with_another_key_is_refused() -> None:
    body = (PSP / "adyen_authorisation_real_signature_colon.json").read_bytes()

    with pytest.raises(SignatureError):
        adyen_webhooks.verify_and_parse(body, adyen_key("adyen_authorisation.json"))


def test_every_real_psp_file_has_an_expected_reading_here() -> None:
    named = {
        *STRIPE_PAYMENTS,
        *ADYEN_EVENTS,
        "stripe_checkout_session_unpaid_raw.json",
        "stripe_payment_intent_succeeded_checkout.json",
        "stripe_charge_refunded_partial.json",
        "stripe_charge_dispute_created.json",
        "adyen_batch_with_forged_item.json",
    }

    assert {path.name for path in PSP.iterdir()} == named
