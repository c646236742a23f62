"""Other projects' shop orders and PSP events posted to /v1/webhooks/demo/<provider>, signed as their senders sign.

The files are read in place from ../shared/real-world/ and sent byte for byte; the one change is Stripe's
placeholder claim id, replaced by the id of the claim the test created (that is what Mahnwerk's checkout puts
there). Expected values were read from the files by hand.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import stripe

from infra.local.seed import SECRETS
from infra.local.shop_signing import shopify_headers, shopware_headers, woocommerce_headers
from tests.real_world import PSP, SHOPS, needs_real_world

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = [pytest.mark.integration, needs_real_world]

STRIPE_PLACEHOLDER = b"clm_01JEXTERNALCHECKOUT0001"  # client_reference_id and metadata.claim_id in the fixtures
ADYEN_TEST_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"  # Adyen's UtilTest key
# The orders' own dates (read from the files); payment days are set so each falls due 90 days from today and no
# reminder runs while a test does.
ORDER_DATES = {"shopify": date(2024, 6, 26), "woocommerce": date(2017, 3, 22), "shopware": date(2023, 5, 4)}


@pytest.fixture
def shop(harness: Harness) -> Harness:
    tenant = harness.app.tenants.get("demo")
    today = harness.app.clock.today()
    integrations = {
        system: {**config, "payment_days": (today - ORDER_DATES[system]).days + 90} if system in ORDER_DATES else config
        for system, config in tenant.integrations.items()
    }
    integrations["shopware"] = {**integrations["shopware"], "invoice_methods": ["foo_sync"]}  # the fixture's app
    harness.app.tenants.save(
        replace(tenant, integrations=integrations, webhook_secrets={**tenant.webhook_secrets, "adyen": ADYEN_TEST_KEY})
    )
    return harness


def post_shop(harness: Harness, name: str, topic: str = "", delivery: str = "real-1") -> Any:
    system = name.split("_", 1)[0]
    body = (SHOPS / name).read_bytes()
    secret = SECRETS[system]
    headers = {
        "shopify": lambda: shopify_headers(body, secret, topic, delivery),
        "woocommerce": lambda: woocommerce_headers(body, secret, topic, delivery),
        "shopware": lambda: shopware_headers(body, secret),
    }[system]()
    return harness.client.http.post(f"/v1/webhooks/demo/{system}", headers=headers, body=body)


def post_stripe(harness: Harness, name: str, claim_id: str = "") -> Any:
    body = (PSP / name).read_bytes().replace(STRIPE_PLACEHOLDER, claim_id.encode())
    signature = stripe.WebhookSignature.generate_signature_header(body.decode(), SECRETS["stripe"])
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
    return harness.client.http.post("/v1/webhooks/demo/stripe", headers=headers, body=body)


def post_adyen(harness: Harness, name: str) -> Any:
    body = (PSP / name).read_bytes()
    return harness.client.http.post("/v1/webhooks/demo/adyen", headers={"Content-Type": "application/json"}, body=body)


def claim_of(harness: Harness, external_id: str) -> dict[str, Any] | None:
    claim_id = harness.app.claims.find_by_external_id("demo", external_id)
    return None if claim_id is None else harness.claim(claim_id)


def due_in_90_days(harness: Harness) -> str:
    return (harness.app.clock.today() + timedelta(days=90)).isoformat()


def due_by_terms(harness: Harness, system: str) -> str:
    """The order's date plus the payment days the fixture gave the tenant (the virtual clock has moved on since)."""
    days = harness.app.tenants.get("demo").integrations[system]["payment_days"]
    return (ORDER_DATES[system] + timedelta(days=days)).isoformat()


# --- shops ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "amount", "currency"),
    [
        ("shopify_orders_create_invoice_usd.json", 157590, "USD"),  # "1575.90"
        ("shopify_orders_create_jpy_padded.json", 237500, "JPY"),  # "237500.00"
        ("shopify_orders_create_kwd.json", 483125, "KWD"),  # "483.125"
    ],
)
def test_a_real_shopify_order_on_account_becomes_a_claim_for_its_total(
    shop: Harness, name: str, amount: int, currency: str
) -> None:
    response = post_shop(shop, name, "orders/create")

    assert response.status_code == 200, response.body
    assert response.json_body["action"] == "claim_created"
    claim = shop.claim(response.json_body["claim_id"])
    assert claim["external_id"] == "shopify:820982911946154508"
    assert (claim["amount"], claim["currency"], claim["balance"]) == (amount, currency, amount)
    assert (claim["invoice_date"], claim["description"]) == ("2024-06-26", "Order #9999")
    assert claim["due_date"] == due_by_terms(shop, "shopify")
    debtor = claim["debtor"]
    assert (debtor["name"], debtor["kind"], debtor["email"]) == ("Shipping Company", "business", "jon@example.com")
    assert (debtor["phone"], debtor["country"], debtor["language"]) == ("", "US", "en")


