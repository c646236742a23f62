"""Over-payments go back to the debtor: the merchant records the refund it made, and `overpaid` comes down by it.

Money beyond the balance is kept on the claim (`Ledger.overpaid`, a `payment.overpaid` event for the merchant's
webhooks). A refund through the PSP comes back as a reversal by itself; one the merchant made by bank transfer
is recorded here. It takes the same path as every reversal (services.payments.record_reversal), limited to
what was over-paid, so a refund can never make the debtor owe again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.errors import InvalidInputError
from chalicelib.services.payments import record_reversal
from chalicelib.services.ports import PaymentRecord

if TYPE_CHECKING:
    from chalicelib.services.payments import MoneyPorts, PaymentOutcome


def refund_overpayment(
    claim_id: str, tenant_id: str, amount: int, key: str, reference: str | None, money: MoneyPorts
) -> PaymentOutcome:
    """`key` names the refund (the merchant's reference or Idempotency-Key): the same refund twice counts once."""
    claim = money.claims.get(claim_id, tenant_id)
    payment_key = f"merchant-refund#{key}"
    recorded = {p["payment_key"] for p in money.payments.payments(claim_id)}
    if payment_key not in recorded and not 0 < amount <= claim.ledger.overpaid:
        raise InvalidInputError("amount", f"at most the over-paid {claim.ledger.overpaid} (minor units)")
    refund = PaymentRecord(
        payment_key=payment_key,
        amount=amount,
        currency=claim.ledger.currency,
        provider="merchant",
        reference=reference,
        data={"kind": "refund"},
    )
    return record_reversal(claim_id, tenant_id, refund, money)
