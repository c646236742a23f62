"""DynamoPaymentRepository: one item per movement of money (claim_id, payment_key), written with the claim at once.

The payments table refuses a payment_key twice, so a webhook delivered again or a statement imported twice
changes nothing; the PSP's payment id is kept as a lookup of the tenant's, so that its refunds and disputes find
the claim. The lookup is written only if it is new or already this claim's: one PSP payment never pays two claims,
and no other tenant can take it over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.claims import stored, write_claim
from chalicelib.adapters.dynamodb.mapping import event_to_model
from chalicelib.adapters.dynamodb.models import LookupModel, PaymentModel
from chalicelib.adapters.dynamodb.transactions import Transactions, new_event_id, raise_if_contended, reasons
from chalicelib.domain.errors import AlreadyDoneError, ConflictError, PaymentTakenError
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.events import Event
    from chalicelib.services.ports import PaymentRecord

_FAILED = "ConditionalCheckFailed"


class DynamoPaymentRepository:
    def __init__(self, transactions: Transactions | None = None) -> None:
        self._transactions = transactions or Transactions()

    def apply_payment(self, claim: Claim, payment: PaymentRecord, events: list[Event]) -> Claim:
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
        lookup = None
        if payment.psp_payment_id:
            key = keys.provider_payment(claim.tenant_id, payment.provider, payment.psp_payment_id)
            lookup = LookupModel(key, target=claim.claim_id, tenant_id=claim.tenant_id)
        try:
            with self._transactions.write() as tx:
                tx.save(record, condition=PaymentModel.payment_key.does_not_exist())
                if lookup is not None:
                    new_or_ours = LookupModel.key.does_not_exist() | (LookupModel.target == claim.claim_id)
                    tx.save(lookup, condition=new_or_ours)
                item = write_claim(tx, claim)
                for event in events:
                    tx.save(event_to_model(claim.claim_id, claim.tenant_id, event, new_event_id()))
        except TransactWriteError as exc:
            raise_if_contended(exc, f"claim {claim.claim_id}")
            codes = reasons(exc)
            if codes[:1] == [_FAILED]:
                raise AlreadyDoneError(f"payment {payment.payment_key} was applied before") from exc
            if lookup is not None and codes[1:2] == [_FAILED]:
                raise _taken(claim, payment, lookup.key) from exc
            raise ConflictError(f"claim {claim.claim_id} changed meanwhile") from exc
        return stored(item)

    def payments(self, claim_id: str) -> list[dict[str, Any]]:
        return [
            {"payment_key": p.payment_key, "amount": int(p.amount), "provider": p.provider, "paid_at": p.paid_at}
            for p in PaymentModel.query(claim_id, consistent_read=True)
        ]

    def find_by_provider_reference(self, tenant_id: str, provider: str, reference: str) -> str | None:
        found = _lookup(keys.provider_payment(tenant_id, provider, reference))
        if found is None:
            # Written before lookups were kept per tenant: it counts only where it names this tenant.
            found = _lookup(keys.legacy_provider_payment(provider, reference))
            if found is not None and found.tenant_id != tenant_id:
                return None
        return str(found.target) if found is not None else None


def _lookup(key: str) -> LookupModel | None:
    try:
        return LookupModel.get(key, consistent_read=True)
    except DoesNotExist:
        return None


def _taken(claim: Claim, payment: PaymentRecord, key: str) -> PaymentTakenError:
    owner = _lookup(key)
    other = owner.target if owner is not None else "another claim"
    logger.error(
        "a PSP payment that paid one claim was sent for another",
        claim_id=claim.claim_id,
        other_claim_id=other,
        provider=payment.provider,
        psp_payment_id=payment.psp_payment_id,
    )
    paid = f"{payment.provider} payment {payment.psp_payment_id}"
    return PaymentTakenError(f"{paid} paid claim {other} already; it cannot pay {claim.claim_id}")
