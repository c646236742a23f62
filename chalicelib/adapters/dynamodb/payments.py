"""DynamoPaymentRepository: one item per movement of money (claim_id, payment_key), written with the claim at once.

The payments table refuses a payment_key twice, so a webhook delivered again or a statement imported twice
changes nothing; the PSP's payment id is kept as a lookup, so that its refunds and disputes find the claim.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.mapping import claim_from_model, claim_to_model, event_to_model
from chalicelib.adapters.dynamodb.models import LookupModel, PaymentModel
from chalicelib.adapters.dynamodb.transactions import Transactions, new_event_id, raise_if_throttled, reasons
from chalicelib.domain.errors import AlreadyDoneError, ConflictError

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.events import Event
    from chalicelib.services.ports import PaymentRecord


class DynamoPaymentRepository:
    def __init__(self, transactions: Transactions | None = None) -> None:
        self._transactions = transactions or Transactions()

    def apply_payment(self, claim: Claim, payment: PaymentRecord, events: list[Event]) -> Claim:
        item = claim_to_model(claim)
        record = PaymentModel(
            claim.claim_id,
            payment.payment_key,
            amount=payment.amount,
            currency=payment.currency,
            provider=payment.provider,
            reference=payment.reference,
            paid_at=payment.paid_at,
            data=payment.data,
        )
        try:
            with self._transactions.write() as tx:
                tx.save(record, condition=PaymentModel.payment_key.does_not_exist())
                if payment.psp_payment_id:
                    key = keys.provider_payment(payment.provider, payment.psp_payment_id)
                    tx.save(LookupModel(key, target=claim.claim_id, tenant_id=claim.tenant_id))
                tx.save(item)
                for event in events:
                    tx.save(event_to_model(claim.claim_id, claim.tenant_id, event, new_event_id()))
        except TransactWriteError as exc:
            raise_if_throttled(exc)
            if reasons(exc)[:1] == ["ConditionalCheckFailed"]:
                raise AlreadyDoneError(f"payment {payment.payment_key} was applied before") from exc
            raise ConflictError(f"claim {claim.claim_id} changed meanwhile") from exc
        return claim_from_model(item)

    def payments(self, claim_id: str) -> list[dict[str, Any]]:
        return [
            {"payment_key": p.payment_key, "amount": int(p.amount), "provider": p.provider, "paid_at": p.paid_at}
            for p in PaymentModel.query(claim_id, consistent_read=True)
        ]

    def find_by_provider_reference(self, provider: str, reference: str) -> str | None:
        try:
            return str(LookupModel.get(keys.provider_payment(provider, reference), consistent_read=True).target)
        except DoesNotExist:
            return None
