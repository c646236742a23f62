"""Shopware 6 app webhooks mapped field by field into claims and their updates."""

from __future__ import annotations

import json
from datetime import date

import pytest

from chalicelib.adapters.shops import read_webhook
from chalicelib.domain.debtor import DebtorKind
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.shop_orders import Credit, OrderRules, ShopEventKind
from infra.local.shop_signing import shopware_headers
from tests.unit.shop_payloads import (
    SECRETS,
    SHOPWARE_ORDER,
    TENANT,
    deliver,
    fixture,
)

pytestmark = pytest.mark.unit


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