def test_a_real_yen_order_with_a_fraction_gets_400_naming_the_amount_and_no_claim(shop: Harness) -> None:
    response = post_shop(shop, "shopify_orders_create_jpy_fraction.json", "orders/create")

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json_body["errors"][0]["field"] == "total_price_set.presentment_money.amount"
    assert claim_of(shop, "shopify:820982911946154508") is None


@pytest.mark.parametrize(
    "name", ["shopify_orders_create_test_notification.json", "shopify_orders_create_no_gateway.json"]
)
def test_a_real_shopify_order_that_is_no_invoice_is_acknowledged_and_makes_no_claim(shop: Harness, name: str) -> None:
    response = post_shop(shop, name, "orders/create")

    assert response.status_code == 200
    assert response.json_body["action"] == "ignored"
    assert "not an invoice payment method" in response.json_body["reason"]
    assert shop.get("/v1/claims").json_body["items"] == []


def test_a_real_bank_transfer_order_is_dunned_until_woocommerce_marks_it_paid(shop: Harness) -> None:
    # GIVEN an on-hold BACS order without date_paid: an unpaid invoice of 12.50 USD
    created = post_shop(shop, "woocommerce_order_created_onhold_strings.json", "order.created", "wc-1").json_body
    assert created["action"] == "claim_created"
    claim = shop.claim(created["claim_id"])
    assert (claim["external_id"], claim["amount"], claim["currency"]) == ("woocommerce:727", 1250, "USD")
    assert (claim["debtor"]["name"], claim["debtor"]["email"]) == ("John Doe", "john.doe@example.com")
    assert (claim["invoice_date"], claim["due_date"]) == ("2017-03-22", due_by_terms(shop, "woocommerce"))

    # WHEN the merchant marks the transfer received: processing, date_paid 2017-03-22T16:28:08
    paid = post_shop(shop, "woocommerce_order_updated_bacs_marked_paid.json", "order.updated", "wc-2").json_body
    again = post_shop(shop, "woocommerce_order_updated_bacs_marked_paid.json", "order.updated", "wc-2").json_body

    # THEN the claim is settled once and its dunning ends
    assert (paid["action"], again["action"]) == ("payment_recorded", "duplicate")
    claim = shop.claim(created["claim_id"])
    assert (claim["status"], claim["paid"], claim["balance"]) == ("paid", 1250, 0)
    assert shop.wait_until_finished(created["claim_id"]) == "SUCCEEDED"


def test_a_real_woocommerce_order_paid_when_it_arrives_never_becomes_a_claim(shop: Harness) -> None:
    response = post_shop(shop, "woocommerce_order_created_bacs_paid.json", "order.created")

    assert response.status_code == 200
    assert response.json_body["action"] == "ignored"
    assert claim_of(shop, "woocommerce:727") is None


def test_a_real_woocommerce_refund_credits_the_claim_down_to_nothing(shop: Harness) -> None:
    created = post_shop(shop, "woocommerce_order_created_onhold_strings.json", "order.created", "wc-1").json_body

    refunded = post_shop(shop, "woocommerce_order_updated_refunded.json", "order.updated", "wc-3").json_body

    assert refunded["action"] == "claim_credited"
    claim = shop.claim(created["claim_id"])
    assert (claim["amount"], claim["balance"], claim["status"]) == (0, 0, "cancelled")


def test_a_real_shopware_order_on_the_invoice_app_becomes_a_claim_and_its_payment_settles_it(shop: Harness) -> None:
    created = post_shop(shop, "shopware_checkout_order_placed.json").json_body
    paid = post_shop(shop, "shopware_transaction_paid.json").json_body

    assert (created["action"], created["delivery_id"]) == ("claim_created", "0197a1f0c3b87bd1a6f1e1e7d6c5b4a3")
    assert paid["action"] == "payment_recorded"
    claim = shop.claim(created["claim_id"])
    assert claim["external_id"] == "shopware:8f69d4874c53486a95383b2126161738"
    assert (claim["amount"], claim["currency"], claim["description"]) == (39501, "EUR", "Order #10077")
    assert (claim["debtor"]["name"], claim["debtor"]["email"], claim["debtor"]["country"]) == (
        "Max Mustermann",
        "test@example.com",
        "GP",
    )
    assert (claim["status"], claim["paid"], claim["balance"]) == ("paid", 39501, 0)


