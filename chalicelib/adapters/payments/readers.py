"""The PSP webhook readers, one per provider, all of one shape: bootstrap puts them in the services' registry.

Each verifies the provider's signature with the tenant's secret before reading anything, and returns the money
events the body carries as the event states them. The provider's module is imported on first use, so a Lambda
that never reads a Stripe event never loads the Stripe SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.services.ports import PaymentEvent

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.services.ports import PaymentEventReader


def read_stripe(body: bytes, headers: Mapping[str, str], secret: str) -> list[PaymentEvent]:
    from chalicelib.adapters.payments import stripe_webhooks

    event = stripe_webhooks.verify_and_parse(body, headers.get(stripe_webhooks.SIGNATURE_HEADER), secret)
    return [event] if event else []


def read_adyen(body: bytes, headers: Mapping[str, str], secret: str) -> list[PaymentEvent]:
    from chalicelib.adapters.payments import adyen_webhooks

    return adyen_webhooks.verify_and_parse(body, secret)


def read_sandbox(body: bytes, headers: Mapping[str, str], secret: str) -> list[PaymentEvent]:
    from chalicelib.adapters.payments import sandbox

    sandbox.verify(secret, headers, body)
    payment = sandbox.parse(body)
    if payment is None:
        return []
    return [
        PaymentEvent(
            payment.event_id, payment.claim_id, payment.amount, payment.currency, "payment", payment.payment_id
        )
    ]


READERS: dict[str, PaymentEventReader] = {"sandbox": read_sandbox, "stripe": read_stripe, "adyen": read_adyen}
