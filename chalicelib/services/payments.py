"""Every movement of a claim's money takes this one path, whatever its source (API, PSP, shop, bank).

- record_payment: money arrived. Applied exactly once, over-payments kept, the workflow told at once.
- record_reversal: a refund or chargeback took money back. A paid claim is due again and dunning resumes.
- credit_claim: the merchant credited (part of) the invoice. A full credit cancels the claim.

Each is keyed by the provider's id for the movement (the payments table refuses a key twice), so a
webhook delivered again or a bank statement imported twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from chalicelib.domain.claim import CONTACTABLE, PAYABLE, Claim, Status
from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.errors import AlreadyDoneError, InvalidInputError
from chalicelib.domain.events import Event, EventType
from chalicelib.observability import count, logger
from chalicelib.services.ports import (
    REOPENED_RUN,
    ClaimRepository,
    PaymentRecord,
    PaymentRepository,
    WorkflowClient,
)
from chalicelib.services.retries import RACE_BUDGET_SECONDS, on_conflict

ThankYou = Callable[[Claim, PaymentRecord], None]


@dataclass(frozen=True)
class MoneyPorts:
    """What the money path needs, built once in bootstrap (Container.money) and passed on whole.

    `thank` sends the debtor a thank-you when a payment settles the claim; None sends none. `race_budget` is how
    long a movement keeps retrying the races it loses for the claim (services.retries): the stage's setting.
    """

    claims: ClaimRepository
    payments: PaymentRepository
    workflow: WorkflowClient
    clock: VirtualClock
    thank: ThankYou | None = None
    race_budget: float = RACE_BUDGET_SECONDS


@dataclass(frozen=True)
class PaymentOutcome:
    claim: Claim
    duplicate: bool  # the same payment was applied before: nothing changed


def record_payment(claim_id: str, tenant_id: str, payment: PaymentRecord, money: MoneyPorts) -> PaymentOutcome:
    """Apply the money once, tell the waiting execution, and thank the debtor when it settled the claim."""
    _require_positive(payment)
    claims = money.claims

    def attempt() -> PaymentOutcome:
        claim = claims.get(claim_id, tenant_id)
        _require_currency(claim, payment)
        updated, events = _apply(claim, payment, money.clock)
        try:
            return PaymentOutcome(money.payments.apply_payment(updated, payment, events), duplicate=False)
        except AlreadyDoneError:
            return PaymentOutcome(claims.get(claim_id, tenant_id), duplicate=True)

    outcome = on_conflict(attempt, money.race_budget)
    if not outcome.duplicate:
        count("PaymentsReceived")
        count("AmountRecovered", payment.amount)
        _tell_workflow(outcome.claim, money.workflow)
        if money.thank and outcome.claim.status == Status.PAID:
            _thank(money.thank, outcome.claim, payment)
    return outcome


def record_reversal(claim_id: str, tenant_id: str, reversal: PaymentRecord, money: MoneyPorts) -> PaymentOutcome:
    """Take back refunded or charged-back money (`reversal.amount` > 0, kind in `reversal.data["kind"]`).

    A paid claim whose balance is due again re-opens and runs a fresh execution from the stage it
    had reached; a claim still in dunning sees the higher balance at its next step.
    """
    _require_positive(reversal)
    claims, workflow = money.claims, money.workflow

    def attempt() -> tuple[PaymentOutcome, bool]:
        claim = claims.get(claim_id, tenant_id)
        _require_currency(claim, reversal)
        updated, events = _reverse(claim, reversal, money.clock)
        stored = replace(reversal, amount=-(claim.ledger.paid - updated.ledger.paid))
        try:
            applied = money.payments.apply_payment(updated, stored, events)
            return PaymentOutcome(applied, duplicate=False), updated.reopened > claim.reopened
        except AlreadyDoneError:
            return PaymentOutcome(claims.get(claim_id, tenant_id), duplicate=True), False

    outcome, reopened_now = on_conflict(attempt, money.race_budget)
    claim = outcome.claim
    if not outcome.duplicate:
        count("PaymentsReversed")
    if reopened_now or (outcome.duplicate and _run_never_started(claim, workflow)):
        # A paid claim's execution has ended: the re-opened claim runs in a fresh one, `<claim>-r<n>`. Its name
        # is new for each re-opening, so starting it again is refused, and an older run still in flight at this
        # moment gives way to it at its next step (services.workflow: a superseded run continues in the new one).
        workflow.start(claim.claim_id, claim.tenant_id, REOPENED_RUN * claim.reopened)
    elif not outcome.duplicate and claim.task_token:
        workflow.notify(claim.task_token, {"type": "replan"})
    return outcome


def credit_claim(claim_id: str, tenant_id: str, credit: PaymentRecord, money: MoneyPorts) -> PaymentOutcome:
    """A credit note or refund in the shop lowers what the invoice asks; crediting all of it cancels the claim."""
    _require_positive(credit)
    claims, workflow = money.claims, money.workflow

    def attempt() -> PaymentOutcome:
        claim = claims.get(claim_id, tenant_id)
        _require_currency(claim, credit)
        updated, events = _credit(claim, credit, money.clock)
        stored = replace(credit, amount=0, data={**credit.data, "kind": "credit", "credited": credit.amount})
        try:
            return PaymentOutcome(money.payments.apply_payment(updated, stored, events), duplicate=False)
        except AlreadyDoneError:
            return PaymentOutcome(claims.get(claim_id, tenant_id), duplicate=True)

    outcome = on_conflict(attempt, money.race_budget)
    if not outcome.duplicate and outcome.claim.task_token:
        event_type = "cancelled" if outcome.claim.status == Status.CANCELLED else "replan"
        if outcome.claim.status == Status.PAID:
            event_type = "paid"
        workflow.notify(outcome.claim.task_token, {"type": event_type})
    return outcome


def _run_never_started(claim: Claim, workflow: WorkflowClient) -> bool:
    """A reversal delivered again after its first delivery re-opened the claim but failed to start the run."""
    if not claim.reopened or claim.status not in CONTACTABLE:
        return False
    return workflow.status(claim.claim_id, REOPENED_RUN * claim.reopened) is None


def _require_positive(payment: PaymentRecord) -> None:
    if payment.amount <= 0:
        raise InvalidInputError("amount", "must be a positive integer in minor units")


def _require_currency(claim: Claim, payment: PaymentRecord) -> None:
    if payment.currency != claim.ledger.currency:
        raise InvalidInputError("currency", f"the claim is in {claim.ledger.currency}")


def _reverse(claim: Claim, reversal: PaymentRecord, clock: VirtualClock) -> tuple[Claim, list[Event]]:
    now = clock.now()
    ledger = claim.ledger.with_reversal(reversal.amount)
    kind = reversal.data.get("kind", "refund")
    events = [
        Event(
            EventType.PAYMENT_REVERSED,
            now,
            {
                "amount": claim.ledger.paid - ledger.paid,
                "requested": reversal.amount,
                "currency": reversal.currency,
                "kind": kind,
                "provider": reversal.provider,
                "payment_key": reversal.payment_key,
                "reference": reversal.reference,
                "balance": ledger.balance,
            },
        )
    ]
    updated = replace(claim, ledger=ledger)
    if claim.status == Status.PAID and ledger.balance > 0:
        updated = updated.reopen()
        events.append(Event(EventType.CLAIM_REOPENED, now, {"reason": kind, "balance": ledger.balance}))
    return updated, events


def _credit(claim: Claim, credit: PaymentRecord, clock: VirtualClock) -> tuple[Claim, list[Event]]:
    now = clock.now()
    ledger = claim.ledger.with_credit(credit.amount)
    updated = replace(claim, ledger=ledger)
    events = [
        Event(
            EventType.CLAIM_CREDITED,
            now,
            {
                "amount": claim.ledger.principal - ledger.principal,
                "currency": credit.currency,
                "provider": credit.provider,
                "reference": credit.reference,
                "principal": ledger.principal,
                "balance": ledger.balance,
            },
        )
    ]
    if claim.closed:
        return updated, events
    if ledger.principal == 0:
        events.append(Event(EventType.CLAIM_CANCELLED, now, {"reason": "credited in full"}))
        return updated.transition(Status.CANCELLED, now), events
    if ledger.settled:
        # What was paid already covers the credited invoice.
        events.append(Event(EventType.CLAIM_PAID, now, {"paid": ledger.paid, "stage": claim.stage}))
        return updated.transition(Status.PAID, now), events
    return updated, events


def _apply(claim: Claim, payment: PaymentRecord, clock: VirtualClock) -> tuple[Claim, list[Event]]:
    now = clock.now()
    nothing_due = claim.status not in PAYABLE
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
    if ledger.settled and not nothing_due:
        updated = updated.transition(Status.PAID, now)
        events.append(Event(EventType.CLAIM_PAID, now, {"paid": ledger.paid, "stage": claim.stage}))
    overpaid_now = ledger.overpaid - claim.ledger.overpaid
    if overpaid_now > 0 or nothing_due:
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


def _thank(thank: ThankYou, claim: Claim, payment: PaymentRecord) -> None:
    """The money is applied already: a thank-you that cannot be sent must not fail the payment's request."""
    try:
        thank(claim, payment)
    except Exception:  # noqa: BLE001 - any failure here is logged, the payment stands
        logger.exception("thank-you not sent", claim_id=claim.claim_id)
