"""Inbound webhooks: verify the sender, then turn the event into a payment on the claim."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.payments import sandbox
from chalicelib.domain.errors import NotFoundError, SignatureError
from chalicelib.domain.events import Event, EventType
from chalicelib.services.payments import PaymentOutcome, record_payment
from chalicelib.services.ports import PaymentEvent, PaymentRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from chalicelib.domain.claim import Claim
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import ClaimRepository, TenantRepository, WorkflowClient

PROVIDERS = ("sandbox", "stripe")


class UnknownProviderError(NotFoundError):
    pass


def handle_payment_webhook(
    tenant_id: str,
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    tenants: TenantRepository,
    claims: ClaimRepository,
    workflow: WorkflowClient,
    clock: VirtualClock,
    thank: Callable[[Claim, PaymentRecord], None] | None = None,
) -> PaymentOutcome | None:
    """Verify with the tenant's secret for this provider, then apply: every PSP's money takes one path."""
    if provider not in PROVIDERS:
        raise UnknownProviderError(f"no webhook provider '{provider}'")
    secret = tenants.get(tenant_id).webhook_secret(provider)
    if not secret:
        raise SignatureError(f"tenant has no secret for {provider}")
    event = _verified_event(provider, headers, body, secret)
    if event is None:
        return None
    if event.kind != "payment":
        # Refunds and chargebacks are recorded for the merchant; re-opening the balance is a later step.
        claim = claims.get(event.claim_id, tenant_id)
        data = {"amount": event.amount, "kind": event.kind, "reference": event.provider_reference, "provider": provider}
        claims.append(claim.claim_id, tenant_id, Event(EventType.PAYMENT_REVERSED, clock.now(), data))
        return None
    record = PaymentRecord(
        payment_key=f"{provider}#{event.event_id}",
        amount=event.amount,
        currency=event.currency,
        provider=provider,
        reference=event.provider_reference,
    )
    return record_payment(event.claim_id, tenant_id, record, claims, workflow, clock, thank)


def _verified_event(provider: str, headers: Mapping[str, str], body: bytes, secret: str) -> PaymentEvent | None:
    if provider == "stripe":
        from chalicelib.adapters.payments import stripe_webhooks

        return stripe_webhooks.verify_and_parse(body, headers.get(stripe_webhooks.SIGNATURE_HEADER), secret)
    sandbox.verify(secret, headers, body)
    payment = sandbox.parse(body)
    if payment is None:
        return None
    return PaymentEvent(
        payment.event_id, payment.claim_id, payment.amount, payment.currency, "payment", payment.payment_id
    )
