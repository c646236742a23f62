"""The sandbox PSP: its signed webhook format, verification, and the local client that sends one.

The scheme is the one real PSPs use (Stripe-like): header `Sandbox-Signature: t=<unix>,v1=<hex>`
where v1 = HMAC-SHA256(secret, "<t>.<raw body>"); events older than the tolerance are refused,
and each event id is applied once (the payments table keys on it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ulid import ULID

from chalicelib.contracts import json_body
from chalicelib.domain.errors import InvalidInputError, SignatureError

if TYPE_CHECKING:
    from collections.abc import Mapping

SIGNATURE_HEADER = "sandbox-signature"
TOLERANCE_SECONDS = 300
PAYMENT_SUCCEEDED = "payment.succeeded"


@dataclass(frozen=True)
class SandboxPayment:
    event_id: str
    claim_id: str
    amount: int
    currency: str
    payment_id: str


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> None:
    raw = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.title()) or ""
    parts = dict(p.split("=", 1) for p in raw.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or not (parts["t"].isascii() and parts["t"].isdecimal()):
        raise SignatureError("missing or malformed Sandbox-Signature header")
    timestamp = int(parts["t"])
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("signature timestamp outside the tolerance")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts["v1"]):
        raise SignatureError("signature does not match")


def parse(body: bytes) -> SandboxPayment | None:
    """The payment in a verified event, or None for event types that carry no money."""
    event = json_body.loads(body)
    try:
        if not isinstance(event, dict):
            raise InvalidInputError("body", "a sandbox event is a JSON object")
        if event.get("type") != PAYMENT_SUCCEEDED:
            return None
        data = event["data"]
        amount = data["amount"]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise InvalidInputError("data.amount", "must be a positive integer in minor units")
        return SandboxPayment(
            _text(event["id"], "id"),
            _text(data["claim_id"], "data.claim_id"),
            amount,
            _text(data["currency"], "data.currency"),
            _text(data["payment_id"], "data.payment_id"),
        )
    except KeyError as exc:
        raise InvalidInputError("body", f"not a sandbox payment event: it lacks {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise InvalidInputError("body", "not a sandbox payment event: data is not an object") from exc


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(field, "must be a non-empty string")
    return value


def payment_event(claim_id: str, amount: int, currency: str) -> dict[str, Any]:
    """A new event, as the sandbox PSP would emit after a successful checkout."""
    return {
        "id": f"evt_{ULID()}",
        "type": PAYMENT_SUCCEEDED,
        "created": int(time.time()),
        "data": {"claim_id": claim_id, "amount": amount, "currency": currency, "payment_id": f"pay_{ULID()}"},
    }


# The merchant's endpoint may take its time (it retries races on the claim for up to 20 s): an attempt waits this long
# for its answer. One that gives none in time, or a non-2xx answer, is delivered again later with the same event id,
# which the payments table applies once, as real PSPs do for days (Stripe) and the sandbox for about two minutes.
ATTEMPT_TIMEOUT_SECONDS = 30.0
REDELIVERY_SECONDS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0)


@dataclass
class Delivery:
    """How the PSP's webhook of one payment fared: the payment succeeded at the PSP whatever its delivery does."""

    event: dict[str, Any]
    state: str = "pending"  # pending → delivered | failed (every redelivery spent)
    attempts: list[dict[str, Any]] = field(default_factory=list)  # {"status": 200} or {"error": "timed out"}
    response: Any = None  # the endpoint's answer to the attempt that delivered it

    def view(self) -> dict[str, Any]:
        return {"event_id": self.event["id"], "state": self.state, "attempts": list(self.attempts)}


class Deliveries:
    """The sandbox PSP's delivery log, in memory: what GET /_local/sandbox/payments/{event_id} shows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Delivery] = {}

    def add(self, delivery: Delivery) -> None:
        with self._lock:
            self._items[delivery.event["id"]] = delivery

    def get(self, event_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._items.get(event_id)
            return found.view() if found else None

    def record(self, delivery: Delivery, attempt: dict[str, Any], state: str, response: Any = None) -> None:
        with self._lock:
            delivery.attempts.append(attempt)
            delivery.state = state
            if response is not None:
                delivery.response = response


deliveries = Deliveries()


def deliver(base_url: str, tenant_id: str, secret: str, claim_id: str, amount: int, currency: str) -> Delivery:
    """Send a payment's signed webhook over HTTP, exactly as the PSP's servers would: now, and again until accepted.

    Returns after the first attempt; redeliveries run in the background.
    """
    delivery = Delivery(payment_event(claim_id, amount, currency))
    deliveries.add(delivery)
    url = f"{base_url}/v1/webhooks/{tenant_id}/sandbox"
    if not _attempt(url, secret, delivery, final=False):
        threading.Thread(
            target=_redeliver, args=(url, secret, delivery), name="sandbox-redelivery", daemon=True
        ).start()
    return delivery


def _redeliver(url: str, secret: str, delivery: Delivery) -> None:
    for n, pause in enumerate(REDELIVERY_SECONDS, start=1):
        time.sleep(pause)
        if _attempt(url, secret, delivery, final=n == len(REDELIVERY_SECONDS)):
            return


def _attempt(url: str, secret: str, delivery: Delivery, final: bool) -> bool:
    import requests  # only the local stage's sandbox PSP sends webhooks

    raw = json.dumps(delivery.event).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, raw, int(time.time()))}
    failed = "failed" if final else "pending"
    try:
        response = requests.post(url, data=raw, headers=headers, timeout=ATTEMPT_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        error = "timed out" if isinstance(exc, requests.Timeout) else type(exc).__name__
        deliveries.record(delivery, {"error": error}, failed)
        return False
    accepted = response.ok
    deliveries.record(delivery, {"status": response.status_code}, "delivered" if accepted else failed, _body(response))
    return accepted


def _body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
