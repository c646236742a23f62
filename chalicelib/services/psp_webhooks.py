"""Payment providers' webhooks (sandbox, Stripe, Adyen): verify the sender, then move the claim's money.

Every event takes the one money path in services.payments: payments through record_payment,
refunds and chargebacks through record_reversal, each keyed by the provider's event id so a
delivery repeated by the provider changes nothing. Which reader reads which provider is the
composition root's choice (Container.payment_readers); this module knows none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.errors import ClaimNotFoundError, NotFoundError, PaymentTakenError, SignatureError
from chalicelib.observability import logger
from chalicelib.services.payments import PaymentOutcome, record_payment, record_reversal
from chalicelib.services.ports import PaymentEvent, PaymentRecord

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.payments import MoneyPorts
    from chalicelib.services.ports import PaymentEventReader, PaymentRepository

PSP_PROVIDERS = ("sandbox", "stripe", "adyen")


class UnknownPaymentProviderError(NotFoundError):
    pass


@dataclass(frozen=True)
class Applied:
    event: PaymentEvent
    outcome: PaymentOutcome | None  # None: the event names no claim of this tenant


def handle_psp_webhook(
    tenant: Tenant,
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    readers: Mapping[str, PaymentEventReader],
    money: MoneyPorts,
) -> list[Applied]:
    """Verify with the tenant's secret for this provider, then apply each money event it carries."""
    reader = readers.get(provider)
    if reader is None:
        raise UnknownPaymentProviderError(f"no payment provider '{provider}'")
    secret = tenant.webhook_secret(provider)
    if not secret:
        raise SignatureError(f"the tenant has no secret for {provider}")
    applied = []
    for event in reader(body, headers, secret):
        claim_id = _claim_of(tenant.tenant_id, provider, event, money.payments)
        if claim_id is not None:
            applied.append(_apply(tenant.tenant_id, provider, event, claim_id, money))
    return applied


def _claim_of(tenant_id: str, provider: str, event: PaymentEvent, payments: PaymentRepository) -> str | None:
    """The claim the event names, else the one the payment it takes back was applied to; None: not a claim's."""
    if event.claim_id:
        return event.claim_id
    if event.original_payment:
        return payments.find_by_provider_reference(tenant_id, provider, event.original_payment)
    return None


def _apply(tenant_id: str, provider: str, event: PaymentEvent, claim_id: str, money: MoneyPorts) -> Applied:
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
            return Applied(event, record_payment(claim_id, tenant_id, record, money))
        # A refund or chargeback finds the claim of the payment it takes back, noted when that payment was
        # applied; else the claim the event names.
        found = money.payments.find_by_provider_reference(tenant_id, provider, event.provider_reference)
        return Applied(event, record_reversal(found or claim_id, tenant_id, record, money))
    except (ClaimNotFoundError, PaymentTakenError):
        if provider != "adyen":
            raise
        # Adyen batches notifications and retries the whole batch on any error: a payment of the merchant's account
        # that is not one of this tenant's claims, or one that paid another claim already, is acknowledged and
        # logged, not applied.
        logger.warning("PSP event not applied to a claim of this tenant", provider=provider, claim_id=claim_id)
        return Applied(event, None)
