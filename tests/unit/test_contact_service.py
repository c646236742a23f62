"""Sending a stage's message on in-memory ports: once per stage and channel, never after settlement, retried safely."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib.domain.agreement import Pause
from chalicelib.domain.claim import Status
from chalicelib.domain.errors import TransientError
from chalicelib.domain.events import EventType
from chalicelib.domain.ladder import Channel
from chalicelib.domain.payment_reference import pretty
from chalicelib.services.contact import send_contact
from chalicelib.services.pay_tokens import pay_url
from chalicelib.services.payments import record_payment
from chalicelib.services.ports import PaymentRecord
from tests.unit.fake_world import LINKS, PAY_SECRET, at_stage, hand_over, world

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.domain.claim import Claim
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit


def send(
    ports: InMemoryPorts,
    claim: Claim,
    channel: Channel = Channel.EMAIL,
    index: int | None = None,
    send_at: datetime | None = None,
    deliveries: Any = None,
) -> str:
    stage_index = claim.next_stage_index if index is None else index
    return send_contact(
        claim.claim_id,
        claim.tenant_id,
        stage_index,
        channel,
        ports.claims,
        ports.timeline,
        deliveries or ports.deliveries,
        ports.tenants,
        ports.senders,
        ports.clock,
        LINKS,
        send_at,
    )


def types(ports: InMemoryPorts, claim: Claim) -> list[str]:
    return ports.timeline.types(claim.claim_id)


def test_a_stage_is_sent_once_however_often_the_step_runs() -> None:
    ports = world()
    claim = hand_over(ports)

    assert send(ports, claim) == "sent"
    assert send(ports, claim) == "already_sent"

    assert len(ports.sent()) == 1
    assert types(ports, claim).count(EventType.MESSAGE_SENT) == 1
    assert ports.deliveries.state(claim.claim_id, "reminder", "email") == "sent"


def test_the_message_names_the_balance_and_carries_the_pay_link_and_the_payment_reference() -> None:
    ports = world()
    claim = hand_over(ports, amount=4990)

    send(ports, claim)

    [message] = ports.sent()
    assert (message.to, message.stage, message.language) == ("erika@example.com", "reminder", "de")
    assert pay_url(LINKS.base_url, PAY_SECRET, claim.claim_id) in message.body
    assert pretty(claim.payment_reference) in message.body
    assert "49,90" in message.body


def test_a_claim_paid_before_the_send_is_not_contacted() -> None:
    # GIVEN the execution planned the reminder, and the debtor paid meanwhile
    ports = world()
    claim = hand_over(ports, amount=4990)
    record_payment(claim.claim_id, "shop", PaymentRecord("merchant#1", 4990, "EUR", "merchant"), ports.money())
    # WHEN the reminder's step runs
    outcome = send(ports, claim)
    # THEN nothing is sent, and the timeline says why
    assert outcome == "skipped"
    assert ports.sent() == []
    assert types(ports, claim)[-1] == EventType.CONTACT_SKIPPED


@pytest.mark.parametrize("status", [Status.PROMISED, Status.DISPUTED, Status.CANCELLED, Status.HANDED_OVER])
def test_a_claim_held_by_an_agreement_or_closed_is_not_contacted(status: Status) -> None:
    ports = world()
    claim = ports.given(replace(hand_over(ports), status=status))

    assert send(ports, claim) == "skipped"
    assert ports.sent() == []


def test_a_retry_of_a_stage_already_completed_sends_nothing() -> None:
    ports = world()
    claim = at_stage(ports, hand_over(ports), "sms")

    assert send(ports, claim, index=claim.next_stage_index - 1) == "already_sent"
    assert ports.sent() == []


def test_a_transient_failure_frees_the_stage_so_the_retry_sends_it_once() -> None:
    ports = world()
    claim = hand_over(ports)
    ports.senders[Channel.EMAIL].fail_transiently()

    with pytest.raises(TransientError):
        send(ports, claim)
    assert send(ports, claim) == "sent"

    assert len(ports.sent()) == 1
    failed = [e for e in ports.timeline.events(claim.claim_id) if e.type == EventType.MESSAGE_FAILED]
    assert [e.data["retryable"] for e in failed] == [True]


def test_a_permanent_failure_is_recorded_and_never_retried() -> None:
    ports = world()
    claim = hand_over(ports)
    ports.senders[Channel.EMAIL].fail_permanently()

    assert send(ports, claim) == "failed"
    assert send(ports, claim) == "already_sent"

    assert ports.sent() == []
    failed = [e for e in ports.timeline.events(claim.claim_id) if e.type == EventType.MESSAGE_FAILED]
    assert [e.data["retryable"] for e in failed] == [False]


def test_each_channel_of_a_stage_is_its_own_message() -> None:
    ports = world()
    claim = at_stage(ports, hand_over(ports), "final_notice")

    assert send(ports, claim, Channel.EMAIL) == "sent"
    assert send(ports, claim, Channel.LETTER) == "sent"

    assert len(ports.sent(Channel.EMAIL)) == len(ports.sent(Channel.LETTER)) == 1
    assert ports.sent(Channel.LETTER)[0].attachment is not None


def test_the_final_notice_books_its_fee_once_and_asks_for_the_balance_with_it() -> None:
    # GIVEN a consumer's claim of 100.00 at its final notice, whose ladder charges a 2.50 reminder fee
    ports = world()
    claim = at_stage(ports, hand_over(ports, amount=10000), "final_notice")
    # WHEN the email goes out after a failed first try, and then the letter
    ports.senders[Channel.EMAIL].fail_transiently()
    with pytest.raises(TransientError):
        send(ports, claim, Channel.EMAIL)
    send(ports, claim, Channel.EMAIL)
    send(ports, claim, Channel.LETTER)
    # THEN the fee is on the ledger once, and the message shows it
    booked = ports.claims.get(claim.claim_id)
    assert booked.ledger.fees == 250
    assert types(ports, claim).count(EventType.CHARGES_ADDED) == 1
    [email] = ports.sent(Channel.EMAIL)
    assert "2,50" in email.body


# --- the moment of sending: the contact window, and what happened while the message was written --------------------

BERLIN_EVENING = datetime(2026, 3, 2, 18, 59, tzinfo=UTC)  # Monday, 19:59 in Berlin
NEXT_MORNING = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # Tuesday, 08:00 in Berlin


class MeanwhileDeliveries:
    """The message deliveries, with something happening right after the reservation (while the message goes out)."""

    def __init__(self, ports: InMemoryPorts, meanwhile: Callable[[], object]) -> None:
        self._inner = ports.deliveries
        self._meanwhile = meanwhile

    def reserve_delivery(self, claim_id: str, stage: str, channel: str) -> None:
        self._inner.reserve_delivery(claim_id, stage, channel)
        self._meanwhile()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def deferrals(ports: InMemoryPorts, claim: Claim) -> list[dict[str, Any]]:
    return [e.data for e in ports.timeline.events(claim.claim_id) if e.type == EventType.MESSAGE_DEFERRED]


def test_a_step_that_fires_after_the_window_closed_sends_nothing_and_hands_back_to_planning() -> None:
    # GIVEN a reminder whose step runs at 20:30 in Berlin (the local stack ran late)
    ports = world()
    claim = hand_over(ports)
    ports.time.advance(hours=10, minutes=30)

    # WHEN the step runs, THEN nothing goes out, the timeline says until when, and the slot is free
    assert send(ports, claim) == "deferred"
    assert ports.sent() == []
    [deferred] = deferrals(ports, claim)
    assert (deferred["reason"], deferred["until"]) == ("quiet_hours", NEXT_MORNING.isoformat())
    assert ports.deliveries.state(claim.claim_id, "reminder", "email") is None
    # AND planned again for 08:00, it goes out once, at 08:00
    ports.time.now = NEXT_MORNING
    assert send(ports, claim) == "sent"
    [message] = ports.sent()
    assert message.sent_at == NEXT_MORNING
    [sent] = [e for e in ports.timeline.events(claim.claim_id) if e.type == EventType.MESSAGE_SENT]
    assert sent.at == NEXT_MORNING


def test_the_window_is_checked_at_the_moment_the_send_commits_not_when_the_step_began() -> None:
    # GIVEN the step begins at 19:59 in Berlin and the reservation takes two minutes (a loaded machine)
    ports = world()
    claim = hand_over(ports)
    ports.time.now = BERLIN_EVENING
    slow = MeanwhileDeliveries(ports, lambda: ports.time.advance(minutes=2))

    # WHEN the step goes on, THEN the SMS is not sent at 20:01
    assert send(ports, claim, deliveries=slow) == "deferred"
    assert ports.sent() == []
    assert deferrals(ports, claim)[0]["until"] == NEXT_MORNING.isoformat()


def test_a_payment_that_lands_while_the_message_is_on_its_way_stops_it_before_the_provider() -> None:
    # GIVEN the debtor pays in full right after the step reserved the reminder (while it was being written)
    ports = world()
    claim = hand_over(ports, amount=4990)
    payment = PaymentRecord("psp#1", 4990, "EUR", "sandbox")
    paying = MeanwhileDeliveries(ports, lambda: record_payment(claim.claim_id, "shop", payment, ports.money()))

    # WHEN the step goes on, THEN the last consistent read sees the payment: the provider is never called
    assert send(ports, claim, deliveries=paying) == "skipped"
    assert ports.sent() == []
    skipped = [e.data for e in ports.timeline.events(claim.claim_id) if e.type == EventType.CONTACT_SKIPPED]
    assert skipped == [{"stage": "reminder", "channel": "email", "reason": "closed"}]
    # AND the slot is free, for a claim that a refund might re-open
    assert ports.deliveries.state(claim.claim_id, "reminder", "email") is None


def test_a_pause_granted_while_the_message_is_on_its_way_stops_it() -> None:
    ports = world()
    claim = hand_over(ports)

    def pause() -> None:
        current = ports.claims.get(claim.claim_id)
        ports.claims.update(replace(current, agreement=Pause(date(2026, 3, 20), "hospital")), [])

    assert send(ports, claim, deliveries=MeanwhileDeliveries(ports, pause)) == "skipped"
    assert ports.sent() == []


def test_a_partial_payment_while_the_message_is_written_gets_it_written_again_with_the_new_balance() -> None:
    # GIVEN the debtor pays 20.00 of 100.00 while the reminder is being written
    ports = world()
    claim = hand_over(ports, amount=10000)
    payment = PaymentRecord("psp#1", 2000, "EUR", "sandbox")
    paying = MeanwhileDeliveries(ports, lambda: record_payment(claim.claim_id, "shop", payment, ports.money()))

    # WHEN the step goes on, THEN it asks to be planned again rather than send the old balance
    assert send(ports, claim, deliveries=paying) == "deferred"
    assert deferrals(ports, claim)[0]["reason"] == "claim_changed"
    # AND the next run sends the balance that is open now
    assert send(ports, claim) == "sent"
    [message] = ports.sent()
    assert "Offener Betrag: 80,00\xa0€" in message.body


def test_the_step_waits_out_the_fraction_of_a_second_the_state_machine_could_not_and_sends_on_the_moment() -> None:
    # GIVEN Step Functions waited whole seconds and the plan's moment is 0.6 s away
    ports = world()
    claim = hand_over(ports)
    moment = ports.clock.now() + timedelta(seconds=0.6)

    # WHEN the step runs, THEN it sends no earlier than the moment, and the message's time is when it committed
    assert send(ports, claim, send_at=moment) == "sent"
    [message] = ports.sent()
    assert message.sent_at is not None
    assert moment <= message.sent_at < moment + timedelta(seconds=0.01)


def test_a_step_whose_moment_is_far_away_leaves_the_waiting_to_the_state_machine() -> None:
    ports = world()
    claim = hand_over(ports)

    assert send(ports, claim, send_at=ports.clock.now() + timedelta(minutes=5)) == "deferred"
    assert ports.sent() == []
    assert ports.deliveries.state(claim.claim_id, "reminder", "email") is None
