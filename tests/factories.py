"""Builders for claim requests and domain objects used across the tiers."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.domain.debtor import Debtor, DebtorKind
from tests.random_refs import external_id


def claim_request(**overrides: Any) -> dict[str, Any]:
    debtor = {
        "name": "Erika Mustermann",
        "email": "erika@example.com",
        "phone": "+4915112345678",
        "language": "de",
        "kind": "consumer",
        "country": "DE",
    }
    debtor.update(overrides.pop("debtor", {}))
    body = {
        "external_id": external_id(),
        "debtor": debtor,
        "amount": 12345,
        "currency": "EUR",
        "due_date": date.today().isoformat(),
        "description": "Order 4711: garden chairs",
    }
    body.update(overrides)
    return body


def make_debtor(**overrides: Any) -> Debtor:
    fields: dict[str, Any] = {
        "name": "Erika Mustermann",
        "email": "erika@example.com",
        "phone": "+4915112345678",
        "language": "de",
        "kind": DebtorKind.CONSUMER,
        "country": "DE",
    }
    return Debtor(**(fields | overrides))
