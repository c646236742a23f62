"""The agency is told: money that moves on a handed-over claim reaches it through the events stream and a FIFO queue."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from chalicelib import workflow_tasks
from chalicelib.adapters.agency.signature import sign
from chalicelib.domain.agency_updates import UPDATE_ATTEMPTS
from chalicelib.domain.claim import Status
from chalicelib.domain.webhook_delivery import PublishedEvent
from chalicelib.services.handover import HandOverFailedError
from chalicelib.services.payments import credit_claim
from chalicelib.services.ports import PaymentRecord
from infra.local.psp_signing import stripe_signature_header
from tests.integration.test_outbound_webhooks import pay_in_full

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration

STRIPE_SECRET = "local-stripe-secret"  # the demo tenant's, see infra/local/seed.py


def waiting_claim(harness: Harness, amount: int = 12345) -> dict[str, Any]:
    """A claim in dunning whose execution waits months for its next step: nothing but the test moves it."""
    claim = harness.create_claim(amount=amount, due_date=(date.today() + timedelta(days=150)).isoformat())
    stored = harness.app.claims.get(claim["id"])
    harness.app.claims.update(replace(stored.transition(Status.DUNNING), stage="final_notice"), [])
    return claim


def hand_over(harness: Harness, claim: dict[str, Any]) -> str:
    """What the state machine's Hand Over To Agency state does."""
    return str(workflow_tasks.hand_over({"claim_id": claim["id"], "tenant_id": "demo"}, None)["status"])


def pay(harness: Harness, claim: dict[str, Any], amount: int, reference: str) -> None:
    response = harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": amount, "reference": reference})
    assert response.status_code == 201, response.body


def updates(harness: Harness, claim: dict[str, Any]) -> list[dict[str, Any]]:
    """What the agency filed for the claim, as it received the bodies."""
    return [u.body() for u in harness.agency.updates_of(claim["id"])]


def stripe(harness: Harness, event: dict[str, Any]) -> Any:
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", **stripe_signature_header(body, STRIPE_SECRET)}
    response = harness.client.http.post("/v1/webhooks/demo/stripe", headers=headers, body=body)
    assert response.status_code == 200, response.json_body
    return response.json_body


def stripe_event(kind: str, event_id: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}


def dead_letters(harness: Harness) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=harness.app.settings.names.dead_letter_queue("agency"))["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_a_payment_on_a_handed_over_claim_reaches_the_agency(harness: Harness) -> None:
    # GIVEN a claim the agency holds
    claim = waiting_claim(harness)
    assert hand_over(harness, claim) == "handed_over"
    [document] = harness.agency.received
    # WHEN the debtor pays part of it, then the rest
    pay(harness, claim, 5000, "part")
    harness.pump_events()
    pay(harness, claim, 7345, "rest")
    harness.pump_events()
    # THEN each payment reached the agency under the claim's hand-over, with what is left to collect
    received = updates(harness, claim)
    assert [u["type"] for u in received] == ["payment.received", "payment.received", "claim.paid"]
    assert {u["handover_id"] for u in received} == {document["handover_id"]}
    assert {u["agency_reference"] for u in received} == {"AG-1"}
    first, second, paid = received
    assert (first["event"]["amount"], first["claim"]["balance"], first["claim"]["status"]) == (
        5000,
        7345,
        "handed_over",
    )
    assert (second["event"]["amount"], paid["claim"]["balance"], paid["claim"]["status"]) == (7345, 0, "paid")
    # AND the versions order the updates after the hand-over's document
    versions = [document["claim"]["version"], *(u["claim"]["version"] for u in received)]
    assert versions == sorted(versions)
    assert versions[0] < versions[1] < versions[2]
    assert len({u["update_id"] for u in received}) == 3


def test_a_payment_before_the_hand_over_is_in_the_document_and_never_sent_again(harness: Harness) -> None:
    claim = waiting_claim(harness)
    pay(harness, claim, 2000, "early")
    harness.pump_events()

    assert hand_over(harness, claim) == "handed_over"
    harness.pump_events()

    [document] = harness.agency.received
    assert (document["claim"]["paid"], document["claim"]["balance"]) == (2000, 10345)
    assert updates(harness, claim) == []


def test_refunds_credits_and_a_cancellation_reach_the_agency_in_the_order_they_happened(harness: Harness) -> None:
    # GIVEN a claim paid in part by card, then handed over
    claim = waiting_claim(harness, amount=10000)
    intent = f"pi_{claim['id']}"
    stripe(
        harness,
        stripe_event(
            "checkout.session.completed",
            f"evt_paid_{claim['id']}",
            {
                "object": "checkout.session",
                "id": f"cs_{claim['id']}",
                "client_reference_id": claim["id"],
                "metadata": {"claim_id": claim["id"]},
                "amount_total": 4000,
                "currency": "eur",
                "payment_status": "paid",
                "payment_intent": intent,
            },
        ),
    )
    assert hand_over(harness, claim) == "handed_over"
    # WHEN the card payment is refunded, the shop credits part of the invoice, and the merchant cancels the rest
    refund = {"object": "charge", "id": f"ch_{claim['id']}", "payment_intent": intent, "amount_refunded": 4000}
    refund |= {"currency": "eur", "metadata": {}}
    assert stripe(harness, stripe_event("charge.refunded", f"evt_refund_{claim['id']}", refund))["kind"] == "refund"
    harness.pump_events()
    credit = PaymentRecord(payment_key="shop#credit-1", amount=2500, currency="EUR", provider="generic")
    credit_claim(claim["id"], "demo", credit, harness.app.money)
    harness.pump_events()
    assert harness.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "written off"}).status_code == 200
    harness.pump_events()
    # THEN the agency got each of them, in that order, each with the claim as it then stood
    received = updates(harness, claim)
    assert [u["type"] for u in received] == ["payment.reversed", "claim.credited", "claim.cancelled"]
    reversed_, credited, cancelled = received
    assert (reversed_["event"]["amount"], reversed_["event"]["kind"], reversed_["claim"]["balance"]) == (
        4000,
        "refund",
        10000,
    )
    assert (credited["event"]["amount"], credited["claim"]["principal"]) == (2500, 7500)
    assert cancelled["claim"]["status"] == "cancelled"
    versions = [u["claim"]["version"] for u in received]
    assert versions == sorted(versions)
    assert len(set(versions)) == 3


