"""The sandbox PSP: its signed webhook format, verification, and the local client that sends one.

The scheme is the one real PSPs use (Stripe-like): header `Sandbox-Signature: t=<unix>,v1=<hex>`
where v1 = HMAC-SHA256(secret, "<t>.<raw body>"); events older than the tolerance are refused,
and each event id is applied once (the payments table keys on it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
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


def deliver(base_url: str, tenant_id: str, secret: str, claim_id: str, amount: int, currency: str) -> tuple[int, Any]:
    """Send a payment's signed webhook over HTTP, exactly as the PSP's servers would; returns status and body."""
    import requests  # only the local stage's sandbox PSP sends webhooks

    event = payment_event(claim_id, amount, currency)
    raw = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, raw, int(time.time()))}
    response = requests.post(f"{base_url}/v1/webhooks/{tenant_id}/sandbox", data=raw, headers=headers, timeout=10)
    return response.status_code, {"event": event, "webhook_response": response.json()}
