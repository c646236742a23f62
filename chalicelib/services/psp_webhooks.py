"""Payment providers' webhooks (sandbox, Stripe, Adyen): verify the sender, then move the claim's money.

Every event takes the one money path in services.payments: payments through record_payment,
refunds and chargebacks through record_reversal, each keyed by the provider's event id so a
delivery repeated by the provider changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ClaimNotFoundError, SignatureError
from chalicelib.observability import logger
from chalicelib.services.payments import PaymentOutcome, record_payment, record_reversal
from chalicelib.services.ports import PaymentEvent, PaymentRecord

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.payments import MoneyPorts
    from chalicelib.services.ports import PaymentRepository

PSP_PROVIDERS = ("sandbox", "stripe", "adyen")


@dataclass(frozen=True)
class Applied:
    event: PaymentEvent
    outcome: PaymentOutcome | None  # None: the event names no claim of this tenant


def handle_psp_webhook(
    tenant: Tenant,
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    money: MoneyPorts,
) -> list[Applied]:
    """Verify with the tenant's secret for this provider, then apply each money event it carries."""
    secret = tenant.webhook_secret(provider)
    if not secret:
        raise SignatureError(f"the tenant has no secret for {provider}")
    events = _verified_events(provider, headers, body, secret, money.payments)
    return [_apply(tenant.tenant_id, provider, event, money) for event in events]


def _apply(tenant_id: str, provider: str, event: PaymentEvent, money: MoneyPorts) -> Applied:
    record = PaymentRecord(
        payment_key=f"{provider}#{event.event_id}",
        amount=abs(event.amount),
        currency=event.currency,
        provider=provider,
        reference=event.provider_reference,
        data={"kind": event.kind},
        psp_payment_id=event.provider_reference if event.kind == "payment" else None,
    )
    try:
        if event.kind == "payment":
            return Applied(event, record_payment(event.claim_id, tenant_id, record, money))
        # A refund or chargeback finds the claim of the payment it takes back, noted when that payment was
        # applied; else the claim the event names.
        reversed_claim = money.payments.find_by_provider_reference(provider, event.provider_reference) or event.claim_id
        return Applied(event, record_reversal(reversed_claim, tenant_id, record, money))
    except ClaimNotFoundError:
        if provider != "adyen":
            raise
        # Adyen batches notifications and retries the whole batch on any error: a payment of the merchant's account
        # that is not one of this tenant's claims is acknowledged and logged, not applied.
        logger.warning("PSP event names no claim of this tenant", provider=provider, claim_id=event.claim_id)
        return Applied(event, None)


def _verified_events(
    provider: str, headers: Mapping[str, str], body: bytes, secret: str, payments: PaymentRepository
) -> list[PaymentEvent]:
    if provider == "stripe":
        from chalicelib.adapters.payments import stripe_webhooks

        event = stripe_webhooks.verify_and_parse(
            body,
            headers.get(stripe_webhooks.SIGNATURE_HEADER),
            secret,
            resolve_claim=lambda intent: payments.find_by_provider_reference("stripe", intent),
        )
        return [event] if event else []
    if provider == "adyen":
        from chalicelib.adapters.payments import adyen_webhooks

        return adyen_webhooks.verify_and_parse(body, secret)
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
