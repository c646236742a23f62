"""The default ladder executed by the real state machine: order of channels, hand-over, stop on payment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest

from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.workflow


def test_unpaid_claim_climbs_every_channel_in_order_and_is_handed_over(harness: Harness) -> None:
    # GIVEN a consumer claim due today that is never paid
    claim = harness.create_claim()

    # WHEN the execution runs the whole ladder
    assert harness.wait_until_finished(claim["id"]) == "SUCCEEDED"

    # THEN (too late for a pre-due nudge) the debtor got reminder email, SMS, call,
    # final notice email and letter, in that order
    sent = [(m["stage"], m["channel"]) for m in harness.outbox(claim["id"])]
    assert sent == [
        ("reminder", "email"),
        ("sms", "sms"),
        ("call", "call"),
        ("final_notice", "email"),
        ("final_notice", "letter"),
    ]
    # AND the agency holds the claim with its history, and the claim says so
    assert [p["claim"]["id"] for p in harness.agency.received] == [claim["id"]]
    view = harness.claim(claim["id"])
    assert view["status"] == "handed_over"
    types = [e["type"] for e in view["timeline"]]
    assert types[0] == "claim.created"
    assert types[-1] == "claim.handed_over"
    assert types.count("message.sent") == 5
    # AND the console shows a state per channel
    states = harness.entered_states(claim["id"])
    for state in ("Send Email", "Send SMS", "Place Call", "Send Letter", "Hand Over To Agency"):
        assert state in states


def test_payment_after_first_reminder_stops_all_further_messages(harness: Harness) -> None:
    # GIVEN a reliable customer (no pre-due nudge) who pays as soon as the first reminder went out
    claim = harness.create_claim(debtor={"customer_since": "2019-05-01"})
    paid: list[int] = []

    def pay_after_the_reminder(name: str, event: dict[str, Any]) -> None:
        if name == "complete_stage" and event["claim_id"] == claim["id"] and not paid:
            response = harness.post(
                f"/v1/claims/{claim['id']}/payments", {"amount": claim["balance"], "reference": "b"}
            )
            paid.append(response.status_code)

    harness.dispatcher.before_invoke.append(pay_after_the_reminder)

    # WHEN the execution runs on
    assert harness.wait_until_finished(claim["id"], timeout=60) == "SUCCEEDED"

    # THEN the claim is paid, the debtor was thanked, and no further dunning message went out
    assert paid == [201]
    assert harness.claim(claim["id"])["status"] == "paid"
    assert [m["stage"] for m in harness.outbox(claim["id"])] == ["reminder"]
    # the thank-you goes at once, or when the debtor's contact window opens
    wait_for(lambda: harness.notices(claim["id"]), timeout=60)
    assert harness.notices(claim["id"]) == ["thank_you"]
    assert [m["stage"] for m in harness.outbox(claim["id"]) if not m["stage"].startswith("notice:")] == ["reminder"]


def test_a_claim_outliving_its_execution_goes_on_in_a_fresh_one(harness: Harness, monkeypatch: Any) -> None:
    # GIVEN executions that may plan only three steps (in production: 400 steps or 300 days)
    from chalicelib import bootstrap

    monkeypatch.setenv("MAX_STEPS_PER_EXECUTION", "3")
    harness.app = bootstrap.reset({"agency": harness.agency})
    claim = harness.create_claim()

    # WHEN the ladder runs
    wait_for(lambda: harness.claim(claim["id"])["status"] == "handed_over", timeout=120)

    # THEN it ran through every stage across several executions, each handing over to the next
    assert [m["stage"] for m in harness.outbox(claim["id"])] == [
        "reminder",
        "sms",
        "call",
        "final_notice",
        "final_notice",
    ]
    sfn = boto3.client("stepfunctions")
    names = [
        e["name"] for e in sfn.list_executions(stateMachineArn=harness.app.settings.state_machine_arn)["executions"]
    ]
    generations = sorted(n for n in names if n.startswith(claim["id"]))
    assert generations[0] == claim["id"]
    assert f"{claim['id']}-g1" in generations
    assert "Continued In A New Execution" in harness.entered_states(claim["id"])
