"""WooCommerce orders mapped field by field into claims and their updates."""

from __future__ import annotations

import json
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
    deliver,
    fixture,
)

pytestmark = pytest.mark.unit


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


@pytest.mark.parametrize("status", ["processing", "on-hold", "pending"])
@pytest.mark.parametrize("topic", ["order.created", "order.updated"])
def test_a_woocommerce_order_with_date_paid_is_paid_not_dunned(status: str, topic: str) -> None:
    # GIVEN a bank transfer the merchant marked received (processing), or one paid and then put on hold again
    order = fixture("woocommerce", "order_created") | {
        "status": status,
        "date_paid": "2026-03-04T09:12:40",
        "date_paid_gmt": "2026-03-04T08:12:40",
    }

    event = deliver("woocommerce", order, topic)

    assert (event.kind, event.currency, event.paid_total) == (ShopEventKind.ORDER_PAID, "EUR", None)


def test_a_woocommerce_order_paid_only_in_gmt_is_paid() -> None:
    order = fixture("woocommerce", "order_created") | {"status": "processing", "date_paid_gmt": "2026-03-04T08:12:40"}

    assert deliver("woocommerce", order, "order.updated").kind == ShopEventKind.ORDER_PAID


def test_a_woocommerce_date_paid_that_is_no_date_is_refused_naming_it() -> None:
    order = fixture("woocommerce", "order_created") | {"status": "processing", "date_paid": "gestern"}

    with pytest.raises(InvalidInputError) as refused:
        deliver("woocommerce", order, "order.updated")

    assert refused.value.field == "date_paid"


@pytest.mark.parametrize(("raw", "minor"), [(b"162.95", 16295), (b"0.1", 10), (b"1e2", 10000)])
def test_a_woocommerce_total_sent_as_a_json_number_is_read_exactly(raw: bytes, minor: int) -> None:
    body = json.dumps(fixture("woocommerce", "order_created") | {"total": "TOTAL"}).encode()

    event = deliver("woocommerce", body.replace(b'"TOTAL"', raw), "order.created")

    assert event.invoice is not None
    assert event.invoice.amount == minor


@pytest.mark.parametrize("raw", [b"1e999999", b"NaN", b"Infinity", b"1" + b"0" * 50])
def test_a_woocommerce_total_of_an_absurd_json_number_is_a_400_naming_the_body(raw: bytes) -> None:
    body = json.dumps(fixture("woocommerce", "order_created") | {"total": "TOTAL"}).encode()

    with pytest.raises(InvalidInputError) as refused:
        deliver("woocommerce", body.replace(b'"TOTAL"', raw), "order.created")

    assert refused.value.field == "body"
