"""Shop webhook payloads for the mapping tests: each system's fixtures, delivered signed to the adapters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.adapters.shops import read_webhook
from chalicelib.domain.shop_orders import OrderRules, ShopEvent
from chalicelib.domain.tenant import Tenant
from infra.local.shop_signing import generic_headers, shopify_headers, shopware_headers, woocommerce_headers

EVENTS = Path(__file__).parent.parent / "events"
SECRETS = {
    "shopify": "shpss_unit",
    "woocommerce": "wc_unit",
    "shopware": "sw_unit",
    "generic": "whsec_dW5pdC1nZW5lcmljLXNlY3JldA==",
}
INTEGRATIONS = {
    "shopify": {"invoice_gateways": ["manual", "Invoice"], "payment_days": 14},
    "woocommerce": {"invoice_methods": ["invoice", "bacs"], "payment_days": 14},
    "shopware": {"invoice_methods": ["invoice_payment", "payment_invoicepayment"], "payment_days": 14},
}
TENANT = Tenant("unit", "Unit Shop GmbH", default_language="de", webhook_secrets=SECRETS, integrations=INTEGRATIONS)
SHOPIFY_ORDER = 820982911946154508
SHOPWARE_ORDER = "0b2e4a7c9d8f4e1aa3c6b5d4e3f21a90"


def fixture(system: str, name: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / system / f"{name}.json").read_text()))


def deliver(system: str, payload: dict[str, Any] | bytes, topic: str = "", tenant: Tenant = TENANT) -> ShopEvent:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    secret = SECRETS[system]
    headers = {
        "shopify": lambda: shopify_headers(body, secret, topic, "wh-1"),
        "woocommerce": lambda: woocommerce_headers(body, secret, topic, "dl-1"),
        "shopware": lambda: shopware_headers(body, secret),
        "generic": lambda: generic_headers(body, secret, "msg_1"),
    }[system]()
    return read_webhook(system, body, headers, secret, OrderRules.for_tenant(tenant, system))


def shopify_order(**changes: Any) -> dict[str, Any]:
    order = fixture("shopify", "orders_create")
    order.update(changes)
    return order
