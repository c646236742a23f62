"""The merchant's systems against the local stack over HTTP: a shop, a PSP, a bank statement, and webhooks back."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import requests
from standardwebhooks.webhooks import Webhook

from chalicelib.domain.payment_reference import pretty
from infra.local.bank_files import statement_file
from infra.local.psp_signing import stripe_signature_header
from infra.local.shop_signing import shopify_headers
from tests.harness import wait_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.local_stack import LocalApi

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

EVENTS = Path(__file__).parents[1] / "events"
SHOPIFY_SECRET = "local-shopify-secret"  # the demo tenant's secrets, see infra/local/seed.py
STRIPE_SECRET = "local-stripe-secret"


def shopify_order(order_id: int) -> bytes:
    order = json.loads((EVENTS / "shopify" / "orders_create.json").read_text())
    order.update(id=order_id, admin_graphql_api_id=f"gid://shopify/Order/{order_id}")
    return json.dumps(order).encode()


def claims_with_external_id(api: LocalApi, external_id: str) -> list[dict[str, Any]]:
    listed = api.session().get(f"{api.url}/v1/claims", params={"limit": 100}, timeout=10).json()["items"]
    return [c for c in listed if c["external_id"] == external_id]


def execution_status(api: LocalApi, claim_id: str) -> str:
    sfn = api.sfn()
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    arn = machine.replace(":stateMachine:", ":execution:") + f":{claim_id}"
    return str(sfn.describe_execution(executionArn=arn)["status"])


def claim(api: LocalApi, claim_id: str) -> dict[str, Any]:
    return dict(api.session().get(f"{api.url}/v1/claims/{claim_id}", timeout=10).json())


def money_and_status(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline without the notices' events: a thank-you waiting for the debtor's morning adds those later."""
    return [e for e in timeline if not str(e.get("stage", "")).startswith("notice:")]


def ladder_messages(api: LocalApi, claim_id: str) -> int:
    return sum(1 for m in api.outbox(claim_id) if not m["stage"].startswith("notice:"))


def test_a_signed_shopify_order_creates_a_claim_and_a_forged_one_creates_nothing(local_api: LocalApi) -> None:
    genuine, forged = random.randrange(10**17, 10**18), random.randrange(10**17, 10**18)
    body = shopify_order(genuine)
    headers = shopify_headers(body, SHOPIFY_SECRET, "orders/create", str(uuid.uuid4()))

    created = requests.post(f"{local_api.url}/v1/webhooks/demo/shopify", data=body, headers=headers, timeout=10)
    forged_body = shopify_order(forged)
    bad_headers = shopify_headers(forged_body, "not-the-shops-secret", "orders/create", str(uuid.uuid4()))
    refused = requests.post(
        f"{local_api.url}/v1/webhooks/demo/shopify", data=forged_body, headers=bad_headers, timeout=10
    )

    assert created.status_code == 200, created.text
    assert created.json()["action"] == "claim_created"
    view = claim(local_api, created.json()["claim_id"])
    assert (view["external_id"], view["amount"], view["currency"]) == (f"shopify:{genuine}", 38800, "USD")
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert claims_with_external_id(local_api, f"shopify:{forged}") == []


def test_a_camt_statement_settles_the_claim_it_names_once_and_leaves_the_rest_for_review(local_api: LocalApi) -> None:
    session = local_api.session()
    referenced = local_api.create_claim(session, amount=12345)
    other = local_api.create_claim(session, amount=5000)
    payer = f"Zahler {uuid.uuid4().hex[:6]}"
    statement = statement_file(
        "camt053_001_08.xml",
        REF1=pretty(referenced["payment_reference"]).lower(),
        AMOUNT1=12345,
        NAME5=payer,
        AMOUNT5=random.randrange(1000, 4000),
    )

    first = session.post(
        f"{local_api.url}/v1/bank-statements", data=statement, headers={"Content-Type": "application/xml"}, timeout=30
    )
    # THEN the claim is paid and its dunning stops: its execution ends and no message follows
    assert first.status_code == 201, first.text
    assert claim(local_api, referenced["id"])["status"] == "paid"
    wait_for(lambda: execution_status(local_api, referenced["id"]) == "SUCCEEDED", timeout=60)
    sent = ladder_messages(local_api, referenced["id"])
    timeline = money_and_status(claim(local_api, referenced["id"])["timeline"])

    # WHEN the same file is uploaded again, nothing changes
    again = session.post(
        f"{local_api.url}/v1/bank-statements", data=statement, headers={"Content-Type": "application/xml"}, timeout=30
    )
    assert again.status_code == 200, again.text
    assert again.json()["duplicate"] is True
    # (the thank-you may still be waiting for the debtor's morning: its notice events are not the file's doing)
    assert money_and_status(claim(local_api, referenced["id"])["timeline"]) == timeline

    # AND the payer without a reference waits for review, and can be assigned
    review = session.get(f"{local_api.url}/v1/payments/unmatched", params={"limit": 100}, timeout=10).json()["items"]
    [entry] = [e for e in review if e["debtor_name"] == payer]
    assigned = session.post(
        f"{local_api.url}/v1/payments/unmatched/{entry['id']}/assign", json={"claim_id": other["id"]}, timeout=10
    )
    assert assigned.status_code == 200, assigned.text
    assert claim(local_api, other["id"])["balance"] == 5000 - entry["amount"]
    review = session.get(f"{local_api.url}/v1/payments/unmatched", params={"limit": 100}, timeout=10).json()["items"]
    assert entry["id"] not in [e["id"] for e in review]
    # its execution ended when the statement paid it (above): no stage went out since (the thank-you may have)
    assert execution_status(local_api, referenced["id"]) == "SUCCEEDED"
    assert ladder_messages(local_api, referenced["id"]) == sent


