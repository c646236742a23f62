"""Sign webhook payloads as Stripe and Adyen do, for the demo and the end-to-end tests."""

from __future__ import annotations

import copy
import hashlib
import hmac
import time
from typing import Any

from chalicelib.adapters.payments.adyen_webhooks import item_signature


def sign_adyen_item(item: dict[str, Any], key_hex: str) -> dict[str, Any]:
    """A copy of the NotificationRequestItem with the additionalData.hmacSignature Adyen would put on it.

    The signature comes from the adapter's own signing function, which a unit test pins to Adyen's published
    vector, so the demo cannot drift from what production verifies.
    """
    signed = copy.deepcopy(item)
    signed.setdefault("additionalData", {})["hmacSignature"] = item_signature(signed, key_hex)
    return signed


def adyen_notification(*items: dict[str, Any]) -> dict[str, Any]:
    """The batch envelope Adyen posts to a standard webhook endpoint (test environment)."""
    return {"live": "false", "notificationItems": [{"NotificationRequestItem": item} for item in items]}


def stripe_signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The Stripe-Signature header for a raw body; the timestamp defaults to now, inside Stripe's tolerance."""
    t = int(time.time()) if timestamp is None else timestamp
    v1 = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={v1}"}
