"""Sending a stage's message on in-memory ports: once per stage and channel, never after settlement, retried safely."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

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
    from chalicelib.domain.claim import Claim
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit


def send(ports: InMemoryPorts, claim: Claim, channel: Channel = Channel.EMAIL, index: int | None = None) -> str:
    stage_index = claim.next_stage_index if index is None else index
    return send_contact(
        claim.claim_id,
        claim.tenant_id,
        stage_index,
        channel,
        ports.claims,
        ports.timeline,
        ports.deliveries,
        ports.tenants,
        ports.senders,
        ports.clock,
        LINKS,
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