def test_a_payment_racing_the_hand_over_reaches_the_agency_that_already_took_the_claim(harness: Harness) -> None:
    # GIVEN the debtor pays in full while the agency is taking the claim (after it read the document)
    claim = waiting_claim(harness)
    harness.agency.during_hand_over = lambda _payload: pay_in_full(harness, claim)

    # WHEN the hand-over ends
    outcome = hand_over(harness, claim)
    harness.pump_events()

    # THEN the claim is paid, not handed over, and the agency, which holds it unpaid, is told it is paid
    assert outcome == "paid"
    assert harness.claim(claim["id"])["status"] == "paid"
    [document] = harness.agency.received
    assert document["claim"]["balance"] == 12345
    assert [(u["type"], u["claim"]["balance"], u["claim"]["status"]) for u in updates(harness, claim)] == [
        ("payment.received", 0, "paid"),
        ("claim.paid", 0, "paid"),
    ]


def test_an_agency_that_is_down_gets_the_update_once_it_is_back(harness: Harness) -> None:
    claim = waiting_claim(harness)
    hand_over(harness, claim)
    harness.agency.be_down_for_updates(3)

    pay(harness, claim, 1000, "while-down")
    harness.pump_events()  # the back-off is a fraction of a second at DAY_SECONDS=0.2

    assert [u["event"]["amount"] for u in updates(harness, claim)] == [1000]
    assert harness.agency.update_attempts == 4
    assert dead_letters(harness) == []


def test_an_update_the_agency_never_takes_is_parked_in_the_dead_letter_queue_and_the_next_still_goes_out(
    harness: Harness,
) -> None:
    # GIVEN an agency that is down for the whole retry schedule
    claim = waiting_claim(harness)
    hand_over(harness, claim)
    harness.agency.be_down_for_updates(UPDATE_ATTEMPTS)
    pay(harness, claim, 1000, "lost-agency")

    harness.pump_events()

    # THEN every attempt was made, and the update is kept whole with the reason
    assert harness.agency.update_attempts == UPDATE_ATTEMPTS
    assert updates(harness, claim) == []
    [parked] = dead_letters(harness)
    assert (parked["type"], parked["event"]["amount"], parked["claim"]["id"]) == ("payment.received", 1000, claim["id"])
    assert (parked["reason"], parked["attempts"]) == ("agency answered HTTP 503", UPDATE_ATTEMPTS)
    # AND the claim's next update is not held back for ever: it carries the whole balance
    pay(harness, claim, 2000, "after")
    harness.pump_events()
    [later] = updates(harness, claim)
    assert (later["event"]["amount"], later["claim"]["paid"], later["claim"]["balance"]) == (2000, 3000, 9345)


