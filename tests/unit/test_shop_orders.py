"""Shop orders mapped field by field: each system's real payloads into claims, payments, cancellations and credits."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.shops import read_webhook
from chalicelib.domain.claim import DebtorKind
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.shop_orders import Credit, OrderRules, ShopEvent, ShopEventKind, e164, language_of, to_minor
from chalicelib.domain.tenant import Tenant
from infra.local.shop_signing import generic_headers, shopify_headers, shopware_headers, woocommerce_headers

pytestmark = pytest.mark.unit

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


def test_a_shopify_order_on_account_becomes_a_claim_for_its_total_with_tax_and_shipping() -> None:
    event = deliver("shopify", shopify_order(), "orders/create")

    assert event.kind == ShopEventKind.ORDER_PLACED
    assert event.ref.external_id == f"shopify:{SHOPIFY_ORDER}"
    assert event.ref.order_number == "#9999"
    assert event.ref.delivery_id == "wh-1"
    invoice = event.invoice
    assert invoice is not None
    assert (invoice.amount, invoice.currency) == (38800, "USD")  # 398.00 items - 20.00 discount + 10.00 shipping
    assert invoice.description == "Order #9999"
    assert invoice.invoice_date == date(2021, 12, 31)  # the shop's date, though it was 1 January in UTC
    assert invoice.due_date == date(2022, 1, 14)  # no payment terms: the tenant's 14 days


def test_a_shopify_billing_company_makes_a_business_debtor_named_by_the_company() -> None:
    invoice = deliver("shopify", shopify_order(), "orders/create").invoice

    assert invoice is not None
    debtor = invoice.debtor
    assert (debtor.name, debtor.kind) == ("Shipping Company", DebtorKind.BUSINESS)
    assert (debtor.email, debtor.country, debtor.language) == ("jon@example.com", "US", "en")
    assert debtor.phone == ""  # "555-555-SHIP" is no phone number: no SMS, no call
    assert debtor.customer_since is None


def test_a_shopify_consumer_is_named_by_the_billing_address_and_their_phone_dialled_from_its_country() -> None:
    order = shopify_order(customer_locale="de-DE")
    billing = order["billing_address"] | {"company": None, "phone": "030 901820", "country_code": "DE"}
    order["billing_address"] = billing
    order["customer"]["created_at"] = "2023-02-01T10:00:00+01:00"

    invoice = deliver("shopify", order, "orders/create").invoice

    assert invoice is not None
    debtor = invoice.debtor
    assert (debtor.name, debtor.kind) == ("Steve Shipper", DebtorKind.CONSUMER)
    assert (debtor.phone, debtor.country, debtor.language) == ("+4930901820", "DE", "de")
    assert debtor.customer_since == date(2023, 2, 1)


def test_a_shopify_locale_other_than_german_or_english_falls_back_to_the_tenants_language() -> None:
    invoice = deliver("shopify", shopify_order(customer_locale="fr-CA"), "orders/create").invoice

    assert invoice is not None
    assert invoice.debtor.language == "de"


def test_shopify_payment_terms_set_the_due_date() -> None:
    terms = {
        "id": 306744283,
        "payment_terms_name": "Net 30",
        "payment_terms_type": "net",
        "due_in_days": 30,
        "payment_schedules": [
            {
                "id": 383365863,
                "amount": "388.00",
                "currency": "USD",
                "issued_at": "2021-12-31T19:00:00-05:00",
                "due_at": "2022-01-30T19:00:00-05:00",
                "completed_at": None,
            }
        ],
    }

    invoice = deliver("shopify", shopify_order(payment_terms=terms), "orders/create").invoice

    assert invoice is not None
    assert invoice.due_date == date(2022, 1, 30)


def test_without_payment_terms_the_tenants_payment_days_set_the_due_date() -> None:
    tenant = Tenant("unit", "Unit", webhook_secrets=SECRETS, integrations={"shopify": {"invoice_gateways": ["manual"]}})
    slow = Tenant(
        "unit",
        "Unit",
        webhook_secrets=SECRETS,
        integrations={"shopify": INTEGRATIONS["shopify"] | {"payment_days": 30}},
    )

    default = deliver("shopify", shopify_order(), "orders/create", tenant).invoice
    thirty = deliver("shopify", shopify_order(), "orders/create", slow).invoice

    assert default is not None
    assert thirty is not None
    assert default.due_date == date(2022, 1, 14)
    assert thirty.due_date == date(2022, 1, 30)


def test_the_customer_is_invoiced_in_the_currency_they_saw() -> None:
    order = shopify_order(presentment_currency="EUR")
    order["total_price_set"]["presentment_money"] = {"amount": "356.96", "currency_code": "EUR"}

    invoice = deliver("shopify", order, "orders/create").invoice

    assert invoice is not None
    assert (invoice.amount, invoice.currency) == (35696, "EUR")


def test_a_zero_decimal_currency_keeps_whole_units() -> None:
    order = shopify_order(currency="JPY", presentment_currency="JPY", total_price="45800")
    order["total_price_set"] = {"shop_money": {"amount": "45800", "currency_code": "JPY"}} | {
        "presentment_money": {"amount": "45800", "currency_code": "JPY"}
    }

    invoice = deliver("shopify", order, "orders/create").invoice

    assert invoice is not None
    assert (invoice.amount, invoice.currency) == (45800, "JPY")


def test_an_amount_with_more_decimals_than_its_currency_is_refused_naming_the_field() -> None:
    order = shopify_order()
    order["total_price_set"]["presentment_money"] = {"amount": "458.5", "currency_code": "JPY"}

    with pytest.raises(InvalidInputError) as error:
        deliver("shopify", order, "orders/create")

    assert error.value.field == "total_price_set.presentment_money.amount"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"payment_gateway_names": ["visa", "bogus"]}, "not an invoice payment method"),
        ({"financial_status": "paid"}, "already paid at checkout"),
        ({"cancelled_at": "2022-01-01T10:00:00-05:00"}, "cancelled"),
        ({"financial_status": "voided"}, "nothing to collect"),
    ],
)
def test_shopify_orders_that_are_no_open_invoice_are_ignored_with_the_reason(
    changes: dict[str, Any], reason: str
) -> None:
    event = deliver("shopify", shopify_order(**changes), "orders/create")

    assert event.kind == ShopEventKind.IGNORED
    assert reason in event.reason


def test_invoice_gateways_match_without_regard_to_case() -> None:
    event = deliver("shopify", shopify_order(payment_gateway_names=["INVOICE"]), "orders/create")

    assert event.kind == ShopEventKind.ORDER_PLACED


def test_an_unknown_shopify_topic_is_ignored_without_reading_the_body() -> None:
    event = deliver("shopify", b"not even json", "products/update")

    assert event.kind == ShopEventKind.IGNORED
    assert "products/update" in event.reason


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b"{not json", "body"),
        (b"[]", "body"),
        ({"id": None}, "id"),
        ({"email": None, "contact_email": None, "customer": None}, "email"),
        ({"total_price_set": None, "total_price": "3 88"}, "total_price"),
        ({"billing_address": "Shippington"}, "billing_address"),
    ],
)
def test_a_malformed_shopify_order_names_the_field(payload: dict[str, Any] | bytes, field: str) -> None:
    body = payload if isinstance(payload, bytes) else shopify_order(**payload)

    with pytest.raises(InvalidInputError) as error:
        deliver("shopify", body, "orders/create")

    assert error.value.field == field


def test_shopify_orders_paid_means_paid_in_full() -> None:
    event = deliver("shopify", fixture("shopify", "orders_paid"), "orders/paid")

    assert event.kind == ShopEventKind.ORDER_PAID
    assert event.ref.external_id == f"shopify:{SHOPIFY_ORDER}"
    assert (event.paid_total, event.currency) == (None, "USD")


def test_shopify_orders_cancelled_carries_the_cancel_reason() -> None:
    event = deliver("shopify", fixture("shopify", "orders_cancelled"), "orders/cancelled")

    assert event.kind == ShopEventKind.ORDER_CANCELLED
    assert event.reason == "cancelled in Shopify (customer)"


def test_a_shopify_refund_credits_its_line_items_with_tax() -> None:
    event = deliver("shopify", fixture("shopify", "refunds_create"), "refunds/create")

    assert event.kind == ShopEventKind.ORDER_CREDITED
    assert event.ref.external_id == f"shopify:{SHOPIFY_ORDER}"
    assert event.credits == (Credit("890088186047892319", 19900),)
    assert event.currency == "USD"


def test_a_shopify_refund_of_shipping_adds_the_negative_order_adjustment() -> None:
    refund = fixture("shopify", "refunds_create")
    refund["refund_line_items"][0]["total_tax_set"]["presentment_money"]["amount"] = "15.92"
    refund["order_adjustments"] = [
        {
            "id": 1030976842,
            "order_id": SHOPIFY_ORDER,
            "refund_id": refund["id"],
            "amount": "-10.00",
            "tax_amount": "0.00",
            "kind": "shipping_refund",
            "reason": "Shipping refund",
            "amount_set": {"presentment_money": {"amount": "-10.00", "currency_code": "USD"}},
            "tax_amount_set": {"presentment_money": {"amount": "0.00", "currency_code": "USD"}},
        }
    ]

    event = deliver("shopify", refund, "refunds/create")

    assert event.credits == (Credit("890088186047892319", 19900 + 1592 + 1000),)


def test_a_shopify_refund_of_money_alone_credits_its_successful_refund_transactions() -> None:
    refund = fixture("shopify", "refunds_create") | {"refund_line_items": []}
    refund["transactions"] = [
        {"id": 1, "kind": "refund", "status": "success", "amount": "75.00", "currency": "USD"},
        {"id": 2, "kind": "refund", "status": "failure", "amount": "75.00", "currency": "USD"},
    ]

    event = deliver("shopify", refund, "refunds/create")

    assert event.credits == (Credit("890088186047892319", 7500),)


# --- WooCommerce ------------------------------------------------------------------------------------------------------


def test_a_woocommerce_bank_transfer_order_on_hold_becomes_a_claim() -> None:
    event = deliver("woocommerce", fixture("woocommerce", "order_created"), "order.created")

    assert event.kind == ShopEventKind.ORDER_PLACED
    assert event.ref.external_id == "woocommerce:727"
    assert (event.ref.order_number, event.ref.delivery_id) == ("727", "dl-1")
    invoice = event.invoice
    assert invoice is not None
    assert (invoice.amount, invoice.currency) == (16295, "EUR")  # items 158.00 + shipping 4.95, VAT included
    assert (invoice.invoice_date, invoice.due_date) == (date(2026, 3, 2), date(2026, 3, 16))
    assert invoice.description == "Order #727"
    debtor = invoice.debtor
    assert (debtor.name, debtor.kind, debtor.email) == (
        "Erika Mustermann",
        DebtorKind.CONSUMER,
        "erika.mustermann@example.de",
    )
    assert (debtor.phone, debtor.country, debtor.language) == ("+4915123456789", "DE", "de")


def test_a_woocommerce_order_speaks_the_wpml_language_or_else_the_tenants() -> None:
    english = fixture("woocommerce", "order_created")
    english["meta_data"][2]["value"] = "en"
    unknown = fixture("woocommerce", "order_created")
    unknown["meta_data"] = []
    tenant = Tenant("unit", "Unit", default_language="en", webhook_secrets=SECRETS, integrations=INTEGRATIONS)

    assert deliver("woocommerce", english, "order.created").invoice.debtor.language == "en"  # type: ignore[union-attr]
    assert deliver("woocommerce", unknown, "order.created", tenant).invoice.debtor.language == "en"  # type: ignore[union-attr]


def test_a_woocommerce_billing_company_makes_a_business_debtor() -> None:
    order = fixture("woocommerce", "order_created")
    order["billing"]["company"] = "Mustermann Gartenbau GmbH"

    invoice = deliver("woocommerce", order, "order.created").invoice

    assert invoice is not None
    assert (invoice.debtor.name, invoice.debtor.kind) == ("Mustermann Gartenbau GmbH", DebtorKind.BUSINESS)


def test_a_woocommerce_card_payment_is_ignored() -> None:
    order = fixture("woocommerce", "order_created") | {"payment_method": "stripe", "status": "processing"}

    event = deliver("woocommerce", order, "order.created")

    assert event.kind == ShopEventKind.IGNORED
    assert "not an invoice payment method" in event.reason


def test_an_update_of_an_open_woocommerce_order_only_makes_sure_its_claim_exists() -> None:
    event = deliver("woocommerce", fixture("woocommerce", "order_created"), "order.updated")

    assert event.kind == ShopEventKind.ORDER_PLACED
    assert event.is_update


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("order_completed", ShopEventKind.ORDER_PAID),
        ("order_cancelled", ShopEventKind.ORDER_CANCELLED),
        ("order_refunded", ShopEventKind.ORDER_CREDITED),
    ],
)
def test_woocommerce_status_changes_map_to_claim_updates(name: str, kind: ShopEventKind) -> None:
    event = deliver("woocommerce", fixture("woocommerce", name), "order.updated")

    assert event.kind == kind
    assert event.ref.external_id == "woocommerce:727"


def test_a_refunded_woocommerce_order_credits_each_refund_and_then_whatever_is_left() -> None:
    event = deliver("woocommerce", fixture("woocommerce", "order_refunded"), "order.updated")

    assert event.credits == (Credit("731", 16295), Credit("727:refunded", None))
    assert (event.order_total, event.currency) == (0, "EUR")


def test_a_partial_refund_on_an_open_woocommerce_order_is_credited() -> None:
    order = fixture("woocommerce", "order_created") | {
        "refunds": [{"id": 730, "reason": "Kissen fehlt", "total": "-20.00"}]
    }

    event = deliver("woocommerce", order, "order.updated")

    assert event.kind == ShopEventKind.ORDER_CREDITED
    assert event.credits == (Credit("730", 2000),)


def test_a_tenant_may_count_processing_as_paid() -> None:
    tenant = Tenant(
        "unit",
        "Unit",
        webhook_secrets=SECRETS,
        integrations={"woocommerce": INTEGRATIONS["woocommerce"] | {"paid_statuses": ["processing", "completed"]}},
    )
    order = fixture("woocommerce", "order_created") | {"status": "processing"}

    assert deliver("woocommerce", order, "order.updated", tenant).kind == ShopEventKind.ORDER_PAID
    assert deliver("woocommerce", order, "order.updated").kind == ShopEventKind.ORDER_PLACED


def test_an_unknown_woocommerce_topic_is_ignored() -> None:
    event = deliver("woocommerce", {"id": 93, "name": "Gartenstuhl"}, "product.updated")

    assert event.kind == ShopEventKind.IGNORED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total": "162,95"}, "total"),
        ({"status": None}, "status"),
        ({"currency": "EURO"}, "currency"),
        ({"billing": {"first_name": "Erika", "email": ""}}, "billing.email"),
        ({"refunds": [{"id": 730, "total": None}]}, "refunds[0].total"),
    ],
)
def test_a_malformed_woocommerce_order_names_the_field(changes: dict[str, Any], field: str) -> None:
    order = fixture("woocommerce", "order_created") | changes

    with pytest.raises(InvalidInputError) as error:
        deliver("woocommerce", order, "order.created")

    assert error.value.field == field


# --- Shopware ---------------------------------------------------------------------------------------------------------


def test_a_shopware_order_paid_by_invoice_becomes_a_claim() -> None:
    event = deliver("shopware", fixture("shopware", "order_placed"))

    assert event.kind == ShopEventKind.ORDER_PLACED
    assert event.ref.external_id == f"shopware:{SHOPWARE_ORDER}"
    assert (event.ref.order_number, event.ref.delivery_id) == ("10060", "7b04ebe416db4ebc93de4d791325e1d9")
    invoice = event.invoice
    assert invoice is not None
    assert (invoice.amount, invoice.currency) == (17000, "EUR")  # gross positions 165.01 + shipping 4.99
    assert (invoice.invoice_date, invoice.due_date) == (date(2026, 11, 2), date(2026, 11, 16))
    assert invoice.description == "Order #10060"
    debtor = invoice.debtor
    assert (debtor.name, debtor.kind) == ("Mustermann Gartenbau GmbH", DebtorKind.BUSINESS)
    assert (debtor.email, debtor.phone) == ("max.mustermann@example.de", "+492555928850")
    assert (debtor.country, debtor.language, debtor.customer_since) == ("DE", "de", date(2023, 4, 17))


def test_a_shopware_debtor_speaks_the_language_of_the_storefront_the_order_came_from() -> None:
    body = json.dumps(fixture("shopware", "order_placed")).encode()
    headers = shopware_headers(body, SECRETS["shopware"], user_language="en-GB")

    event = read_webhook("shopware", body, headers, SECRETS["shopware"], OrderRules.for_tenant(TENANT, "shopware"))

    assert event.invoice is not None
    assert event.invoice.debtor.language == "en"


def test_a_shopware_prepayment_order_is_ignored() -> None:
    placed = fixture("shopware", "order_placed")
    method = placed["data"]["payload"]["order"]["transactions"][0]["paymentMethod"]
    method |= {
        "technicalName": "payment_prepayment",
        "shortName": "pre_payment",
        "formattedHandlerIdentifier": "handler_shopware_prepayment",
        "handlerIdentifier": "Shopware\\Core\\Checkout\\Payment\\Cart\\PaymentHandler\\PrePayment",
    }

    event = deliver("shopware", placed)

    assert event.kind == ShopEventKind.IGNORED
    assert "payment_prepayment" in event.reason


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("transaction_paid", ShopEventKind.ORDER_PAID),
        ("order_cancelled", ShopEventKind.ORDER_CANCELLED),
        ("transaction_refunded", ShopEventKind.ORDER_CREDITED),
    ],
)
def test_shopware_state_changes_map_to_claim_updates(name: str, kind: ShopEventKind) -> None:
    event = deliver("shopware", fixture("shopware", name))

    assert event.kind == kind
    assert event.ref.external_id == f"shopware:{SHOPWARE_ORDER}"


def test_a_refunded_shopware_transaction_credits_the_whole_invoice() -> None:
    event = deliver("shopware", fixture("shopware", "transaction_refunded"))

    assert event.credits == (Credit("a1b2c3d4e5f60718293a4b5c6d7e8f90:refunded", None),)
    assert event.order_total == 0


def test_a_partial_shopware_refund_credits_the_refunds_it_lists() -> None:
    envelope = fixture("shopware", "transaction_refunded")
    envelope["data"]["event"] = "state_enter.order_transaction.state.refunded_partially"
    transaction = envelope["data"]["payload"]["order"]["transactions"][0]
    refund = {"id": "c0ffee00c0ffee00c0ffee00c0ffee00", "amount": {"totalPrice": 26.01}, "stateMachineState": None}
    transaction["captures"] = [{"id": "ca97", "refunds": [refund]}]

    event = deliver("shopware", envelope)

    assert event.credits == (Credit("c0ffee00c0ffee00c0ffee00c0ffee00", 2601),)


def test_a_partial_shopware_refund_without_amounts_credits_down_to_the_edited_order_total() -> None:
    envelope = fixture("shopware", "transaction_refunded")
    envelope["data"]["event"] = "state_enter.order_transaction.state.refunded_partially"
    envelope["data"]["payload"]["order"]["amountTotal"] = 143.99

    event = deliver("shopware", envelope)

    assert event.kind == ShopEventKind.ORDER_CREDITED
    assert [c.amount for c in event.credits] == [None]
    assert event.order_total == 14399


def test_an_unknown_shopware_event_is_ignored() -> None:
    written = {
        "data": {
            "payload": [{"entity": "product", "operation": "delete", "primaryKey": "7b04"}],
            "event": "product.written",
        },
        "source": {"url": "http://localhost:8000", "appVersion": "0.0.1", "shopId": "dgrH7nLU6tlE", "eventId": "e1"},
        "timestamp": 123123123,
    }

    event = deliver("shopware", written)

    assert event.kind == ShopEventKind.IGNORED
    assert event.ref.delivery_id == "e1"


@pytest.mark.parametrize(
    ("remove", "field"),
    [
        ("amountTotal", "data.payload.order.amountTotal"),
        ("id", "data.payload.order.id"),
        ("currency", "data.payload.order.currency.isoCode"),
    ],
)
def test_a_malformed_shopware_order_names_the_field(remove: str, field: str) -> None:
    envelope = fixture("shopware", "order_placed")
    del envelope["data"]["payload"]["order"][remove]

    with pytest.raises(InvalidInputError) as error:
        deliver("shopware", envelope)

    assert error.value.field == field


# --- generic ----------------------------------------------------------------------------------------------------------


def test_a_generic_invoice_becomes_a_claim_with_the_claims_api_fields() -> None:
    event = deliver("generic", fixture("generic", "invoice_created"))

    assert event.kind == ShopEventKind.ORDER_PLACED
    assert (event.ref.external_id, event.ref.delivery_id) == ("generic:RE-2026-04711", "msg_1")
    invoice = event.invoice
    assert invoice is not None
    assert (invoice.amount, invoice.currency) == (24990, "EUR")
    assert (invoice.invoice_date, invoice.due_date) == (date(2026, 11, 20), date(2026, 12, 4))
    assert invoice.debtor.phone == "+4915123456789"
    assert invoice.debtor.customer_since == date(2024, 5, 2)


def test_generic_updates_map_to_payments_cancellations_and_credits() -> None:
    paid = deliver("generic", fixture("generic", "invoice_paid"))
    partly = deliver("generic", {"type": "invoice.paid", "data": {"external_id": "RE-2026-04711", "amount": 10000}})
    cancelled = deliver("generic", fixture("generic", "invoice_cancelled"))
    credited = deliver("generic", fixture("generic", "invoice_credited"))

    assert (paid.kind, paid.paid_total) == (ShopEventKind.ORDER_PAID, None)
    assert partly.paid_total == 10000
    assert (cancelled.kind, cancelled.reason) == (ShopEventKind.ORDER_CANCELLED, "Bestellung storniert")
    assert credited.credits == (Credit("GS-2026-00815", 4990),)
    assert {e.ref.external_id for e in (paid, cancelled, credited)} == {"generic:RE-2026-04711"}


def test_an_unknown_generic_event_type_is_ignored() -> None:
    event = deliver("generic", {"type": "invoice.viewed", "data": {}})

    assert event.kind == ShopEventKind.IGNORED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 249.9}, "data.amount"),
        ({"currency": "XYZ"}, "data.currency"),
        ({"due_date": "4.12.2026"}, "data.due_date"),
        ({"debtor": {**fixture("generic", "invoice_created")["data"]["debtor"], "phone": "12"}}, "data.debtor.phone"),
    ],
)
def test_a_malformed_generic_invoice_names_the_field(change: dict[str, Any], field: str) -> None:
    created = copy.deepcopy(fixture("generic", "invoice_created"))
    created["data"].update(change)

    with pytest.raises(InvalidInputError) as error:
        deliver("generic", created)

    assert error.value.field == field


# --- the shared rules -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("199.00", "EUR", 19900),
        ("0.5", "EUR", 50),
        ("1500", "JPY", 1500),
        ("1500.00", "JPY", 1500),
        ("1.005", "KWD", 1005),
    ],
)
def test_decimal_amounts_become_minor_units_by_the_currencys_precision(text: str, currency: str, minor: int) -> None:
    assert to_minor(text, currency, "amount") == minor


@pytest.mark.parametrize(("text", "currency"), [("1.005", "EUR"), ("12.5", "JPY"), ("abc", "EUR"), ("NaN", "EUR")])
def test_amounts_the_currency_cannot_hold_are_refused(text: str, currency: str) -> None:
    with pytest.raises(InvalidInputError):
        to_minor(text, currency, "amount")


def test_the_first_valid_phone_wins_and_none_gives_an_empty_number() -> None:
    assert e164(["", "555-555-SHIP", "0221 4710815"], "DE") == "+492214710815"
    assert e164(["555-555-SHIP", ""], "US") == ""


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de-DE", "de"), ("de_AT", "de"), ("en", "en"), ("EN-gb", "en"), ("fr", "nl"), ("", "nl")],
)
def test_the_locale_picks_german_or_english_else_the_tenants_language(locale: str, language: str) -> None:
    assert language_of(locale, "nl") == language
