"""The state machine's deciding steps on in-memory ports: plan, wait on a token, complete a stage once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import pytest

from chalicelib.domain.agreement import Pause, Promise
from chalicelib.domain.agreements import DEFAULT_RULES
from chalicelib.domain.claim import Status
from chalicelib.domain.events import EventType
from chalicelib.domain.promises import promise_deadline
from chalicelib.services.payments import record_payment, record_reversal
from chalicelib.services.ports import REOPENED_RUN, PaymentRecord
from chalicelib.services.workflow import Lifetime, complete_stage, plan, register_wait
from tests.unit.fake_world import at_stage, hand_over, world

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit


def wait(ports: InMemoryPorts, claim_id: str, token: str, planned: str = "contact") -> None:
    register_wait(claim_id, "shop", token, planned, ports.claims, ports.task_tokens, ports.workflow, ports.clock)


def test_the_plan_names_the_next_stage_its_channels_and_how_long_to_wait() -> None:
    ports = world()
    claim = hand_over(ports, due_in_days=0)

    planned = plan(claim.claim_id, "shop", ports.claims, ports.clock)["plan"]

    # the reminder is three days after the due date, at 08:00 in Berlin when the debtor's contact window opens
    send_at = datetime.combine(claim.due_date + timedelta(days=3), time(7, 0), UTC)
    assert (planned["action"], planned["stage"], planned["stage_index"]) == ("contact", "reminder", 0)
    assert planned["channels"]["email"] and not planned["channels"]["sms"]
    assert planned["send_at"] == send_at.isoformat()
    assert planned["wait_seconds"] == (send_at - ports.clock.now()).total_seconds()


def test_a_settled_claim_plans_to_finish() -> None:
    ports = world()
    claim = hand_over(ports, amount=5000)
    record_payment(claim.claim_id, "shop", PaymentRecord("merchant#1", 5000, "EUR", "merchant"), ports.money())

    assert plan(claim.claim_id, "shop", ports.claims, ports.clock)["plan"]["action"] == "finish"


def test_an_execution_at_its_limits_continues_in_the_next_generation() -> None:
    ports = world()
    claim = hand_over(ports)
    worn = Lifetime(generation=0, steps=50, started=ports.clock.real_now(), max_steps=50, max_days=300)

    state = plan(claim.claim_id, "shop", ports.claims, ports.clock, worn, ports.workflow)

    assert state["plan"]["action"] == "continued"
    assert ports.workflow.starts[-1] == (claim.claim_id, "shop", 1)


def test_the_wait_token_is_stored_so_a_payment_can_end_the_wait() -> None:
    ports = world()
    claim = hand_over(ports, amount=5000)

    wait(ports, claim.claim_id, "token-7")
    record_payment(claim.claim_id, "shop", PaymentRecord("merchant#1", 5000, "EUR", "merchant"), ports.money())

    assert ports.workflow.events_for("token-7") == ["paid"]


def test_a_wait_begun_after_the_claim_was_paid_ends_at_once() -> None:
    # GIVEN the claim was paid between planning and storing the token
    ports = world()
    claim = hand_over(ports, amount=5000)
    record_payment(claim.claim_id, "shop", PaymentRecord("merchant#1", 5000, "EUR", "merchant"), ports.money())
    # WHEN the execution begins to wait
    wait(ports, claim.claim_id, "token-late")
    # THEN it is told at once, and no token is kept on the closed claim
    assert ports.workflow.events_for("token-late") == ["paid"]
    assert ports.claims.get(claim.claim_id).task_token is None


def test_a_wait_whose_plan_changed_meanwhile_is_ended_to_plan_again() -> None:
    # GIVEN the execution planned a contact, and the debtor promised to pay before the token was stored
    ports = world()
    claim = hand_over(ports)
    promised = ports.clock.today() + timedelta(days=5)
    promise = Promise(promised, promise_deadline(promised, DEFAULT_RULES))
    ports.claims.update(replace(claim, status=Status.PROMISED, agreement=promise), [])
    # WHEN the wait begins
    wait(ports, claim.claim_id, "token-3", planned="contact")
    # THEN it ends at once, so that the execution holds for the promise instead
    assert ports.workflow.events_for("token-3") == ["replan"]


def test_a_wait_that_still_fits_the_plan_is_left_waiting() -> None:
    ports = world()
    claim = hand_over(ports)

    wait(ports, claim.claim_id, "token-4", planned="contact")

    assert ports.workflow.notified == []


def test_a_stage_completes_once_and_the_claim_is_dunned_from_then_on() -> None:
    ports = world()
    claim = hand_over(ports)
    ports.time.advance(days=3)

    first = complete_stage(claim.claim_id, "shop", 0, ports.claims, ports.clock)
    again = complete_stage(claim.claim_id, "shop", 0, ports.claims, ports.clock)

    done = ports.claims.get(claim.claim_id)
    assert (first, again) == ("completed", "unchanged")
    assert (done.status, done.stage, done.next_stage_index) == (Status.DUNNING, "reminder", 1)
    assert done.default_since == ports.clock.today() + timedelta(days=1)
    assert ports.timeline.types(claim.claim_id).count(EventType.STAGE_ESCALATED) == 1


def test_a_stage_interrupted_by_an_agreement_is_not_completed() -> None:
    ports = world()
    claim = at_stage(ports, hand_over(ports), "sms")
    ports.claims.update(replace(claim, agreement=Pause(date(2026, 4, 1), "ill")), [])

    outcome = complete_stage(claim.claim_id, "shop", claim.next_stage_index, ports.claims, ports.clock)

    assert outcome == "unchanged"
    assert ports.claims.get(claim.claim_id).next_stage_index == claim.next_stage_index


def test_the_wait_is_rounded_down_so_the_state_machine_never_sleeps_past_the_moment() -> None:
    # GIVEN the reminder is due 0.7 real seconds after a whole number of seconds from now
    ports = world()
    claim = hand_over(ports, due_in_days=0)
    ports.time.advance(seconds=0.3)

    planned = plan(claim.claim_id, "shop", ports.claims, ports.clock)["plan"]

    # THEN Step Functions waits the whole seconds only; the send step waits out the 0.7 s
    send_at = datetime.fromisoformat(planned["send_at"])
    assert planned["wait_seconds"] == int((send_at - ports.clock.now()).total_seconds())
    assert (send_at - ports.clock.now()).total_seconds() - planned["wait_seconds"] == pytest.approx(0.7)


def test_a_review_a_fraction_of_a_second_away_is_waited_for_by_the_plan_and_runs_on_time() -> None:
    # GIVEN a promise whose review is due at 08:00 in Berlin, 0.4 real seconds from now
    ports = world()
    claim = hand_over(ports)
    deadline = ports.clock.today() + timedelta(days=2)
    ports.claims.update(replace(claim, status=Status.PROMISED, agreement=Promise(deadline, deadline)), [])
    review_at = datetime.combine(deadline, time(7, 0), UTC)
    ports.time.now = review_at - timedelta(seconds=0.4)

    planned = plan(claim.claim_id, "shop", ports.claims, ports.clock)["plan"]

    # THEN the plan reviews now, at 08:00, instead of holding for a whole second more
    assert planned["action"] == "review"
    assert review_at <= ports.clock.now() < review_at + timedelta(seconds=0.01)


def reopened_once(ports: InMemoryPorts) -> Claim:
    """A claim paid and then refunded in full: its first run has given way to `-r1`."""
    claim = hand_over(ports, amount=5000)
    record_payment(claim.claim_id, "shop", PaymentRecord("merchant#1", 5000, "EUR", "merchant"), ports.money())
    refund = PaymentRecord("stripe#evt_r", 5000, "EUR", "stripe", data={"kind": "refund"})
    return record_reversal(claim.claim_id, "shop", refund, ports.money()).claim


def test_a_run_that_a_re_opening_replaced_gives_way_to_the_new_run() -> None:
    ports = world()
    claim = reopened_once(ports)
    first_run = Lifetime(generation=0, steps=3, started=ports.clock.real_now(), max_steps=400, max_days=300)
    new_run = replace(first_run, generation=REOPENED_RUN)

    assert plan(claim.claim_id, "shop", ports.claims, ports.clock, first_run)["plan"]["action"] == "continued"
    assert plan(claim.claim_id, "shop", ports.claims, ports.clock, new_run)["plan"]["action"] == "contact"


def test_a_replaced_run_beginning_a_wait_ends_it_at_once_and_leaves_the_new_runs_token() -> None:
    ports = world()
    claim = reopened_once(ports)
    register_wait(
        claim.claim_id,
        "shop",
        "new",
        "contact",
        ports.claims,
        ports.task_tokens,
        ports.workflow,
        ports.clock,
        generation=REOPENED_RUN,
    )

    register_wait(
        claim.claim_id,
        "shop",
        "old",
        "contact",
        ports.claims,
        ports.task_tokens,
        ports.workflow,
        ports.clock,
        generation=0,
    )

    assert ports.workflow.events_for("old") == ["replan"]
    assert ports.claims.get(claim.claim_id).task_token == "new"


def test_an_execution_that_finishes_leaves_no_token_behind() -> None:
    # GIVEN a claim whose ladder has no stage left, its last wait's token still stored
    ports = world()
    claim = hand_over(ports)
    ports.given(replace(ports.claims.get(claim.claim_id), next_stage_index=len(claim.stages)))
    wait(ports, claim.claim_id, "token-last")
    lifetime = Lifetime(generation=0, steps=9, started=ports.clock.real_now(), max_steps=400, max_days=300)
    # WHEN the execution plans after that wait ended
    state = plan(claim.claim_id, "shop", ports.claims, ports.clock, lifetime, ports.workflow, ports.task_tokens)
    # THEN it finishes, and no one is later told to resume a wait that is gone
    assert state["plan"]["action"] == "finish"
    assert ports.claims.get(claim.claim_id).task_token is None
