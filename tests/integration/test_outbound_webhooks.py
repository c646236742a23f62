"""Outbound webhooks against moto: endpoints API, stream fan-out, signed deliveries, back-off, DLQ and replay."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from chalicelib.domain.webhook_delivery import MAX_ATTEMPTS, RETRY_SCHEDULE

if TYPE_CHECKING:
    from tests.harness import Harness
    from tests.integration.receivers import Receiver

pytestmark = pytest.mark.integration


def register(harness: Harness, url: str, events: list[str], tenant: str = "demo") -> dict[str, Any]:
    response = harness.post("/v1/webhook-endpoints", {"url": url, "events": events}, tenant)
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def pay_in_full(harness: Harness, claim: dict[str, Any]) -> None:
    response = harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": 12345})
    assert response.status_code == 201, response.body


def deliveries(harness: Harness, query: str = "", tenant: str = "demo") -> list[dict[str, Any]]:
    response = harness.get(f"/v1/webhooks/deliveries{query}", tenant)
    assert response.status_code == 200, response.body
    return list(response.json_body["items"])


def test_a_registered_endpoint_gets_a_signing_secret_that_is_shown_only_once(harness: Harness) -> None:
    created = register(harness, "http://127.0.0.1:9/hooks", ["claim.paid"])

    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["claim.paid"]
    listed = harness.get("/v1/webhook-endpoints").json_body["items"]
    single = harness.get(f"/v1/webhook-endpoints/{created['id']}").json_body
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in single
    assert single["url"] == "http://127.0.0.1:9/hooks"


def test_claim_events_reach_the_endpoint_signed_per_standard_webhooks(harness: Harness, receiver: Receiver) -> None:
    # GIVEN an endpoint for every event
    endpoint = register(harness, receiver.url, ["*"])
    # WHEN a claim is created and paid in full
    claim = harness.create_claim()
    pay_in_full(harness, claim)
    harness.pump_events()
    # THEN each event arrives once, signed with the endpoint's secret
    bodies = [b for b in receiver.verified(endpoint["secret"]) if b["data"]["claim_id"] == claim["id"]]
    types = [b["type"] for b in bodies]
    assert {"claim.created", "payment.received", "claim.paid"} <= set(types)
    event_ids = [b["data"]["event_id"] for b in bodies]
    assert len(event_ids) == len(set(event_ids))
    paid = next(b for b in bodies if b["type"] == "claim.paid")
    assert paid["data"]["tenant_id"] == "demo"
    assert paid["timestamp"].endswith("Z")
    for headers, body in receiver.requests:
        assert headers["webhook-id"] == "msg_" + json.loads(body)["data"]["event_id"]
        assert headers["content-type"] == "application/json"
        assert headers["user-agent"] == "Mahnwerk-Webhooks/1"
    listed = deliveries(harness, f"?endpoint_id={endpoint['id']}&status=succeeded")
    assert {d["event_type"] for d in listed} >= {"claim.created", "payment.received", "claim.paid"}
    assert all(len(d["attempts"]) == 1 and d["attempts"][0]["status_code"] == 200 for d in listed)


def test_an_endpoint_subscribed_to_claim_paid_receives_only_that(harness: Harness, receiver: Receiver) -> None:
    endpoint = register(harness, receiver.url, ["claim.paid"])
    claim = harness.create_claim()
    pay_in_full(harness, claim)

    harness.pump_events()
    harness.pump_events()  # a second pass finds nothing new: nothing is delivered twice

    assert receiver.types() == ["claim.paid"]
    assert receiver.verified(endpoint["secret"])[0]["data"]["claim_id"] == claim["id"]


def test_a_failing_endpoint_is_retried_with_back_off_then_parked_in_the_dlq_and_replayable(
    harness: Harness, receiver: Receiver
) -> None:
    # GIVEN an endpoint that answers 503
    receiver.status = 503
    endpoint = register(harness, receiver.url, ["claim.created"])
    claim = harness.create_claim()
    # WHEN the whole schedule runs (27.6 strategy hours are a fraction of a second at DAY_SECONDS=0.2)
    harness.pump_events()
    # THEN every attempt is recorded, each after its back-off
    [failed] = deliveries(harness, "?status=failed")
    assert failed["claim_id"] == claim["id"]
    attempts = failed["attempts"]
    assert len(attempts) == MAX_ATTEMPTS
    assert all(a["status_code"] == 503 and a["error"] == "HTTP 503" for a in attempts)
    times = [datetime.fromisoformat(a["at"]) for a in attempts]
    for n in range(1, MAX_ATTEMPTS):
        assert times[n] - times[n - 1] >= RETRY_SCHEDULE[n] - timedelta(seconds=1), n
    assert times[-1] - times[0] > timedelta(days=1)
    assert failed["next_attempt_at"] is None
    # AND the receiver saw the same signed message each time
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert {h["webhook-id"] for h, _ in receiver.requests} == {f"msg_{failed['event_id']}"}
    # AND the event is intact in the dead-letter queue
    [parked] = dead_letters(harness)
    assert parked["delivery_id"] == failed["id"]
    assert parked["payload"]["type"] == "claim.created"
    assert parked["payload"]["data"]["event_id"] == failed["event_id"]
    assert parked["reason"] == "HTTP 503"
    # WHEN the merchant fixes the endpoint and replays
    receiver.status = 200
    replay = harness.post(f"/v1/webhooks/deliveries/{failed['id']}/replay", {})
    assert replay.status_code == 202, replay.body
    assert replay.json_body["status"] == "pending"
    harness.pump_events()
    # THEN it is delivered, with the earlier run kept in the history
    done = harness.get(f"/v1/webhooks/deliveries/{failed['id']}").json_body
    assert done["status"] == "succeeded"
    assert [a["run"] for a in done["attempts"]] == [0] * MAX_ATTEMPTS + [1]
    assert receiver.verified(endpoint["secret"])[-1]["data"]["event_id"] == failed["event_id"]


def dead_letters(harness: Harness) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=harness.app.settings.names.dead_letter_queue("webhooks"))["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_another_tenant_can_neither_see_nor_replay_the_deliveries(harness: Harness, receiver: Receiver) -> None:
    register(harness, receiver.url, ["claim.created"])
    harness.create_claim()
    harness.pump_events()
    [mine] = deliveries(harness)

    assert deliveries(harness, tenant="other") == []
    assert harness.get(f"/v1/webhooks/deliveries/{mine['id']}", "other").status_code == 404
    assert harness.post(f"/v1/webhooks/deliveries/{mine['id']}/replay", {}, "other").status_code == 404
    assert harness.get("/v1/webhook-endpoints", "other").json_body["items"] == []


def test_delivery_routes_and_inbound_webhook_routes_do_not_clash(harness: Harness) -> None:
    unknown_delivery = harness.get("/v1/webhooks/deliveries/dlv_nothing")
    inbound = harness.client.http.post(
        "/v1/webhooks/demo/nothing", headers={"Content-Type": "application/json"}, body="{}"
    )

    assert unknown_delivery.status_code == 404
    assert "dlv_nothing" in unknown_delivery.json_body["detail"]
    assert inbound.status_code == 404
    assert "provider" in inbound.json_body["detail"]


def test_deliveries_page_newest_first_with_a_cursor_only_their_tenant_can_use(
    harness: Harness, receiver: Receiver
) -> None:
    register(harness, receiver.url, ["claim.created"])
    for _ in range(3):
        harness.create_claim()
    harness.pump_events()

    first = harness.get("/v1/webhooks/deliveries?limit=2").json_body
    second = harness.get(f"/v1/webhooks/deliveries?limit=2&cursor={first['next_cursor']}").json_body

    ids = [d["id"] for d in first["items"] + second["items"]]
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)
    stolen = harness.get(f"/v1/webhooks/deliveries?limit=2&cursor={first['next_cursor']}", "other")
    assert stolen.status_code == 400
    assert harness.get("/v1/webhooks/deliveries?status=lost").status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://example.com/hooks", "events": ["*"]}, "url"),
        ({"url": "http://10.0.0.1/hooks", "events": ["*"]}, "url"),
        ({"url": "ftp://127.0.0.1/hooks", "events": ["*"]}, "url"),
        ({"url": "http://127.0.0.1:9/hooks", "events": ["claim.exploded"]}, "events"),
        ({"url": "http://127.0.0.1:9/hooks", "events": []}, "events"),
        ({"url": "http://127.0.0.1:9/hooks", "events": ["*"], "secret": "mine"}, "secret"),
        ({"url": "http://127.0.0.1:9/hooks\r\nX-Injected: 1", "events": ["*"]}, "url"),
        ({"url": "http://127.0.0.1:9/my hooks", "events": ["*"]}, "url"),
        ({"url": "http://shop:secret@127.0.0.1:9/hooks", "events": ["*"]}, "url"),
    ],
)
def test_a_bad_endpoint_is_refused_naming_the_field(harness: Harness, body: dict[str, Any], field: str) -> None:
    response = harness.post("/v1/webhook-endpoints", body)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json_body["errors"]]
    assert harness.get("/v1/webhook-endpoints").json_body["items"] == []


def test_a_deleted_endpoint_receives_no_later_events(harness: Harness, receiver: Receiver) -> None:
    endpoint = register(harness, receiver.url, ["*"])

    deleted = harness.client.http.delete(f"/v1/webhook-endpoints/{endpoint['id']}", headers=harness.headers())
    harness.create_claim()
    harness.pump_events()

    assert deleted.status_code == 204
    assert harness.get(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 404
    assert receiver.requests == []
    assert deliveries(harness) == []


def test_the_local_receiver_records_deliveries_and_failing_ones_answer_503(harness: Harness) -> None:
    ok = harness.client.http.post("/_local/receivers/shop", headers={"Content-Type": "application/json"}, body="{}")
    failing = harness.client.http.post(
        "/_local/receivers/failing-shop", headers={"Content-Type": "application/json"}, body="{}"
    )

    assert ok.status_code == 200
    assert failing.status_code == 503
    items = harness.client.http.get("/_local/receivers/shop").json_body["items"]
    assert items[-1]["body"] == "{}"


def test_events_written_after_a_failed_transaction_still_reach_the_endpoint(
    harness: Harness, receiver: Receiver
) -> None:
    endpoint = register(harness, receiver.url, ["claim.created"])
    first = harness.create_claim()
    harness.pump_events()
    # GIVEN a transaction on the events table that fails its condition: the same payment posted twice
    # (moto then restores the tables from a copy, stream included)
    for _ in range(2):
        harness.post(f"/v1/claims/{first['id']}/payments", {"amount": 100, "reference": "posted-twice"})
    # WHEN a later event is written
    later = harness.create_claim()
    harness.pump_events()
    # THEN it is delivered all the same
    created = [b["data"]["claim_id"] for b in receiver.verified(endpoint["secret"]) if b["type"] == "claim.created"]
    assert created == [first["id"], later["id"]]
