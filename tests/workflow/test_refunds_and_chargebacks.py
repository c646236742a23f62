"""Money that goes back: Stripe refunds and chargebacks re-open a paid claim, and dunning resumes in a fresh run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from infra.local.psp_signing import stripe_signature_header
from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.workflow

EVENTS = Path(__file__).parent.parent / "events" / "stripe"
SECRET = "local-stripe-secret"  # the demo tenant's, see infra/local/seed.py


def stripe_event(name: str, claim_id: str, event_id: str, **object_changes: Any) -> dict[str, Any]:
    event = json.loads((EVENTS / f"{name}.json").read_text())
    event["id"] = event_id
    obj = event["data"]["object"]
    for key in ("client_reference_id",):
        if key in obj:
            obj[key] = claim_id
    if obj.get("metadata"):
        obj["metadata"]["claim_id"] = claim_id
    obj.update(object_changes)
    return dict(event)


def send(harness: Harness, event: dict[str, Any]) -> Any:
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", **stripe_signature_header(body, SECRET)}
    return harness.client.http.post("/v1/webhooks/demo/stripe", headers=headers, body=body)


def pay_by_checkout(harness: Harness, claim_id: str, amount: int, intent: str) -> None:
    paid = send(
        harness,
        stripe_event(
            "checkout_session_completed", claim_id, f"evt_paid_{claim_id}", amount_total=amount, payment_intent=intent
        ),
    )
    assert paid.status_code == 200, paid.json_body
    assert paid.json_body["status"] == "paid"


def executions(claim_id: str) -> dict[str, str]:
    machines = boto3.client("stepfunctions").list_state_machines()["stateMachines"]
    runs = boto3.client("stepfunctions").list_executions(stateMachineArn=machines[0]["stateMachineArn"])["executions"]
    return {e["name"]: e["status"] for e in runs if e["name"].startswith(claim_id)}


def test_a_claim_refunded_after_it_was_paid_in_the_middle_of_its_ladder_is_dunned_again(harness: Harness) -> None:
    # GIVEN a claim paid in full through Stripe Checkout after its first reminder: its execution has ended
    claim = harness.create_claim(amount=5240)
    with harness.held_after_first_message(claim["id"]):
        pay_by_checkout(harness, claim["id"], 5240, intent=f"pi_{claim['id']}")
    assert harness.wait_until_finished(claim["id"]) == "SUCCEEDED"
    assert "Claim Paid" in harness.entered_states(claim["id"])

    # WHEN Stripe reports the whole charge refunded; the charge names only its payment intent
    refund = stripe_event(
        "charge_refunded",
        claim["id"],
        f"evt_refund_{claim['id']}",
        amount_refunded=5240,
        payment_intent=f"pi_{claim['id']}",
        metadata={},
    )
    response = send(harness, refund)

    # THEN the balance is due again and the claim is back in dunning, where its ladder stood
    assert response.status_code == 200, response.json_body
    assert (response.json_body["kind"], response.json_body["balance"]) == ("refund", 5240)
    view = harness.claim(claim["id"])
    assert (view["status"], view["balance"], view["next_stage"]) == ("dunning", 5240, "sms")
    types = [e["type"] for e in view["timeline"]]
    assert types.index("payment.reversed") < types.index("claim.reopened")
    # AND the ladder resumes in <claim>-r1: its next message reaches the debtor, asking for the refunded amount
    sms = wait_for(lambda: [m for m in harness.outbox(claim["id"]) if m["stage"] == "sms"], timeout=120)
    assert "52,40" in sms[0]["body"] or "52.40" in sms[0]["body"]
    assert [m["stage"] for m in harness.outbox(claim["id"])][:2] == ["reminder", "sms"]
    assert "Send SMS" in harness.entered_states(f"{claim['id']}-r1")
    assert set(executions(claim["id"])) <= {claim["id"], f"{claim['id']}-r1"}
    assert harness.doctor() == []


def test_a_refund_delivered_twice_takes_the_money_back_once(harness: Harness) -> None:
    claim = harness.create_claim(amount=5240)
    pay_by_checkout(harness, claim["id"], 5240, intent=f"pi_{claim['id']}")
    refund = stripe_event(
        "charge_refunded",
        claim["id"],
        f"evt_part_{claim['id']}",
        amount_refunded=2000,
        payment_intent=f"pi_{claim['id']}",
    )

    first, again = send(harness, refund), send(harness, refund)

    assert (first.json_body["applied"], again.json_body["applied"]) == (True, False)
    assert harness.claim(claim["id"])["balance"] == 2000


def test_a_chargeback_re_opens_the_claim_found_through_its_payment_intent(harness: Harness) -> None:
    claim = harness.create_claim(amount=5240)
    pay_by_checkout(harness, claim["id"], 5240, intent=f"pi_cb_{claim['id']}")

    dispute = stripe_event(
        "charge_dispute_created", claim["id"], f"evt_cb_{claim['id']}", payment_intent=f"pi_cb_{claim['id']}"
    )
    response = send(harness, dispute)

    assert response.status_code == 200, response.json_body
    view = harness.claim(claim["id"])
    assert view["balance"] == 5240
    reversed_event = next(e for e in view["timeline"] if e["type"] == "payment.reversed")
    assert (reversed_event["kind"], reversed_event["amount"]) == ("chargeback", 5240)


def test_a_refund_of_an_unknown_payment_intent_is_refused_not_guessed(harness: Harness) -> None:
    claim = harness.create_claim(amount=5240)
    refund = stripe_event(
        "charge_refunded",
        claim["id"],
        "evt_unknown_pi",
        amount_refunded=5240,
        payment_intent="pi_never_seen",
        metadata={},
    )

    response = send(harness, refund)

    # no claim is named and none can be found: nothing changes, and Stripe is told all is well
    assert response.status_code == 200
    assert response.json_body["applied"] is False
    assert harness.claim(claim["id"])["balance"] == 5240
