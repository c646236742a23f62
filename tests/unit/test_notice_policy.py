"""Notices keep the debtor's contact policy: the window, days of rest and opt-outs; nothing waiting is lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib.domain.agreement import Promise
from chalicelib.domain.errors import ConflictError, TransientError
from chalicelib.domain.events import EventType
from chalicelib.domain.instalments import Instalment
from chalicelib.domain.ladder import Channel
from chalicelib.services.agreement_review import review_agreement
from chalicelib.services.notices import RETRY_AFTER, thank_you
from chalicelib.services.payments import record_payment
from chalicelib.services.ports import PaymentRecord
from tests.unit.fake_world import LINKS, TENANT, debtor, hand_over, world

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim
    from chalicelib.services.notices import Notices
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit

NIGHT = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # Monday, 23:00 in Berlin
MORNING = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # Tuesday, 08:00 in Berlin: the window opens
PROMISED = "2026-03-10"


def confirm_promise(notices: Notices, claim: Claim) -> str:
    return notices.send("promise_confirmed", claim, TENANT, f"promise:{PROMISED}", promise_date=PROMISED)


def events(ports: InMemoryPorts, claim: Claim, kind: EventType) -> list[dict[str, Any]]:
    return [e.data for e in ports.timeline.events(claim.claim_id) if e.type == kind]


def hand_back(ports: InMemoryPorts, notices: Notices) -> list[str]:
    """The `notices` queue delivers everything queued so far to its consumer."""
    return [notices.send_queued(queued, ports.claims, ports.tenants) for queued in ports.notice_queue.take()]


def test_a_debtor_who_opted_out_of_email_gets_no_notice_and_the_timeline_says_why_once() -> None:
    ports = world()
    claim = hand_over(ports, debtor=debtor(opt_outs=frozenset({"email"})))
    notices = ports.notices(LINKS)

    assert confirm_promise(notices, claim) == "withheld"
    assert confirm_promise(notices, claim) == "already_sent"  # the form sent twice

    assert ports.sent() == []
    assert events(ports, claim, EventType.CONTACT_SKIPPED) == [
        {"stage": "notice:promise_confirmed", "channel": "email", "key": f"promise:{PROMISED}", "reason": "opted_out"}
    ]


def test_a_confirmation_asked_for_at_night_waits_for_the_morning_and_goes_once() -> None:
    # GIVEN a debtor who promises a date on the pay page at 23:00, twice (a double submit)
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.time.now = NIGHT

    assert confirm_promise(notices, claim) == "deferred"
    assert confirm_promise(notices, claim) == "deferred"

    # THEN nothing goes out at night; the timeline says once until when the notice waits
    assert ports.sent() == []
    [deferred] = events(ports, claim, EventType.MESSAGE_DEFERRED)
    assert (deferred["reason"], deferred["until"]) == ("quiet_hours", MORNING.isoformat())
    assert [q.not_before for q, _delay in ports.notice_queue.queued] == [MORNING.timestamp()] * 2
    # WHEN the queue hands both copies back at 08:00, THEN the confirmation goes out once, at 08:00
    ports.time.now = MORNING
    assert hand_back(ports, notices) == ["sent", "already_sent"]
    [message] = ports.sent()
    assert (message.stage, message.sent_at) == ("notice:promise_confirmed", MORNING)


def test_a_queued_notice_handed_back_before_its_moment_waits_on_in_the_queue() -> None:
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.time.now = NIGHT
    confirm_promise(notices, claim)

    # SQS hides a message for 15 minutes at most: it comes back long before 08:00
    ports.time.advance(minutes=15)
    assert hand_back(ports, notices) == ["waiting"]

    [(queued, delay)] = ports.notice_queue.queued
    assert queued.not_before == MORNING.timestamp()
    assert delay == (MORNING - ports.time.now).total_seconds()
    assert ports.sent() == []


def test_a_notice_due_on_christmas_day_waits_for_the_next_working_day() -> None:
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.time.now = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)  # Friday 11:00, a holiday; then Saturday, Sunday

    sent = notices.send("promise_confirmed", claim, TENANT, "promise:2027-01-05", promise_date="2027-01-05")
    assert sent == "deferred"

    assert events(ports, claim, EventType.MESSAGE_DEFERRED)[0]["until"] == "2026-12-28T07:00:00+00:00"


def test_the_thank_you_for_a_payment_at_night_goes_out_in_the_morning() -> None:
    ports = world()
    claim = hand_over(ports, amount=4990)
    notices = ports.notices(LINKS)
    ports.time.now = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)

    record_payment(
        claim.claim_id,
        "shop",
        PaymentRecord("psp#1", 4990, "EUR", "sandbox"),
        ports.money(thank_you(notices, ports.tenants)),
    )

    assert ports.sent() == []
    ports.time.now = MORNING
    assert hand_back(ports, notices) == ["sent"]
    assert [m.stage for m in ports.sent()] == ["notice:thank_you"]


def test_a_reminder_of_a_missed_promise_is_not_sent_once_the_claim_was_paid_overnight() -> None:
    ports = world()
    claim = hand_over(ports, amount=4990)
    notices = ports.notices(LINKS)
    ports.time.now = NIGHT
    notices.send("promise_missed", claim, TENANT, f"promise-missed:{PROMISED}", promise_date=PROMISED)
    record_payment(claim.claim_id, "shop", PaymentRecord("psp#1", 4990, "EUR", "sandbox"), ports.money())

    ports.time.now = MORNING
    assert hand_back(ports, notices) == ["skipped"]
    assert ports.sent() == []
    assert events(ports, claim, EventType.CONTACT_SKIPPED)[-1]["reason"] == "closed"


def test_a_message_to_the_merchant_is_not_held_to_the_debtors_window() -> None:
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.time.now = NIGHT

    status = notices.send("contact_forwarded", claim, TENANT, "contact:1", to_merchant=True, message="Call me")

    assert status == "sent"
    assert [m.to for m in ports.sent()] == [TENANT.support_email]


def test_a_notice_whose_provider_is_down_is_queued_and_sent_once_the_provider_is_back() -> None:
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.senders[Channel.EMAIL].fail_transiently()

    assert confirm_promise(notices, claim) == "deferred"

    [failed] = events(ports, claim, EventType.MESSAGE_FAILED)
    assert failed["retryable"] is True
    [(queued, _delay)] = ports.notice_queue.queued
    assert queued.failures == 1
    assert queued.not_before == (ports.time.now + RETRY_AFTER[0]).timestamp()
    ports.time.advance(minutes=5)
    assert hand_back(ports, notices) == ["sent"]
    assert len(ports.sent()) == 1


def test_a_notice_is_given_up_when_its_provider_fails_after_every_retry() -> None:
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.senders[Channel.EMAIL].fail_transiently(times=len(RETRY_AFTER) + 1)

    outcomes = [confirm_promise(notices, claim)]
    for _ in RETRY_AFTER:
        ports.time.advance(days=1)  # past every retry's moment, and inside the window again
        outcomes += hand_back(ports, notices)

    assert outcomes == ["deferred"] * len(RETRY_AFTER) + ["failed"]
    assert [f["retryable"] for f in events(ports, claim, EventType.MESSAGE_FAILED)][-1] is False
    assert ports.notice_queue.queued == []


def test_when_even_the_queue_refuses_a_notice_the_caller_is_told_and_nothing_is_recorded() -> None:
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.time.now = NIGHT
    ports.notice_queue.refuse()

    with pytest.raises(TransientError):
        confirm_promise(notices, claim)

    assert events(ports, claim, EventType.MESSAGE_DEFERRED) == []
    assert confirm_promise(notices, claim) == "deferred"  # the caller's retry queues it


# --- the review of an agreement -----------------------------------------------------------------------------------


def promised(ports: InMemoryPorts, claim: Claim) -> Claim:
    """The debtor promised to pay by Monday 9 March; the workflow looks on the deadline, Wednesday 11 March."""
    promise = Promise(datetime(2026, 3, 9).date(), datetime(2026, 3, 11).date())
    return ports.claims.update(replace(claim, agreement=promise, status=claim.status.PROMISED), [])


def review(ports: InMemoryPorts, claims: Any = None) -> str:
    claim_id = next(iter(ports.tables.claims))
    return review_agreement(claim_id, "shop", claims or ports.claims, ports.tenants, ports.notices(LINKS), ports.clock)


class ConflictOnce:
    """The claims port, with the first write losing a race (another request wrote the claim meanwhile)."""

    def __init__(self, ports: InMemoryPorts) -> None:
        self._inner = ports.claims
        self.conflicts = 1

    def update(self, claim: Claim, events: list[Any]) -> Claim:
        if self.conflicts:
            self.conflicts -= 1
            raise ConflictError("changed meanwhile")
        return self._inner.update(claim, events)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_missed_promise_whose_decision_had_to_be_written_twice_is_told_once() -> None:
    ports = world()
    promised(ports, hand_over(ports))
    ports.time.now = datetime(2026, 3, 11, 7, 0, tzinfo=UTC)  # the deadline, 08:00 in Berlin

    assert review(ports, ConflictOnce(ports)) == "promise_missed"

    assert [m.stage for m in ports.sent()] == ["notice:promise_missed"]
    assert ports.timeline.types(next(iter(ports.tables.claims))).count(EventType.PROMISE_BROKEN) == 1


def test_a_review_whose_notice_cannot_even_be_queued_decides_nothing_so_its_retry_tells_the_debtor() -> None:
    # GIVEN the review ran late, at night, and the queue refuses the notice that must wait for the morning
    ports = world()
    claim = promised(ports, hand_over(ports))
    ports.time.now = datetime(2026, 3, 11, 22, 0, tzinfo=UTC)
    ports.notice_queue.refuse()

    # WHEN the review fails, THEN the promise is still in force: nothing was decided without telling the debtor
    with pytest.raises(TransientError):
        review(ports)
    assert isinstance(ports.claims.get(claim.claim_id).agreement, Promise)
    # AND the state machine's retry decides and queues the notice for the morning
    assert review(ports) == "promise_missed"
    assert ports.claims.get(claim.claim_id).agreement is None
    ports.time.now = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
    assert hand_back(ports, ports.notices(LINKS)) == ["sent"]
    assert ports.sent()[0].sent_at == ports.time.now


def test_notices_arrive_together_with_the_delay_the_queue_is_asked_for() -> None:
    # At 23:00 the window opens in nine hours; SQS clamps what it is asked to 15 minutes itself.
    ports = world()
    claim = hand_over(ports)
    ports.time.now = NIGHT
    confirm_promise(ports.notices(LINKS), claim)

    [(_queued, delay)] = ports.notice_queue.queued
    assert delay == int(timedelta(hours=9).total_seconds())


@pytest.mark.parametrize(("handed_back", "outcome"), [(MORNING, "sent"), (MORNING + timedelta(days=1), "skipped")])
def test_a_reminder_of_an_upcoming_instalment_that_waited_past_its_due_date_is_not_sent(
    handed_back: datetime, outcome: str
) -> None:
    # GIVEN the reminder of an instalment due on Tuesday, asked for on Monday night
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.time.now = NIGHT
    due_tuesday = Instalment(2, MORNING.date(), 3000)
    assert notices.send("instalment_upcoming", claim, TENANT, "instalment-upcoming:2", instalment=due_tuesday) == (
        "deferred"
    )

    # WHEN the queue hands it back on the due date, or only the day after
    ports.time.now = handed_back

    # THEN on the due date it goes; after it, it would call upcoming what is due, so it is skipped and says why
    assert hand_back(ports, notices) == [outcome]
    assert [m.stage for m in ports.sent()] == (["notice:instalment_upcoming"] if outcome == "sent" else [])
    skipped = [e["reason"] for e in events(ports, claim, EventType.CONTACT_SKIPPED)]
    assert skipped == ([] if outcome == "sent" else ["overtaken"])


def test_a_promise_confirmation_that_waited_past_the_promised_day_is_not_sent() -> None:
    # GIVEN a promise for Tuesday made on Monday night: its confirmation waits for the morning
    ports = world()
    claim = hand_over(ports)
    notices = ports.notices(LINKS)
    ports.time.now = NIGHT
    tuesday = MORNING.date().isoformat()
    assert notices.send("promise_confirmed", claim, TENANT, f"promise:{tuesday}", promise_date=tuesday) == "deferred"

    # WHEN the queue hands it back only on Wednesday, THEN it would confirm a day gone by: skipped, saying why
    ports.time.now = MORNING + timedelta(days=1)
    assert hand_back(ports, notices) == ["skipped"]
    assert ports.sent() == []
    assert [e["reason"] for e in events(ports, claim, EventType.CONTACT_SKIPPED)] == ["overtaken"]
