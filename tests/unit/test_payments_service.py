"""The money path on in-memory ports: each payment once, over-payments kept, refunds re-open, credits lower it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib.adapters.workflow.sfn import execution_name
from chalicelib.domain.claim import Status
from chalicelib.domain.errors import InvalidInputError, TransientError
from chalicelib.domain.events import EventType
from chalicelib.services.payments import credit_claim, record_payment, record_reversal
from chalicelib.services.ports import REOPENED_RUN, PaymentRecord
from tests.unit.fake_world import at_stage, hand_over, waiting, world

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.domain.claim import Claim
    from chalicelib.domain.events import Event
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit


def payment(amount: int, key: str = "merchant#1", currency: str = "EUR") -> PaymentRecord:
    return PaymentRecord(payment_key=key, amount=amount, currency=currency, provider="merchant")


def refund(amount: int, key: str = "stripe#evt_refund") -> PaymentRecord:
    return PaymentRecord(key, amount, "EUR", "stripe", reference="ch_1", data={"kind": "refund"})


class Thanks:
    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []

    def __call__(self, claim: Claim, record: PaymentRecord) -> None:
        self.sent.append((claim.claim_id, record.amount))


def test_the_same_payment_delivered_twice_is_applied_once() -> None:
    # GIVEN a claim of 100.00 whose execution waits
    ports = world()
    claim = waiting(ports, hand_over(ports, amount=10000))
    thanks = Thanks()
    # WHEN the same payment of 40.00 arrives twice (a webhook delivered again)
    first = record_payment(claim.claim_id, "shop", payment(4000), ports.money(thanks))
    again = record_payment(claim.claim_id, "shop", payment(4000), ports.money(thanks))
    # THEN the ledger holds it once, the timeline names it once, and the second call says so
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.claim.ledger.balance == 6000
    assert [p.amount for p in ports.payments.ledger(claim.claim_id)] == [4000]
    assert ports.timeline.types(claim.claim_id).count(EventType.PAYMENT_RECEIVED) == 1


def test_a_partial_payment_keeps_dunning_and_tells_the_execution_the_balance() -> None:
    ports = world()
    claim = waiting(ports, at_stage(ports, hand_over(ports, amount=10000), "sms"))

    outcome = record_payment(claim.claim_id, "shop", payment(2500), ports.money())

    assert outcome.claim.status == Status.DUNNING
    assert ports.workflow.notified == [("token-1", {"type": "partial_payment", "balance": 7500})]


def test_the_payment_that_settles_the_claim_ends_the_execution_and_thanks_the_debtor_once() -> None:
    ports = world()
    claim = waiting(ports, hand_over(ports, amount=10000))
    thanks = Thanks()

    outcome = record_payment(claim.claim_id, "shop", payment(10000), ports.money(thanks))
    record_payment(claim.claim_id, "shop", payment(10000), ports.money(thanks))

    assert outcome.claim.status == Status.PAID
    assert ports.workflow.events_for("token-1") == ["paid"]
    assert thanks.sent == [(claim.claim_id, 10000)]
    assert EventType.CLAIM_PAID in ports.timeline.types(claim.claim_id)


def test_an_over_payment_settles_the_claim_and_is_recorded_for_the_debtor() -> None:
    ports = world()
    claim = hand_over(ports, amount=10000)

    outcome = record_payment(claim.claim_id, "shop", payment(12500), ports.money())

    assert outcome.claim.status == Status.PAID
    assert outcome.claim.ledger.overpaid == 2500
    [overpaid] = events_of(ports, claim, EventType.PAYMENT_OVERPAID)
    assert overpaid.data["amount"] == 2500


def test_money_on_a_cancelled_claim_is_kept_as_an_over_payment_and_does_not_reopen_it() -> None:
    ports = world()
    claim = hand_over(ports, amount=10000)
    cancelled = ports.given(replace(ports.claims.get(claim.claim_id), status=Status.CANCELLED))

    outcome = record_payment(cancelled.claim_id, "shop", payment(3000), ports.money())

    assert outcome.claim.status == Status.CANCELLED
    [overpaid] = events_of(ports, claim, EventType.PAYMENT_OVERPAID)
    assert overpaid.data["amount"] == 3000


def test_money_that_reaches_a_handed_over_claim_still_settles_it() -> None:
    ports = world()
    claim = ports.given(replace(hand_over(ports, amount=10000), status=Status.HANDED_OVER))

    outcome = record_payment(claim.claim_id, "shop", payment(10000), ports.money())

    assert (outcome.claim.status, outcome.claim.ledger.balance) == (Status.PAID, 0)
    assert events_of(ports, claim, EventType.PAYMENT_OVERPAID) == []


def test_a_payment_in_another_currency_is_refused_and_changes_nothing() -> None:
    ports = world()
    claim = hand_over(ports, amount=10000)

    with pytest.raises(InvalidInputError) as refused:
        record_payment(claim.claim_id, "shop", payment(4000, currency="CHF"), ports.money())

    assert refused.value.field == "currency"
    assert ports.claims.get(claim.claim_id).ledger.paid == 0
    assert ports.payments.ledger(claim.claim_id) == []


@pytest.mark.parametrize("amount", [0, -100])
def test_a_payment_of_nothing_or_less_is_refused(amount: int) -> None:
    ports = world()
    claim = hand_over(ports)

    with pytest.raises(InvalidInputError) as refused:
        record_payment(claim.claim_id, "shop", payment(amount), ports.money())

    assert refused.value.field == "amount"


class BeforeApplying:
    """The payments port, with something else happening once, after the claim was read and before it is written."""

    def __init__(self, ports: InMemoryPorts, meanwhile: Callable[[Claim], object]) -> None:
        self.ports = ports
        self.meanwhile: Callable[[Claim], object] | None = meanwhile

    def apply_payment(self, claim: Claim, record: PaymentRecord, events: list[Event]) -> Claim:
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile(claim)
        return self.ports.payments.apply_payment(claim, record, events)

    def payments(self, claim_id: str) -> list[dict[str, Any]]:
        return self.ports.payments.payments(claim_id)

    def find_by_provider_reference(self, tenant_id: str, provider: str, reference: str) -> str | None:
        return self.ports.payments.find_by_provider_reference(tenant_id, provider, reference)


def test_a_payment_that_loses_a_race_is_applied_on_top_of_the_one_that_won() -> None:
    # GIVEN a claim of 100.00, and another payment of 30.00 that lands while this one is being applied
    ports = world()
    claim = hand_over(ports, amount=10000)
    rival = payment(3000, key="merchant#rival")
    racing = replace(
        ports.money(),
        payments=BeforeApplying(ports, lambda c: record_payment(c.claim_id, c.tenant_id, rival, ports.money())),
    )
    # WHEN this payment of 50.00 is recorded
    outcome = record_payment(claim.claim_id, "shop", payment(5000, key="merchant#mine"), racing)
    # THEN both are on the ledger and the balance counts both
    assert outcome.claim.ledger.balance == 2000
    assert sorted(p.amount for p in ports.payments.ledger(claim.claim_id)) == [3000, 5000]


def test_a_refund_reopens_a_paid_claim_and_starts_its_first_reopened_run() -> None:
    # GIVEN a claim paid in the middle of its ladder: its execution has ended, no wait is open
    ports = world()
    claim = at_stage(ports, hand_over(ports, amount=10000), "call")
    record_payment(claim.claim_id, "shop", payment(10000), ports.money())
    assert ports.claims.get(claim.claim_id).task_token is None
    # WHEN 40.00 of it are refunded
    outcome = record_reversal(claim.claim_id, "shop", refund(4000), ports.money())
    # THEN the claim is dunned again from where it stood, in a run of its own named `-r1`
    reopened = outcome.claim
    assert (reopened.status, reopened.ledger.balance, reopened.reopened) == (Status.DUNNING, 4000, 1)
    assert reopened.next_stage_index == claim.next_stage_index
    started = [(c, g) for c, _, g in ports.workflow.starts if c == claim.claim_id and g]
    assert [execution_name(c, g) for c, g in started] == [f"{claim.claim_id}-r1"]
    assert ports.timeline.types(claim.claim_id)[-2:] == [EventType.PAYMENT_REVERSED, EventType.CLAIM_REOPENED]


def test_a_refund_delivered_twice_takes_the_money_back_once() -> None:
    ports = world()
    claim = hand_over(ports, amount=10000)
    record_payment(claim.claim_id, "shop", payment(10000), ports.money())

    record_reversal(claim.claim_id, "shop", refund(4000), ports.money())
    again = record_reversal(claim.claim_id, "shop", refund(4000), ports.money())

    assert again.duplicate
    assert again.claim.ledger.balance == 4000
    assert len([g for _, _, g in ports.workflow.starts if g]) == 1


def test_a_refund_on_a_claim_still_dunned_makes_its_waiting_execution_plan_again() -> None:
    ports = world()
    claim = hand_over(ports, amount=10000)
    record_payment(claim.claim_id, "shop", payment(6000), ports.money())
    waiting(ports, claim, "token-2")

    outcome = record_reversal(claim.claim_id, "shop", refund(2000), ports.money())

    assert outcome.claim.ledger.balance == 6000
    assert ports.workflow.events_for("token-2") == ["replan"]
    assert [g for _, _, g in ports.workflow.starts if g] == []


def test_a_refund_larger_than_what_was_paid_takes_back_only_what_was_paid() -> None:
    ports = world()
    claim = hand_over(ports, amount=10000)
    record_payment(claim.claim_id, "shop", payment(3000), ports.money())

    outcome = record_reversal(claim.claim_id, "shop", refund(5000), ports.money())

    assert outcome.claim.ledger.paid == 0
    [reversed_] = events_of(ports, claim, EventType.PAYMENT_REVERSED)
    assert (reversed_.data["amount"], reversed_.data["requested"]) == (3000, 5000)


def test_a_full_credit_cancels_the_claim_and_ends_its_execution() -> None:
    ports = world()
    claim = waiting(ports, hand_over(ports, amount=10000))
    credit = PaymentRecord("shopify#credit#1", 10000, "EUR", "shopify", reference="1")

    outcome = credit_claim(claim.claim_id, "shop", credit, ports.money())

    assert (outcome.claim.status, outcome.claim.ledger.principal) == (Status.CANCELLED, 0)
    assert ports.workflow.events_for("token-1") == ["cancelled"]


def test_a_credit_down_to_what_was_paid_already_settles_the_claim() -> None:
    ports = world()
    claim = hand_over(ports, amount=10000)
    record_payment(claim.claim_id, "shop", payment(6000), ports.money())
    waiting(ports, claim)
    credit = PaymentRecord("shopify#credit#1", 4000, "EUR", "shopify", reference="1")

    outcome = credit_claim(claim.claim_id, "shop", credit, ports.money())

    assert outcome.claim.status == Status.PAID
    assert ports.workflow.events_for("token-1") == ["paid"]


def events_of(ports: InMemoryPorts, claim: Claim, kind: EventType) -> list[Event]:
    return [e for e in ports.timeline.events(claim.claim_id) if e.type == kind]


def test_a_payment_read_before_a_newer_wait_began_resumes_the_newer_wait_and_keeps_its_token() -> None:
    # GIVEN an execution waiting on token-1, which moves on to a newer wait (token-2) while a payment is applied
    ports = world()
    claim = waiting(ports, hand_over(ports, amount=10000), "token-1")
    newer_wait = BeforeApplying(ports, lambda c: ports.task_tokens.set_task_token(c.claim_id, "token-2"))
    racing = replace(ports.money(), payments=newer_wait)
    # WHEN the payment of 30.00, read with token-1, is written
    record_payment(claim.claim_id, "shop", payment(3000), racing)
    # THEN the wait that is open now hears of it, and the claim still holds its token for the next payment
    assert ports.workflow.events_for("token-2") == ["partial_payment"]
    assert ports.workflow.events_for("token-1") == []
    assert ports.claims.get(claim.claim_id).task_token == "token-2"
    record_payment(claim.claim_id, "shop", payment(7000, key="merchant#2"), ports.money())
    assert ports.workflow.events_for("token-2") == ["partial_payment", "paid"]


def test_the_payment_that_closes_the_claim_takes_the_token_along() -> None:
    ports = world()
    claim = waiting(ports, hand_over(ports, amount=10000), "token-1")

    record_payment(claim.claim_id, "shop", payment(10000), ports.money())

    assert ports.workflow.events_for("token-1") == ["paid"]
    assert ports.claims.get(claim.claim_id).task_token is None


def test_a_claim_refunded_in_full_after_its_wait_was_ended_by_the_payment_is_dunned_in_a_fresh_run() -> None:
    # GIVEN a claim paid in the middle of its ladder while its execution waited: the payment ended that wait
    ports = world()
    claim = waiting(ports, at_stage(ports, hand_over(ports, amount=10000), "sms"), "token-1")
    record_payment(claim.claim_id, "shop", payment(10000), ports.money())
    # WHEN all of it is refunded
    outcome = record_reversal(claim.claim_id, "shop", refund(10000), ports.money())
    # THEN the claim is dunned again in `-r1`, and no ended wait is told anything
    assert (outcome.claim.status, outcome.claim.ledger.balance) == (Status.DUNNING, 10000)
    assert ports.workflow.status(claim.claim_id, REOPENED_RUN) == "RUNNING"
    assert ports.workflow.events_for("token-1") == ["paid"]


def test_a_refund_delivered_again_starts_the_fresh_run_its_first_delivery_could_not() -> None:
    # GIVEN a refund that re-opened the paid claim, but Step Functions was down when its run was to start
    ports = world()
    claim = hand_over(ports, amount=10000)
    record_payment(claim.claim_id, "shop", payment(10000), ports.money())
    down = replace(ports.money(), workflow=Unavailable())
    with pytest.raises(TransientError):
        record_reversal(claim.claim_id, "shop", refund(10000), down)
    # WHEN the PSP delivers the refund again
    again = record_reversal(claim.claim_id, "shop", refund(10000), ports.money())
    # THEN nothing is taken back twice, and the run starts now; a third delivery starts nothing more
    record_reversal(claim.claim_id, "shop", refund(10000), ports.money())
    assert (again.duplicate, again.claim.ledger.balance) == (True, 10000)
    assert [g for c, _, g in ports.workflow.starts if c == claim.claim_id and g] == [REOPENED_RUN]


class Unavailable:
    def start(self, claim_id: str, tenant_id: str, generation: int = 0) -> str:
        raise TransientError("Step Functions is unavailable")

    def notify(self, task_token: str, event: dict[str, Any]) -> bool:
        raise TransientError("Step Functions is unavailable")

    def status(self, claim_id: str, generation: int = 0) -> str | None:
        raise TransientError("Step Functions is unavailable")

    def stop(self, claim_id: str, generation: int, cause: str) -> None:
        raise TransientError("Step Functions is unavailable")