# --- Stripe ---------------------------------------------------------------------------------------------------------


def test_a_real_stripe_checkout_pays_the_claim_and_a_partial_refund_re_opens_it(shop: Harness) -> None:
    # GIVEN a claim of 129.90 EUR, the amount of the real checkout session
    claim = shop.create_claim(amount=12990, currency="EUR", due_date=due_in_90_days(shop))

    # WHEN Stripe reports the session paid (payment intent pi_1PgafyB7WZ01zgkWSjxsAJo3) …
    paid = post_stripe(shop, "stripe_checkout_session_completed.json", claim["id"])
    assert paid.status_code == 200, paid.json_body
    assert (paid.json_body["applied"], paid.json_body["status"], paid.json_body["balance"]) == (True, "paid", 0)

    # … and then a second partial refund of that intent's charge: 5000 refunded in all, 2000 of it before
    refund = post_stripe(shop, "stripe_charge_refunded_partial.json")

    # THEN 30.00 EUR are due again, and the claim is back in its ladder
    assert refund.status_code == 200, refund.json_body
    assert (refund.json_body["kind"], refund.json_body["claim_id"]) == ("refund", claim["id"])
    view = shop.claim(claim["id"])
    assert (view["paid"], view["balance"]) == (9990, 3000)
    assert view["status"] in ("open", "dunning")


def test_a_real_stripe_dispute_of_a_paid_claim_puts_the_whole_amount_back(shop: Harness) -> None:
    claim = shop.create_claim(amount=12990, currency="EUR", due_date=due_in_90_days(shop))
    assert post_stripe(shop, "stripe_checkout_session_completed.json", claim["id"]).json_body["status"] == "paid"

    dispute = post_stripe(shop, "stripe_charge_dispute_created.json")  # 12990 eur, found through its intent

    assert dispute.status_code == 200, dispute.json_body
    assert dispute.json_body["kind"] == "chargeback"
    view = shop.claim(claim["id"])
    assert (view["paid"], view["balance"]) == (0, 12990)
    assert view["status"] in ("open", "dunning")


def test_a_real_yen_checkout_pays_a_yen_claim_in_whole_yen(shop: Harness) -> None:
    claim = shop.create_claim(amount=1500, currency="JPY", due_date=due_in_90_days(shop))

    paid = post_stripe(shop, "stripe_checkout_session_completed_jpy.json", claim["id"])

    assert paid.status_code == 200, paid.json_body
    view = shop.claim(claim["id"])
    assert (view["currency"], view["paid"], view["balance"], view["status"]) == ("JPY", 1500, 0, "paid")


def test_a_real_unpaid_stripe_checkout_is_acknowledged_and_moves_no_money(shop: Harness) -> None:
    claim = shop.create_claim(amount=12990, currency="EUR", due_date=due_in_90_days(shop))

    response = post_stripe(shop, "stripe_checkout_session_unpaid_raw.json")

    assert response.status_code == 200
    assert response.json_body == {"received": True, "applied": False}
    assert shop.claim(claim["id"])["balance"] == 12990


# --- Adyen ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "adyen_authorisation.json",  # a payment, but of merchantReference 8313842560770001: no claim of this tenant
        "adyen_refund_failed.json",
        "adyen_capture_ignored.json",
        "adyen_cancellation_ignored.json",
    ],
)
def test_a_real_adyen_batch_that_moves_no_claims_money_is_accepted_and_changes_nothing(
    shop: Harness, name: str
) -> None:
    claim = shop.create_claim(amount=10100, currency="EUR", due_date=due_in_90_days(shop))

    response = post_adyen(shop, name)

    assert (response.status_code, response.body) == (200, b"[accepted]")
    view = shop.claim(claim["id"])
    assert (view["balance"], view["paid"]) == (10100, 0)


def test_a_real_adyen_batch_with_a_forged_item_gets_401_and_nothing_of_it_is_applied(shop: Harness) -> None:
    response = post_adyen(shop, "adyen_batch_with_forged_item.json")

    assert response.status_code == 401
    assert "notificationItems[1]" in response.json_body["detail"]
    assert shop.get("/v1/claims").json_body["items"] == []