def stripe_event(name: str, claim_id: str, **changes: Any) -> bytes:
    event = json.loads((EVENTS / "stripe" / f"{name}.json").read_text())
    event["id"] = f"evt_{uuid.uuid4().hex}"
    obj = event["data"]["object"]
    if "client_reference_id" in obj:
        obj["client_reference_id"] = claim_id
    obj["metadata"] = {"claim_id": claim_id} if name == "checkout_session_completed" else {}
    obj.update(changes)
    return json.dumps(event).encode()


def post_stripe(api: LocalApi, body: bytes) -> requests.Response:
    headers = {"Content-Type": "application/json", **stripe_signature_header(body, STRIPE_SECRET)}
    return requests.post(f"{api.url}/v1/webhooks/demo/stripe", data=body, headers=headers, timeout=10)


def test_a_stripe_checkout_settles_its_claim_and_a_refund_re_opens_the_balance(local_api: LocalApi) -> None:
    created = local_api.create_claim(local_api.session(), amount=5240)
    intent = f"pi_{uuid.uuid4().hex[:24]}"

    paid = post_stripe(local_api, stripe_event("checkout_session_completed", created["id"], payment_intent=intent))
    refunded = post_stripe(
        local_api, stripe_event("charge_refunded", created["id"], payment_intent=intent, amount_refunded=2000)
    )

    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert refunded.status_code == 200, refunded.text
    view = claim(local_api, created["id"])
    assert view["status"] in ("open", "dunning")
    assert view["balance"] == 2000
    assert "claim.reopened" in [e["type"] for e in view["timeline"]]


def receiver(api: LocalApi, name: str) -> list[dict[str, Any]]:
    return list(requests.get(f"{api.url}/_local/receivers/{name}", timeout=10).json()["items"])


@pytest.fixture
def endpoints(local_api: LocalApi) -> Iterator[dict[str, dict[str, Any]]]:
    """An ERP that takes every event and a CRM that is down; removed afterwards, so later tests run unloaded."""
    session = local_api.session()
    registered = {}
    for role, events in (("erp", ["*"]), ("failing", ["claim.paid"])):
        name = f"{role}-{uuid.uuid4().hex[:8]}"
        url = f"{local_api.url}/_local/receivers/{name}"
        response = session.post(
            f"{local_api.url}/v1/webhook-endpoints", json={"url": url, "events": events}, timeout=10
        )
        assert response.status_code == 201, response.text
        registered[role] = {**response.json(), "name": name}
    yield registered
    for endpoint in registered.values():
        session.delete(f"{local_api.url}/v1/webhook-endpoints/{endpoint['id']}", timeout=10)


def test_the_tenants_endpoint_gets_signed_events_and_a_failing_one_ends_in_the_dlq(
    local_api: LocalApi, endpoints: dict[str, dict[str, Any]]
) -> None:
    session = local_api.session()
    endpoint, broken = endpoints["erp"], endpoints["failing"]
    name, failing = endpoint["name"], broken["name"]

    created = local_api.create_claim(session, amount=3000)
    session.post(f"{local_api.url}/v1/claims/{created['id']}/payments", json={"amount": 3000}, timeout=10)

    # THEN every event reaches the endpoint, signed so that the standardwebhooks library verifies it
    wanted = {"claim.created", "payment.received", "claim.paid"}

    def delivered() -> list[dict[str, Any]] | None:
        mine = [r for r in receiver(local_api, name) if created["id"] in r["body"]]
        return mine if wanted <= {json.loads(r["body"])["type"] for r in mine} else None

    for request in wait_for(delivered, timeout=60):
        payload = Webhook(endpoint["secret"]).verify(request["body"], request["headers"])
        assert payload["data"]["claim_id"] == created["id"]

    # AND the failing endpoint saw every retry, then the message was parked in the DLQ with the event
    def failed() -> dict[str, Any] | None:
        listed = session.get(
            f"{local_api.url}/v1/webhooks/deliveries",
            params={"endpoint_id": broken["id"], "status": "failed"},
            timeout=10,
        ).json()["items"]
        return listed[0] if listed else None

    delivery = wait_for(failed, timeout=120)
    assert len(delivery["attempts"]) == len(receiver(local_api, failing)) > 1
    assert all(a["status_code"] == 503 for a in delivery["attempts"])
    sqs = boto3.client(
        "sqs",
        endpoint_url=local_api.moto_url,
        region_name="eu-central-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    dlq = sqs.get_queue_url(QueueName="mahnwerk-local-webhooks-dlq")["QueueUrl"]

    def parked() -> bool:
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return any(delivery["id"] in m["Body"] and "claim.paid" in m["Body"] for m in messages.get("Messages", []))

    assert wait_for(parked, timeout=60)
