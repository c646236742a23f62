"""Shop orders written by other projects (../shared/real-world/shops/), signed as each shop signs, read in place.

Every expected value below was read from the file by hand; the comment beside it says where.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib.adapters.shops import read_webhook, shopware
from chalicelib.domain.debtor import DebtorKind
from chalicelib.domain.errors import InvalidInputError, SignatureError
from chalicelib.domain.shop_orders import Credit, OrderRules, ShopEventKind
from chalicelib.domain.tenant import Tenant
from infra.local.shop_signing import shopify_headers, shopware_headers, woocommerce_headers
from tests.real_world import SHOPS, needs_real_world

if TYPE_CHECKING:
    from chalicelib.domain.shop_orders import ShopEvent

pytestmark = [pytest.mark.unit, needs_real_world]

SECRETS = {"shopify": "shpss_real_world", "woocommerce": "wc_real_world", "shopware": "sw_real_world"}
INTEGRATIONS: dict[str, dict[str, Any]] = {
    "shopify": {"invoice_gateways": ["manual", "Invoice"]},
    "woocommerce": {"invoice_methods": ["invoice", "bacs"]},
    "shopware": {"invoice_methods": ["invoice_payment", "payment_invoicepayment"]},
}
TENANT = Tenant("real", "Real Shop GmbH", default_language="de", webhook_secrets=SECRETS, integrations=INTEGRATIONS)
# The Shopware fixture's order is paid by an app's payment method (shortName "foo_sync"); a shop that offers
# invoices through that app names it as its invoice method.
APP_INVOICES = Tenant(
    "real-app",
    "Real Shop GmbH",
    default_language="de",
    webhook_secrets=SECRETS,
    integrations=INTEGRATIONS | {"shopware": {"invoice_methods": ["foo_sync"]}},
)

TOPICS = {
    "shopify_orders_create": "orders/create",
    "shopify_orders_paid": "orders/paid",
    "shopify_refunds_create": "refunds/create",
    "woocommerce_order_created": "order.created",
    "woocommerce_order_updated": "order.updated",
}


def deliver(name: str, tenant: Tenant = TENANT, topic: str | None = None) -> ShopEvent:
    """The file's bytes as the shop posts them, with the signature header the shop computes over them."""
    system = name.split("_", 1)[0]
    body = (SHOPS / name).read_bytes()
    topic = topic or next((t for prefix, t in TOPICS.items() if name.startswith(prefix)), "")
    secret = SECRETS[system]
    headers = {
        "shopify": lambda: shopify_headers(body, secret, topic, "wh-real"),
        "woocommerce": lambda: woocommerce_headers(body, secret, topic, "dl-real"),
        "shopware": lambda: shopware_headers(body, secret),  # sw-user-language: de-DE, a German storefront
    }[system]()
    return read_webhook(system, body, headers, secret, OrderRules.for_tenant(tenant, system))


# The Shopify sample order #9999 (id 820982911946154508): billing company "Shipping Company", contact and order
# email jon@example.com, phone "555-555-SHIP" (letters: no number to text), country_code US, customer_locale
# "en", customer.created_at null; processed_at 2024-06-26T12:33:21-04:00, payment_terms null: due after 14 days.
SHOPIFY_DEBTOR = ("Shipping Company", DebtorKind.BUSINESS, "jon@example.com", "", "US", "en", None)
SHOPIFY_DATES = (date(2024, 6, 26), date(2024, 7, 10))
# WooCommerce order 727: billing John Doe, john.doe@example.com, phone "(555) 555-5555" (555 is no US area code),
# country US, no company, no WPML language meta (the tenant's "de"); date_created 2017-03-22T16:28:02.
WOO_DEBTOR = ("John Doe", DebtorKind.CONSUMER, "john.doe@example.com", "", "US", "de", None)
WOO_DATES = (date(2017, 3, 22), date(2017, 4, 5))

