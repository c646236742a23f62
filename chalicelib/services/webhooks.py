"""Inbound webhooks: verify the sender, then turn the event into a payment on the claim."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.payments import sandbox
from chalicelib.domain.errors import NotFoundError, SignatureError
from chalicelib.services.payments import PaymentOutcome, record_payment
from chalicelib.services.ports import PaymentRecord

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import ClaimRepository, TenantRepository, WorkflowClient

PROVIDERS = ("sandbox",)


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
) -> PaymentOutcome | None:
    if provider not in PROVIDERS:
        raise UnknownProviderError(f"no webhook provider '{provider}'")
    tenant = tenants.get(tenant_id)
    secret = tenant.webhook_secret(provider)
    if not secret:
        raise SignatureError(f"tenant has no secret for {provider}")
    sandbox.verify(secret, headers, body)
    payment = sandbox.parse(body)
    if payment is None:
        return None
    record = PaymentRecord(
        payment_key=f"{provider}#{payment.event_id}",
        amount=payment.amount,
        currency=payment.currency,
        provider=provider,
        reference=payment.payment_id,
    )
    return record_payment(payment.claim_id, tenant_id, record, claims, workflow, clock)
