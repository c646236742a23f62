"""Stripe webhooks: verify the Stripe-Signature header and turn money events into PaymentEvents.

Which events count, so that no euro is counted twice or lost:

- `checkout.session.completed` with payment_status "paid" is the payment of a checkout flow;
  `checkout.session.async_payment_succeeded` is the same for delayed methods (SEPA debit), whose
  completed event arrives "unpaid" first. Stripe also sends `payment_intent.succeeded` for every
  checkout, so that event is a payment only when the intent's metadata says "source": "direct"
  (an intent Mahnwerk created without Checkout); otherwise it is ignored.
- `charge.refunded` is a refund of the amount refunded by this event: amount_refunded is a running
  total, so the amount before (data.previous_attributes) is subtracted and two partial refunds are
  not counted as three.
- `charge.dispute.created` is a chargeback of the disputed amount.

The claim comes from client_reference_id or metadata.claim_id, which StripeCheckout puts on the
session and its payment intent. A refund or dispute whose objects carry no claim id names the payment
intent it takes back (PaymentEvent.original_payment): the service finds the claim that payment was
applied to. Payments of the merchant's own shop on the same Stripe account carry no claim and are
ignored (None), so a shared account does not make the endpoint fail; each event id is applied once
(the payments table keys on it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import stripe

from chalicelib.contracts import json_body
from chalicelib.domain.errors import InvalidInputError, SignatureError
from chalicelib.services.ports import PaymentEvent

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

SIGNATURE_HEADER = "stripe-signature"
TOLERANCE_SECONDS = 300
DIRECT_SOURCE = "direct"


def verify_and_parse(
    payload: bytes,
    signature_header: str | None,
    secret: str,
    tolerance: int = TOLERANCE_SECONDS,
) -> PaymentEvent | None:
    """The money a verified Stripe event moves, or None for events that move none of a claim's money.

    Raises SignatureError before looking at the body, so unauthenticated input is never parsed;
    InvalidInputError("body", …) for a signed event that cannot be read.
    """
    verify(payload, signature_header, secret, tolerance)
    return parse(payload)


def verify(payload: bytes, signature_header: str | None, secret: str, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Check Stripe's `t=…,v1=…` HMAC over the raw body, and refuse replays older than the tolerance."""
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise SignatureError(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise SignatureError("the payload is not UTF-8, so its signature cannot be checked") from exc


def parse(payload: bytes) -> PaymentEvent | None:
    """Map an already verified event; see the module docstring for which events count."""
    event = json_body.loads(payload)
    try:
        if not isinstance(event, dict):
            raise InvalidInputError("body", "a Stripe event is a JSON object")
        mapper = _MAPPERS.get(event.get("type"))
        if mapper is None:
            return None
        obj = event["data"]["object"]
        if not isinstance(obj, dict):
            raise InvalidInputError("body", "data.object must be a JSON object")
        return mapper(str(event["id"]), obj, event["data"].get("previous_attributes") or {})
    except KeyError as exc:
        raise InvalidInputError("body", f"not a readable Stripe event: it lacks {exc}") from exc
    except (ValueError, TypeError, AttributeError) as exc:  # the message would name Python's types, not the field
        raise InvalidInputError("body", "not a readable Stripe event: data is not shaped as Stripe sends it") from exc


def _checkout_session(event_id: str, session: dict[str, Any], _previous: Mapping[str, Any]) -> PaymentEvent | None:
    if session.get("payment_status") != "paid":
        return None  # delayed methods: the money is counted on async_payment_succeeded
    claim_id = session.get("client_reference_id") or (session.get("metadata") or {}).get("claim_id")
    if not claim_id:
        return None  # a checkout of the merchant's own shop
    return PaymentEvent(
        event_id=event_id,
        claim_id=str(claim_id),
        amount=_positive(session.get("amount_total"), "data.object.amount_total"),
        currency=_currency(session),
        kind="payment",
        provider_reference=str(session.get("payment_intent") or session["id"]),
    )


def _payment_intent(event_id: str, intent: dict[str, Any], _previous: Mapping[str, Any]) -> PaymentEvent | None:
    metadata = intent.get("metadata") or {}
    if metadata.get("source") != DIRECT_SOURCE:
        return None  # a checkout's intent: its session's completed event counts it
    if not metadata.get("claim_id"):
        raise InvalidInputError("body", "a direct payment intent without metadata.claim_id")
    return PaymentEvent(
        event_id=event_id,
        claim_id=str(metadata["claim_id"]),
        amount=_positive(intent.get("amount_received"), "data.object.amount_received"),
        currency=_currency(intent),
        kind="payment",
        provider_reference=str(intent["id"]),
    )


def _charge_refunded(event_id: str, charge: dict[str, Any], previous: Mapping[str, Any]) -> PaymentEvent | None:
    refunded_now = _positive(charge.get("amount_refunded"), "data.object.amount_refunded")
    refunded_before = previous.get("amount_refunded", 0)
    if not isinstance(refunded_before, int) or isinstance(refunded_before, bool):
        raise InvalidInputError("body", "data.previous_attributes.amount_refunded must be an integer")
    if refunded_now <= refunded_before:
        return None
    claim_id, intent = _claim_of(charge.get("payment_intent"), charge.get("metadata"))
    if claim_id is None and intent is None:
        return None
    return PaymentEvent(
        event_id=event_id,
        claim_id=claim_id,
        amount=-(refunded_now - refunded_before),
        currency=_currency(charge),
        kind="refund",
        provider_reference=str(charge["id"]),
        original_payment=intent,
    )


def _dispute_created(event_id: str, dispute: dict[str, Any], _previous: Mapping[str, Any]) -> PaymentEvent | None:
    charge = dispute.get("charge")
    charge_metadata = charge.get("metadata") if isinstance(charge, dict) else None  # when expanded
    claim_id, intent = _claim_of(dispute.get("payment_intent"), dispute.get("metadata"), charge_metadata)
    if claim_id is None and intent is None:
        return None
    return PaymentEvent(
        event_id=event_id,
        claim_id=claim_id,
        amount=-_positive(dispute.get("amount"), "data.object.amount"),
        currency=_currency(dispute),
        kind="chargeback",
        provider_reference=str(dispute["id"]),
        original_payment=intent,
    )


def _claim_of(payment_intent: Any, *metadata: Any) -> tuple[str | None, str | None]:
    """The claim the objects' metadata name, and the payment intent they take back.

    With neither, the money is not a claim's (the merchant's own shop on the same account); with only the
    intent, it may well be, and the service looks the intent up rather than the event being dropped.
    """
    intent = payment_intent if isinstance(payment_intent, str) and payment_intent else None
    for values in metadata:
        if isinstance(values, dict) and values.get("claim_id"):
            return str(values["claim_id"]), intent
    return None, intent


def _positive(value: Any, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidInputError("body", f"{field} must be a positive integer in minor units")
    return value


def _currency(obj: Mapping[str, Any]) -> str:
    currency = obj.get("currency")
    if not isinstance(currency, str) or len(currency) != 3:
        raise InvalidInputError("body", "data.object.currency must be an ISO 4217 code")
    return currency.upper()


_MAPPERS: dict[Any, Callable[..., PaymentEvent | None]] = {
    "checkout.session.completed": _checkout_session,
    "checkout.session.async_payment_succeeded": _checkout_session,
    "payment_intent.succeeded": _payment_intent,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
}
