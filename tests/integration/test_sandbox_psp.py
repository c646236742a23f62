"""The sandbox PSP: a payment that succeeded is never a failed request, whatever its webhook delivery does."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib.adapters.payments import sandbox
from tests.harness import wait_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.harness import Harness

pytestmark = pytest.mark.integration


class MerchantEndpoint:
    """Where the PSP delivers its webhooks: answers each delivery as its script says, (seconds to wait, status)."""

    def __init__(self, *script: tuple[float, int]) -> None:
        self.script = list(script)
        self.events: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                endpoint.events.append(json.loads(body)["id"])
                delay, status = endpoint.script.pop(0) if endpoint.script else (0.0, 200)
                time.sleep(delay)
                answer = json.dumps({"received": True}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def quick_redelivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Attempts wait half a second for an answer, and redeliveries follow at once: the test need not wait minutes."""
    monkeypatch.setattr(sandbox, "ATTEMPT_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(sandbox, "REDELIVERY_SECONDS", (0.1, 0.1, 0.1))


@pytest.fixture
def endpoint(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, quick_redelivery: None
) -> Iterator[MerchantEndpoint]:
    """The merchant's endpoint with the script the test names, and the local stage's base URL pointing at it."""
    served = MerchantEndpoint(*request.param)
    monkeypatch.setenv("PUBLIC_BASE_URL", served.url)  # before the harness builds the container
    yield served
    served.close()


def pay(harness: Harness) -> Any:
    claim = harness.create_claim(amount=5000)
    body = json.dumps({"claim_id": claim["id"], "amount": 5000})
    return harness.client.http.post("/_local/sandbox/payments", headers={"Content-Type": "application/json"}, body=body)


def delivery(harness: Harness, event_id: str) -> dict[str, Any]:
    return dict(harness.client.http.get(f"/_local/sandbox/payments/{event_id}").json_body)


@pytest.mark.parametrize(
    ("endpoint", "first_attempt", "attempts"),
    [
        # the endpoint takes longer to answer than the PSP waits, then accepts the redelivery
        ([(2.0, 200)], {"error": "timed out"}, 2),
        # the endpoint refuses for now (busy), twice, then accepts
        ([(0.0, 503), (0.0, 503)], {"status": 503}, 3),
    ],
    indirect=["endpoint"],
    ids=["no answer in time", "refused for now"],
)
def test_a_payment_whose_webhook_is_not_accepted_yet_is_accepted_and_delivered_again_with_the_same_event(
    endpoint: MerchantEndpoint, harness: Harness, first_attempt: dict[str, Any], attempts: int
) -> None:
    response = pay(harness)

    # the payment's answer says the PSP took it and still delivers it; never a 5xx
    assert response.status_code == 202, response.body
    event_id = response.json_body["event"]["id"]
    assert response.json_body["delivery"]["state"] == "pending"
    assert response.json_body["delivery"]["attempts"] == [first_attempt]
    # and it delivers the same event again until the endpoint accepts it
    done = wait_for(lambda: (d := delivery(harness, event_id))["state"] == "delivered" and d, timeout=30)
    assert done["attempts"][-1] == {"status": 200}
    assert endpoint.events == [event_id] * attempts


def test_a_webhook_that_is_never_accepted_ends_failed_after_the_last_redelivery(
    monkeypatch: pytest.MonkeyPatch, quick_redelivery: None
) -> None:
    endpoint = MerchantEndpoint(*[(0.0, 500)] * 10)
    try:
        sent = sandbox.deliver(endpoint.url, "demo", "secret", "c1", 100, "EUR")
        wait_for(lambda: (sandbox.deliveries.get(sent.event["id"]) or {}).get("state") == "failed", timeout=30)
    finally:
        endpoint.close()

    assert len(endpoint.events) == 1 + len(sandbox.REDELIVERY_SECONDS)


def test_an_unknown_sandbox_event_is_not_found(harness: Harness) -> None:
    assert harness.client.http.get("/_local/sandbox/payments/evt_nope").status_code == 404