CLAIMS = {
    # total_price_set.presentment_money: "1575.90" USD (line items 1585.90 - discounts 20.00 + shipping 10.00)
    "shopify_orders_create_invoice_usd.json": ("820982911946154508", "#9999", 157590, "USD", SHOPIFY_DATES),
    "shopify_orders_create_jpy.json": ("820982911946154508", "#9999", 237500, "JPY", SHOPIFY_DATES),  # "237500"
    "shopify_orders_create_jpy_padded.json": ("820982911946154508", "#9999", 237500, "JPY", SHOPIFY_DATES),
    "shopify_orders_create_kwd.json": ("820982911946154508", "#9999", 483125, "KWD", SHOPIFY_DATES),  # "483.125"
    "woocommerce_order_created_jpy.json": ("727", "727", 1500, "JPY", WOO_DATES),  # on-hold, total "1500"
    "woocommerce_order_created_number_total.json": ("727", "727", 1250, "USD", WOO_DATES),  # on-hold, 12.5 (number)
    "woocommerce_order_created_onhold_strings.json": ("727", "727", 1250, "USD", WOO_DATES),  # on-hold, "12.50"
}
DEBTORS = {"shopify": SHOPIFY_DEBTOR, "woocommerce": WOO_DEBTOR}


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_a_real_order_on_account_becomes_the_claim_its_file_describes(name: str) -> None:
    order_id, number, amount, currency, (invoice_date, due_date) = CLAIMS[name]
    system = name.split("_", 1)[0]

    event = deliver(name)

    assert event.kind == ShopEventKind.ORDER_PLACED
    assert (event.ref.external_id, event.ref.order_number) == (f"{system}:{order_id}", number)
    invoice = event.invoice
    assert invoice is not None
    assert (invoice.amount, invoice.currency) == (amount, currency)
    assert (invoice.invoice_date, invoice.due_date) == (invoice_date, due_date)
    assert invoice.description == f"Order #{number.removeprefix('#')}"
    debtor = invoice.debtor
    assert (
        debtor.name,
        debtor.kind,
        debtor.email,
        debtor.phone,
        debtor.country,
        debtor.language,
        debtor.customer_since,
    ) == DEBTORS[system]


def test_a_shopware_order_placed_with_the_shops_invoice_app_becomes_its_claim() -> None:
    event = deliver("shopware_checkout_order_placed.json", APP_INVOICES)

    assert event.kind == ShopEventKind.ORDER_PLACED
    # order id 8f69d4874c53486a95383b2126161738, orderNumber "10077", source.eventId 0197a1f0…
    assert event.ref.external_id == "shopware:8f69d4874c53486a95383b2126161738"
    assert (event.ref.order_number, event.ref.delivery_id) == ("10077", "0197a1f0c3b87bd1a6f1e1e7d6c5b4a3")
    invoice = event.invoice
    assert invoice is not None
    assert (invoice.amount, invoice.currency) == (39501, "EUR")  # amountTotal 395.01 (a JSON number), isoCode EUR
    assert (invoice.invoice_date, invoice.due_date) == (date(2023, 5, 4), date(2023, 5, 18))  # orderDateTime
    assert invoice.description == "Order #10077"
    debtor = invoice.debtor
    # orderCustomer test@example.com, billing Max Mustermann in Guadeloupe (iso GP), no company, no phone;
    # a registered (guest false) customer since 2023-05-04; the order's locale is not loaded: the storefront's.
    assert (debtor.name, debtor.kind, debtor.email, debtor.phone) == (
        "Max Mustermann",
        DebtorKind.CONSUMER,
        "test@example.com",
        "",
    )
    assert (debtor.country, debtor.language, debtor.customer_since) == ("GP", "de", date(2023, 5, 4))


@pytest.mark.parametrize(
    ("name", "order_id", "reason"),
    [
        # financial_status "voided", cancelled_at set, gateways ["visa", "bogus"]: Shopify's test notification
        ("shopify_orders_create_test_notification.json", "820982911946154508", "paid by visa, bogus"),
        # created by an app (app_id 755357713), payment_gateway_names []
        ("shopify_orders_create_no_gateway.json", "1073459983", "names no payment gateway"),
        # paymentMethod "Payment Sync" (foo_sync) is not one of this tenant's invoice methods
        ("shopware_checkout_order_placed.json", "8f69d4874c53486a95383b2126161738", "paid by Payment Sync"),
    ],
)
def test_real_orders_paid_otherwise_are_acknowledged_with_the_reason(name: str, order_id: str, reason: str) -> None:
    event = deliver(name)

    assert event.kind == ShopEventKind.IGNORED
    assert event.ref.order_id == order_id
    assert reason in event.reason
    assert "not an invoice payment method" in event.reason


def test_a_yen_total_with_a_fraction_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as refused:
        deliver("shopify_orders_create_jpy_fraction.json")  # "237500.5" JPY; the yen has no minor unit

    assert refused.value.field == "total_price_set.presentment_money.amount"
    assert "237500.5" in refused.value.message
    assert "JPY" in refused.value.message


