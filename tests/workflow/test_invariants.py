"""What README.md promises, under the real state machine: settlement wins, one message per stage and channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chalicelib.domain.errors import TransientError
from chalicelib.domain.ladder import Channel
from tests.harness import Harness, wait_for

pytestmark = pytest.mark.workflow


def test_payment_landing_while_the_sms_step_runs_prevents_the_sms(harness: Harness) -> None:
    # GIVEN a claim whose SMS step is about to run
    claim = harness.create_claim()

    def pay_just_before_sending(name: str, event: dict[str, Any]) -> None:
        if name == "send_sms" and event["claim_id"] == claim["id"]:
            harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": claim["balance"], "reference": "race"})

    harness.dispatcher.before_invoke.append(pay_just_before_sending)

    # WHEN the execution reaches the SMS step after the payment is recorded
    assert harness.wait_until_finished(claim["id"]) == "SUCCEEDED"

    # THEN the conditional write before the provider call refused the SMS
    assert [m["channel"] for m in harness.outbox(claim["id"])] == ["email"]
    timeline = harness.claim(claim["id"])["timeline"]
    skipped = [e for e in timeline if e["type"] == "contact.skipped"]
    assert [(e["stage"], e["channel"]) for e in skipped] == [("sms", "sms")]
    assert harness.claim(claim["id"])["status"] == "paid"


class FlakySms:
    """Fails the first attempts with a transient error, then delivers through the real outbox sender."""

    def __init__(self, inner: Any, failures: int) -> None:
        self.inner = inner
        self.failures = failures
        self.attempts = 0

    def send(self, message: Any) -> str:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise TransientError("throttled")
        return str(self.inner.send(message))


def test_a_retried_sms_step_sends_exactly_one_sms(harness: Harness) -> None:
    flaky = FlakySms(harness.app.senders[Channel.SMS], failures=2)
    harness.app.senders[Channel.SMS] = flaky
    claim = harness.create_claim()

    wait_for(lambda: any(m["channel"] == "sms" for m in harness.outbox(claim["id"])), timeout=60)
    harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": claim["balance"], "reference": "stop"})
    harness.wait_until_finished(claim["id"])

    assert flaky.attempts == 3
    assert [m["channel"] for m in harness.outbox(claim["id"])].count("sms") == 1
    failed = [e for e in harness.claim(claim["id"])["timeline"] if e["type"] == "message.failed"]
    assert len(failed) == 2
    assert all(e["retryable"] for e in failed)


def test_a_repeated_send_invocation_never_sends_twice(harness: Harness) -> None:
    # GIVEN the email step of a claim ran once
    claim = harness.create_claim()
    wait_for(lambda: harness.outbox(claim["id"]), timeout=60)
    sends = [e for n, e in harness.dispatcher.invocations if n == "send_email" and e["claim_id"] == claim["id"]]

    # WHEN Lambda delivers the same invocation again (at-least-once)
    from chalicelib import workflow_tasks

    result = workflow_tasks.send_email(sends[0], None)

    # THEN nothing more is sent
    assert result["status"] == "already_sent"
    assert len(harness.outbox(claim["id"])) == 1


def test_cancelling_stops_the_execution_and_every_message(harness: Harness) -> None:
    claim = harness.create_claim()
    with harness.held_after_first_message(claim["id"]):  # the next stage cannot go out before the cancellation
        response = harness.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "credit note 77"})

    assert response.json_body["status"] == "cancelled"
    assert harness.wait_until_finished(claim["id"], timeout=60) == "SUCCEEDED"
    # resumed while waiting ("Claim Cancelled") or seen at the next plan ("Dunning Finished")
    assert {"Claim Cancelled", "Dunning Finished"} & set(harness.entered_states(claim["id"]))
    assert len(harness.outbox(claim["id"])) == 1


def test_claim_handed_over_long_after_due_starts_with_the_first_reminder_and_keeps_the_spacing(
    harness: Harness,
) -> None:
    today = harness.app.clock.today()
    claim = harness.create_claim(due_date=today.replace(year=today.year - 1).isoformat())

    wait_for(lambda: len(harness.outbox(claim["id"])) >= 2, timeout=60)

    first, second = harness.outbox(claim["id"])[:2]
    assert (first["stage"], second["stage"]) == ("reminder", "sms")
    gap = datetime.fromisoformat(second["sent_at"]) - datetime.fromisoformat(first["sent_at"])
    assert gap.days >= 7 - 1  # the ladder's 7 days between reminder and SMS, not a catch-up burst


def test_agency_refusing_the_claim_fails_the_execution_and_records_why(harness: Harness) -> None:
    harness.agency.refuse()
    claim = harness.create_claim()

    assert harness.wait_until_finished(claim["id"], timeout=120) == "FAILED"

    assert "Hand-Over Failed" in harness.entered_states(claim["id"])
    types = [e["type"] for e in harness.claim(claim["id"])["timeline"]]
    assert "handover.failed" in types
    assert harness.claim(claim["id"])["status"] == "dunning"


def test_agency_outage_is_retried_until_the_hand_over_succeeds(harness: Harness) -> None:
    harness.agency.fail_transiently(2)
    claim = harness.create_claim()

    assert harness.wait_until_finished(claim["id"], timeout=120) == "SUCCEEDED"

    assert harness.claim(claim["id"])["status"] == "handed_over"
    assert len(harness.agency.received) == 1