def test_an_update_the_agency_refuses_is_parked_at_once(harness: Harness) -> None:
    claim = waiting_claim(harness)
    hand_over(harness, claim)
    harness.agency.refuse_updates()

    pay(harness, claim, 1000, "refused")
    harness.pump_events()

    assert harness.agency.update_attempts == 1
    [parked] = dead_letters(harness)
    assert parked["reason"] == "agency refused the update: HTTP 404"


def test_an_agency_that_refused_the_claim_is_told_nothing_more(harness: Harness) -> None:
    claim = waiting_claim(harness)
    harness.agency.refuse()
    with pytest.raises(HandOverFailedError):
        hand_over(harness, claim)

    pay(harness, claim, 1000, "after-refusal")
    harness.pump_events()

    assert harness.agency.update_attempts == 0
    assert dead_letters(harness) == []


def test_an_update_forwarded_twice_carries_the_same_id_so_the_agency_files_it_once(harness: Harness) -> None:
    # GIVEN a payment on a handed-over claim, already forwarded once from the stream
    claim = waiting_claim(harness)
    hand_over(harness, claim)
    pay(harness, claim, 1000, "twice")
    harness.pump_events()
    events = [
        PublishedEvent("demo", claim["id"], e["id"], e["type"], harness.app.clock.now(), {})
        for e in harness.claim(claim["id"])["timeline"]
        if e["type"] == "payment.received"
    ]

    # WHEN the stream hands the same record again (a retried batch)
    assert harness.app.agency_updates.forward(events) == 1
    harness.pump_events()

    # THEN the repeat reaches the agency under the same webhook-id (SQS FIFO drops it within five minutes; moto does
    # not), so the agency files one update
    [payment] = events
    assert harness.agency.update_ids in ([f"upd_{payment.event_id}"], [f"upd_{payment.event_id}"] * 2)
    assert len(updates(harness, claim)) == 1


def signed(harness: Harness, body: dict[str, Any], msg_id: str, secret: str | None = None) -> dict[str, str]:
    raw = json.dumps(body).encode()
    now = int(time.time())
    key = secret or harness.app.settings.agency_secret
    headers = {"content-type": "application/json", "webhook-id": msg_id, "webhook-timestamp": str(now)}
    return headers | {"webhook-signature": sign(key, msg_id, now, raw)}


def sandbox_post(harness: Harness, path: str, body: dict[str, Any], msg_id: str, secret: str | None = None) -> Any:
    headers = signed(harness, body, msg_id, secret)
    return harness.client.http.post(path, headers=headers, body=json.dumps(body))


def test_the_agency_sandbox_files_each_signed_update_once_and_lists_it(harness: Harness) -> None:
    document = {"handover_id": "demo-01JSANDBOX", "claim": {"id": "01JSANDBOX", "balance": 5000}}
    assert sandbox_post(harness, "/_local/agency/claims", document, "demo-01JSANDBOX").status_code == 201
    update: dict[str, Any] = {"update_id": "upd_1", "handover_id": "demo-01JSANDBOX", "type": "payment.received"}
    update |= {"claim": {"id": "01JSANDBOX", "balance": 3000}, "event": {"amount": 2000}}
    path = "/_local/agency/claims/demo-01JSANDBOX/updates"

    answers = [sandbox_post(harness, path, update, "upd_1").status_code for _ in range(2)]

    assert answers == [201, 200]
    listed = harness.client.http.get("/_local/agency/updates?claim_id=01JSANDBOX").json_body["items"]
    assert listed == [update]


def test_the_agency_sandbox_refuses_forged_updates_and_updates_of_claims_it_does_not_hold(harness: Harness) -> None:
    update = {"update_id": "upd_2", "handover_id": "demo-01JNOBODY", "claim": {"id": "01JNOBODY"}}
    path = "/_local/agency/claims/demo-01JNOBODY/updates"

    forged = sandbox_post(harness, path, update, "upd_2", secret="not-the-agency-secret")
    unknown = sandbox_post(harness, path, update, "upd_2")

    assert (forged.status_code, unknown.status_code) == (401, 404)
    assert harness.client.http.get("/_local/agency/updates?claim_id=01JNOBODY").json_body["items"] == []
