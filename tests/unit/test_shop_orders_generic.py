"""The generic signed format mapped into claims and their updates."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.shop_orders import Credit, ShopEventKind
from tests.unit.shop_payloads import (
    deliver,
    fixture,
)

pytestmark = pytest.mark.unit


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


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"external_id": "RE-2026-04711", "reason": "storniert\x00"}, "data.reason"),
        ({"external_id": "RE-2026-04711", "credit_id": "GS\x1b[2J", "amount": 4990}, "data.credit_id"),
    ],
)
def test_control_characters_in_generic_updates_are_refused(data: dict[str, Any], field: str) -> None:
    kind = "invoice.cancelled" if "reason" in data else "invoice.credited"

    with pytest.raises(InvalidInputError) as error:
        deliver("generic", {"type": kind, "data": data})

    assert error.value.field == field
