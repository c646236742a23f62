"""Shop webhooks over HTTP at /v1/webhooks/demo/<system>: signed orders become claims, their updates move them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from infra.local.seed import SECRETS
from infra.local.shop_signing import generic_headers, shopify_headers, shopware_headers, woocommerce_headers

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration

EVENTS = Path(__file__).parent.parent / "events"
SHOPIFY_ID = "shopify:820982911946154508"
# Long payment terms: the ladder (0.2 s per day here) must not reach the due date while a test runs.
PAYMENT_DAYS = 90


@pytest.fixture
def shop(harness: Harness) -> Harness:
    """The demo tenant, with payment terms long enough that no reminder interferes."""
    tenant = harness.app.tenants.get("demo")
    integrations = {system: {**config, "payment_days": PAYMENT_DAYS} for system, config in tenant.integrations.items()}
    harness.app.tenants.save(replace(tenant, integrations=integrations))
    return harness


def fixture(system: str, name: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / system / f"{name}.json").read_text()))


def today(harness: Harness) -> str:
    return harness.app.clock.today().isoformat()


def deliver(
    harness: Harness, system: str, payload: dict[str, Any] | bytes, topic: str = "", delivery: str = "d-1"
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    secret = SECRETS[system]
    headers = {
        "shopify": lambda: shopify_headers(body, secret, topic, delivery),
        "woocommerce": lambda: woocommerce_headers(body, secret, topic, delivery),
        "shopware": lambda: shopware_headers(body, secret),
        "generic": lambda: generic_headers(body, secret, delivery),
    }[system]()
    return harness.client.http.post(f"/v1/webhooks/demo/{system}", headers=headers, body=body)


def shopify_order(harness: Harness) -> dict[str, Any]:
    order = fixture("shopify", "orders_create")
    order["created_at"] = order["processed_at"] = f"{today(harness)}T10:00:00-05:00"
    return order


def claim_of(harness: Harness, external_id: str) -> dict[str, Any] | None:
    claim_id = harness.app.claims.find_by_external_id("demo", external_id)
    return None if claim_id is None else harness.claim(claim_id)


def test_a_shopify_order_on_account_becomes_a_claim_with_the_orders_amounts(shop: Harness) -> None:
    order = shopify_order(shop)
    response = deliver(shop, "shopify", order, "orders/create", "wh-create")

    assert response.status_code == 200, response.body
    answer = response.json_body
    assert (answer["action"], answer["delivery_id"]) == ("claim_created", "wh-create")
    claim = shop.claim(answer["claim_id"])
    assert claim["external_id"] == SHOPIFY_ID
    assert (claim["amount"], claim["currency"], claim["balance"]) == (38800, "USD", 38800)
    assert claim["description"] == "Order #9999"
    assert claim["invoice_date"] == order["created_at"][:10]  # the virtual clock runs a day per 0.2 s
    assert claim["debtor"] | {"customer_since": None} == {
        "name": "Shipping Company",
        "email": "jon@example.com",
        "phone": "",
        "language": "en",
        "kind": "business",
        "country": "US",
        "customer_since": None,
    }


def test_a_bad_signature_gets_401_and_stores_nothing(shop: Harness) -> None:
    body = json.dumps(shopify_order(shop)).encode()
    headers = shopify_headers(body, "not-the-tenants-secret", "orders/create", "wh-forged")

    response = shop.client.http.post("/v1/webhooks/demo/shopify", headers=headers, body=body)

    assert response.status_code == 401
    assert shop.app.claims.find_by_external_id("demo", SHOPIFY_ID) is None


def test_an_order_delivered_twice_is_one_claim(shop: Harness) -> None:
    order = shopify_order(shop)

    first = deliver(shop, "shopify", order, "orders/create", "wh-1").json_body
    again = deliver(shop, "shopify", order, "orders/create", "wh-1").json_body

    assert (first["action"], again["action"]) == ("claim_created", "duplicate")
    assert again["claim_id"] == first["claim_id"]
    assert again["delivery_id"] == "wh-1"
    assert shop.app.claims.find_by_external_id("demo", SHOPIFY_ID) == first["claim_id"]


def test_shopify_orders_paid_settles_the_claim_once(shop: Harness) -> None:
    claim_id = deliver(shop, "shopify", shopify_order(shop), "orders/create").json_body["claim_id"]
    paid = fixture("shopify", "orders_paid")

    answer = deliver(shop, "shopify", paid, "orders/paid", "wh-paid").json_body
    again = deliver(shop, "shopify", paid, "orders/paid", "wh-paid").json_body

    assert answer["action"] == "payment_recorded"
    assert again["action"] == "duplicate"
    claim = shop.claim(claim_id)
    assert (claim["status"], claim["paid"], claim["balance"]) == ("paid", 38800, 0)
    assert [p["payment_key"] for p in shop.app.payments.payments(claim_id)] == ["shopify#paid#820982911946154508"]


def test_a_partial_shopify_refund_lowers_the_balance_and_a_full_one_cancels(shop: Harness) -> None:
    claim_id = deliver(shop, "shopify", shopify_order(shop), "orders/create").json_body["claim_id"]
    partial = fixture("shopify", "refunds_create")
    rest = fixture("shopify", "refunds_create") | {"id": 890088186047892320}
    rest["refund_line_items"][0]["subtotal_set"]["presentment_money"]["amount"] = "189.00"

    first = deliver(shop, "shopify", partial, "refunds/create", "wh-r1").json_body
    assert first["action"] == "claim_credited"
    claim = shop.claim(claim_id)
    assert (claim["amount"], claim["balance"], claim["status"]) == (18900, 18900, "open")

    second = deliver(shop, "shopify", rest, "refunds/create", "wh-r2").json_body
    assert second["action"] == "claim_credited"
    claim = shop.claim(claim_id)
    assert (claim["amount"], claim["balance"], claim["status"]) == (0, 0, "cancelled")


def test_shopify_orders_cancelled_cancels_the_claim(shop: Harness) -> None:
    claim_id = deliver(shop, "shopify", shopify_order(shop), "orders/create").json_body["claim_id"]

    answer = deliver(shop, "shopify", fixture("shopify", "orders_cancelled"), "orders/cancelled").json_body

    assert answer["action"] == "claim_cancelled"
    assert shop.claim(claim_id)["status"] == "cancelled"


def test_an_unknown_topic_is_acknowledged_and_ignored(shop: Harness) -> None:
    response = deliver(shop, "shopify", shopify_order(shop), "orders/fulfilled")

    assert response.status_code == 200
    assert response.json_body["action"] == "ignored"
    assert shop.app.claims.find_by_external_id("demo", SHOPIFY_ID) is None


def test_an_update_for_an_order_without_a_claim_is_ignored(shop: Harness) -> None:
    answer = deliver(shop, "shopify", fixture("shopify", "orders_paid"), "orders/paid").json_body

    assert (answer["action"], answer["reason"]) == ("ignored", "no claim for this order")


def test_a_malformed_order_with_a_valid_signature_gets_400_naming_the_field(shop: Harness) -> None:
    order = shopify_order(shop)
    order["total_price_set"]["presentment_money"]["amount"] = "three hundred"

    response = deliver(shop, "shopify", order, "orders/create")

    assert response.status_code == 400
    assert response.json_body["errors"][0]["field"] == "total_price_set.presentment_money.amount"
    assert shop.app.claims.find_by_external_id("demo", SHOPIFY_ID) is None


def test_invalid_json_with_a_valid_signature_gets_400(shop: Harness) -> None:
    response = deliver(shop, "shopify", b'{"id": 820982911946154508, "total_price": ', "orders/create")

    assert response.status_code == 400
    assert response.json_body["errors"][0]["field"] == "body"


def test_a_woocommerce_order_on_account_becomes_a_claim_and_completion_settles_it(shop: Harness) -> None:
    order = fixture("woocommerce", "order_created")
    order["date_created"] = f"{today(shop)}T10:15:02"
    completed = fixture("woocommerce", "order_completed")

    created = deliver(shop, "woocommerce", order, "order.created", "wc-1").json_body
    settled = deliver(shop, "woocommerce", completed, "order.updated", "wc-2").json_body

    assert created["action"] == "claim_created"
    assert settled["action"] == "payment_recorded"
    claim = shop.claim(created["claim_id"])
    assert claim["external_id"] == "woocommerce:727"
    assert (claim["amount"], claim["currency"], claim["paid"], claim["status"]) == (16295, "EUR", 16295, "paid")
    assert (claim["debtor"]["phone"], claim["debtor"]["kind"]) == ("+4915123456789", "consumer")


def test_woocommerces_creation_ping_is_acknowledged(shop: Harness) -> None:
    response = shop.client.http.post(
        "/v1/webhooks/demo/woocommerce",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=b"webhook_id=12",
    )

    assert response.status_code == 200
    assert response.json_body["action"] == "ignored"


def test_a_shopware_invoice_order_becomes_a_claim_and_its_cancellation_cancels_it(shop: Harness) -> None:
    placed = fixture("shopware", "order_placed")
    placed["data"]["payload"]["order"]["orderDateTime"] = f"{today(shop)}T09:14:27.316+00:00"

    created = deliver(shop, "shopware", placed).json_body
    cancelled = deliver(shop, "shopware", fixture("shopware", "order_cancelled")).json_body

    assert (created["action"], created["delivery_id"]) == ("claim_created", "7b04ebe416db4ebc93de4d791325e1d9")
    assert cancelled["action"] == "claim_cancelled"
    claim = shop.claim(created["claim_id"])
    assert claim["external_id"] == "shopware:0b2e4a7c9d8f4e1aa3c6b5d4e3f21a90"
    assert (claim["amount"], claim["currency"], claim["status"]) == (17000, "EUR", "cancelled")
    assert (claim["debtor"]["name"], claim["debtor"]["kind"]) == ("Mustermann Gartenbau GmbH", "business")


def test_a_generic_invoice_becomes_a_claim_and_a_credit_note_lowers_it(shop: Harness) -> None:
    created = fixture("generic", "invoice_created")
    created["data"] |= {"invoice_date": today(shop), "due_date": _days_from_today(shop, PAYMENT_DAYS)}

    answer = deliver(shop, "generic", created, delivery="msg_created").json_body
    credit = deliver(shop, "generic", fixture("generic", "invoice_credited"), delivery="msg_credit").json_body
    again = deliver(shop, "generic", fixture("generic", "invoice_credited"), delivery="msg_credit").json_body

    assert answer["action"] == "claim_created"
    assert (credit["action"], again["action"]) == ("claim_credited", "duplicate")
    claim = shop.claim(answer["claim_id"])
    assert claim["external_id"] == "generic:RE-2026-04711"
    assert (claim["amount"], claim["balance"], claim["status"]) == (20000, 20000, "open")


def test_a_tenant_without_a_secret_for_the_system_refuses_its_webhooks(shop: Harness) -> None:
    tenant = shop.app.tenants.get("demo")
    secrets = {k: v for k, v in tenant.webhook_secrets.items() if k != "shopware"}
    shop.app.tenants.save(replace(tenant, webhook_secrets=secrets))

    response = deliver(shop, "shopware", fixture("shopware", "order_placed"))

    assert response.status_code == 401


def _days_from_today(harness: Harness, days: int) -> str:
    return (harness.app.clock.today() + timedelta(days=days)).isoformat()
