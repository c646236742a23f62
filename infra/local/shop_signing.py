"""Sign a webhook body the way each shop system does and return the headers it sends, for the demo and the tests.

Written from the shops' side on purpose (plain hmac, standardwebhooks' own signer), not with the adapters' code,
so a test that signs here and verifies there checks the adapters against the shops' schemes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

SHOP_DOMAIN = "demo-shop.myshopify.com"
SHOPIFY_API_VERSION = "2025-01"
WOOCOMMERCE_SOURCE = "https://demo-shop.example/"
SHOPWARE_VERSION = "6.6.10.0"


def _hmac(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def shopify_headers(body: bytes, secret: str, topic: str, webhook_id: str) -> dict[str, str]:
    """What Shopify sends: base64 HMAC-SHA256 of the raw body, the topic, a delivery id and an event id."""
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": base64.b64encode(_hmac(secret, body)).decode(),
        "X-Shopify-Shop-Domain": SHOP_DOMAIN,
        "X-Shopify-API-Version": SHOPIFY_API_VERSION,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Event-Id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{topic}/{webhook_id}")),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


def woocommerce_headers(body: bytes, secret: str, topic: str, delivery_id: str, webhook_id: int = 1) -> dict[str, str]:
    """What WooCommerce sends: base64 HMAC-SHA256 of the raw body, topic "order.created", resource and event."""
    resource, _, event = topic.partition(".")
    return {
        "Content-Type": "application/json",
        "X-WC-Webhook-Source": WOOCOMMERCE_SOURCE,
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": base64.b64encode(_hmac(secret, body)).decode(),
        "X-WC-Webhook-ID": str(webhook_id),
        "X-WC-Webhook-Delivery-ID": delivery_id,
    }


def shopware_headers(body: bytes, secret: str, user_language: str = "de-DE") -> dict[str, str]:
    """What a Shopware 6 shop sends an app: hex HMAC-SHA256 of the raw body; the event id is in the body."""
    return {
        "Content-Type": "application/json",
        "shopware-shop-signature": _hmac(secret, body).hex(),
        "sw-version": SHOPWARE_VERSION,
        "sw-user-language": user_language,
    }


def generic_headers(body: bytes, secret: str, msg_id: str, at: datetime | None = None) -> dict[str, str]:
    """Standard Webhooks: v1 HMAC-SHA256 of "<id>.<unix timestamp>.<body>" with the whsec_ secret."""
    at = at or datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