@pytest.mark.parametrize(
    ("name", "topic", "order_id", "currency"),
    [
        ("shopify_orders_paid_eur.json", "orders/paid", "1073459976", "EUR"),  # financial_status "paid"
        ("shopware_transaction_paid.json", "", "8f69d4874c53486a95383b2126161738", "EUR"),
        # processing, date_paid 2017-03-22T16:28:08: the bank transfer was marked received
        ("woocommerce_order_updated_bacs_marked_paid.json", "order.updated", "727", "USD"),
        # the same order delivered as order.created: paid before Mahnwerk heard of it, so never a claim
        ("woocommerce_order_created_bacs_paid.json", "order.created", "727", "USD"),
        ("woocommerce_order_created_bacs_paid.json", "order.updated", "727", "USD"),
    ],
)
def test_real_payments_of_an_order_pay_its_claim_in_full(name: str, topic: str, order_id: str, currency: str) -> None:
    event = deliver(name, topic=topic or None)

    assert event.kind == ShopEventKind.ORDER_PAID
    assert (event.ref.order_id, event.currency, event.paid_total) == (order_id, currency, None)


@pytest.mark.parametrize(
    ("name", "order_id", "credits", "currency"),
    [
        # two refund_line_items: subtotal 195.66 + tax 3.98 and 195.67 + tax 3.98 (presentment USD) = 399.29
        ("shopify_refunds_create_lines.json", "450789469", (Credit("509562969", 39929),), "USD"),
        # no items; order_adjustments shipping_refund amount "-5.00", tax "0.00"
        ("shopify_refunds_create_shipping.json", "450789469", (Credit("929361471", 500),), "USD"),
        # status refunded, refunds [{id 729, total "-12.50"}], then whatever is left of order 727
        ("woocommerce_order_updated_refunded.json", "727", (Credit("729", 1250), Credit("727:refunded")), "USD"),
    ],
)
def test_real_refunds_credit_what_they_give_back(
    name: str, order_id: str, credits: tuple[Credit, ...], currency: str
) -> None:
    event = deliver(name)

    assert event.kind == ShopEventKind.ORDER_CREDITED
    assert (event.ref.order_id, event.credits, event.currency, event.order_total) == (order_id, credits, currency, 0)


@pytest.mark.parametrize(
    ("name", "topic"),
    [
        ("shopify_orders_create_invoice_usd.json", "orders/create"),
        ("woocommerce_order_created_onhold_strings.json", "order.created"),
        ("shopware_checkout_order_placed.json", ""),
    ],
)
def test_a_real_order_changed_after_the_shop_signed_it_is_refused(name: str, topic: str) -> None:
    system = name.split("_", 1)[0]
    body = (SHOPS / name).read_bytes()
    signed = {
        "shopify": shopify_headers(body, SECRETS[system], topic, "wh-real"),
        "woocommerce": woocommerce_headers(body, SECRETS[system], topic, "dl-real"),
        "shopware": shopware_headers(body, SECRETS[system]),
    }[system]
    tampered = body.replace(b"12.50", b"1.25").replace(b"1575.90", b"15.75").replace(b"395.01", b"3.95")

    assert tampered != body
    with pytest.raises(SignatureError):
        read_webhook(system, tampered, signed, SECRETS[system], OrderRules.for_tenant(TENANT, system))


def test_shopwares_own_signature_vector_verifies() -> None:
    # app-php-sdk's RequestVerifierTest::testAuthenticatePostValid: body "body", shop secret "secret"
    body = (SHOPS / "shopware_signature_vector.txt").read_bytes()
    header = "dc46983557fea127b43af721467eb9b3fde2338fe3e14f51952aa8478c13d355"

    shopware.verify(body, {"shopware-shop-signature": header}, "secret")
    with pytest.raises(SignatureError):
        shopware.verify(body, {"shopware-shop-signature": header}, "another secret")


def test_every_real_shop_file_has_an_expected_reading_here() -> None:
    named = {
        *CLAIMS,
        "shopify_orders_create_test_notification.json",
        "shopify_orders_create_no_gateway.json",
        "shopify_orders_create_jpy_fraction.json",
        "shopify_orders_paid_eur.json",
        "shopify_refunds_create_lines.json",
        "shopify_refunds_create_shipping.json",
        "shopware_checkout_order_placed.json",
        "shopware_transaction_paid.json",
        "shopware_signature_vector.txt",
        "woocommerce_order_created_bacs_paid.json",
        "woocommerce_order_updated_bacs_marked_paid.json",
        "woocommerce_order_updated_refunded.json",
    }

    assert {path.name for path in SHOPS.iterdir()} == named
