"""Shopify orders mapped field by field into claims, payments, cancellations and credits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib.domain.debtor import DebtorKind
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.shop_orders import Credit, ShopEventKind
from chalicelib.domain.tenant import Tenant
from tests.unit.shop_payloads import (
    INTEGRATIONS,
    SECRETS,
    SHOPIFY_ORDER,
    deliver,
    fixture,
    shopify_order,
)

pytestmark = pytest.mark.unit


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
