"""Reading a shop's JSON: every missing or mistyped field becomes an InvalidInputError that names its path."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalicelib.contracts import json_body
from chalicelib.domain.errors import InvalidInputError, SignatureError
from chalicelib.domain.shop_orders import to_minor

if TYPE_CHECKING:
    from collections.abc import Mapping


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names arrive lower-cased through API Gateway, but a direct caller may not have done that."""
    return {str(k).lower(): str(v) for k, v in headers.items()}


def hmac_sha256(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def require_same(expected: str, given: str, header: str) -> None:
    """Constant-time comparison; a header that is not even ASCII cannot match."""
    if not given:
        raise SignatureError(f"missing {header} header")
    if not given.isascii() or not hmac.compare_digest(expected.encode(), given.encode()):
        raise SignatureError(f"{header} does not match the body")


def load(body: bytes) -> Fields:
    """Hostile JSON (deep nesting, NaN, absurd numbers) is a 400, never a 500; decimals stay exact: 89.99 in the
    JSON is Decimal('89.99'), never the float 89.98999…"""
    data = json_body.loads(body, exact_decimals=True)
    if not isinstance(data, dict):
        raise InvalidInputError("body", "must be a JSON object")
    return Fields(data)


class Fields:
    """A JSON object and where it sits in the payload, so errors say e.g. 'billing_address.country_code'."""

    def __init__(self, data: Mapping[str, Any], path: str = "") -> None:
        self.data = data
        self.path = path

    def __bool__(self) -> bool:
        return bool(self.data)

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def obj(self, key: str, *, required: bool = False) -> Fields:
        """A nested object; absent or null gives an empty one unless it is required."""
        value = self.data.get(key)
        if value is None and not required:
            return Fields({}, self.at(key))
        if not isinstance(value, dict):
            raise InvalidInputError(self.at(key), "must be a JSON object")
        return Fields(value, self.at(key))

    def objects(self, key: str) -> list[Fields]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise InvalidInputError(self.at(key), "must be a list of JSON objects")
        return [Fields(v, f"{self.at(key)}[{i}]") for i, v in enumerate(value)]

    def strings(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInputError(self.at(key), "must be a list of strings")
        return list(value)

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise InvalidInputError(self.at(key), "is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidInputError(self.at(key), "must be a string")
        return str(value).strip()

    def identifier(self, key: str) -> str:
        """Shop ids are numbers (Shopify's exceed 2**53, so they are kept as text) or hex strings."""
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise InvalidInputError(self.at(key), "must be the order's id")
        return str(value).strip()

    def decimal(self, key: str) -> Decimal:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise InvalidInputError(self.at(key), "must be a decimal amount")
        try:
            return Decimal(value.strip() if isinstance(value, str) else value)
        except ArithmeticError as exc:
            raise InvalidInputError(self.at(key), f"'{value}' is not a decimal amount") from exc

    def amount(self, key: str, currency: str) -> int:
        return to_minor(self.decimal(key), currency, self.at(key))

    def day(self, key: str) -> date | None:
        """The calendar date of an ISO timestamp as the sender wrote it (the shop's own time zone), if present."""
        return self.required_day(key) if self.text(key) else None

    def required_day(self, key: str) -> date:
        text = self.text(key, required=True)
        try:
            return datetime.fromisoformat(text).date()
        except ValueError as exc:
            raise InvalidInputError(self.at(key), f"'{text}' is not an ISO 8601 date") from exc
