"""Recording money that arrived: applied exactly once, over-payments kept, the workflow told at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.errors import AlreadyDoneError, InvalidInputError
from chalicelib.domain.events import Event, EventType
from chalicelib.observability import count, logger
from chalicelib.services.retries import on_conflict

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import ClaimRepository, PaymentRecord, WorkflowClient


@dataclass(frozen=True)
class PaymentOutcome:
    claim: Claim
    duplicate: bool  # the same payment was applied before: nothing changed


def record_payment(
    claim_id: str,
    tenant_id: str,
    payment: PaymentRecord,
    claims: ClaimRepository,
    workflow: WorkflowClient,
    clock: VirtualClock,
    thank: Callable[[Claim, PaymentRecord], None] | None = None,
) -> PaymentOutcome:
    """Apply the money once; `thank` sends the debtor a thank-you when it settled the claim."""
    if payment.amount <= 0:
        raise InvalidInputError("amount", "must be a positive integer in minor units")

    def attempt() -> PaymentOutcome:
        claim = claims.get(claim_id, tenant_id)
        if payment.currency != claim.ledger.currency:
            raise InvalidInputError("currency", f"the claim is in {claim.ledger.currency}")
        updated, events = _apply(claim, payment, clock)
        try:
            return PaymentOutcome(claims.apply_payment(updated, payment, events), duplicate=False)
        except AlreadyDoneError:
            return PaymentOutcome(claims.get(claim_id, tenant_id), duplicate=True)

    outcome = on_conflict(attempt)
    if not outcome.duplicate:
        count("PaymentsReceived")
        count("AmountRecovered", payment.amount)
        _tell_workflow(outcome.claim, workflow)
        if thank and outcome.claim.status == Status.PAID:
            _thank(thank, outcome.claim, payment)
    return outcome


def _apply(claim: Claim, payment: PaymentRecord, clock: VirtualClock) -> tuple[Claim, list[Event]]:
    now = clock.now()
    was_closed = claim.status in (Status.PAID, Status.CANCELLED)
    ledger = claim.ledger.with_payment(payment.amount)
    events = [
        Event(
            EventType.PAYMENT_RECEIVED,
            now,
            {
                "amount": payment.amount,
                "currency": payment.currency,
                "provider": payment.provider,
                "payment_key": payment.payment_key,
                "reference": payment.reference,
                "paid_at": payment.paid_at,
                "balance": ledger.balance,
            },
        )
    ]
    updated = replace(claim, ledger=ledger)
    if ledger.settled and not was_closed:
        updated = updated.transition(Status.PAID, now)
        events.append(Event(EventType.CLAIM_PAID, now, {"paid": ledger.paid, "stage": claim.stage}))
    overpaid_now = ledger.overpaid - claim.ledger.overpaid
    if overpaid_now > 0 or was_closed:
        # Money on a closed claim, or beyond the balance, belongs to the debtor: record it for a refund.
        events.append(Event(EventType.PAYMENT_OVERPAID, now, {"amount": overpaid_now or payment.amount}))
    return updated, events


def _tell_workflow(claim: Claim, workflow: WorkflowClient) -> None:
    if not claim.task_token:
        return
    event = (
        {"type": "paid"}
        if claim.status == Status.PAID
        else {"type": "partial_payment", "balance": claim.ledger.balance}
    )
    if not workflow.notify(claim.task_token, event):
        logger.info("execution was not waiting; it will see the payment at its next step", claim_id=claim.claim_id)


def _thank(thank: Callable[[Claim, PaymentRecord], None], claim: Claim, payment: PaymentRecord) -> None:
    """The money is applied already: a thank-you that cannot be sent must not fail the payment's request."""
    try:
        thank(claim, payment)
    except Exception:  # noqa: BLE001 - any failure here is logged, the payment stands
        logger.exception("thank-you not sent", claim_id=claim.claim_id)
