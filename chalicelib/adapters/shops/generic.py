"""The generic shop webhook for any other shop or ERP: Standard Webhooks signature, Mahnwerk's own JSON events.

The format is documented for merchants in docs/generic-webhook.md. ``invoice.created`` carries the same fields as
the claims API body and is validated by the same model (ClaimIn), so both ways in accept exactly the same invoices.
"""

from __future__ import annotations

import binascii
import json
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import BaseModel, Field, ValidationError
from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook, WebhookVerificationError

from chalicelib.adapters.shops.payload import load, lower_keys
from chalicelib.contracts.claims import ClaimIn
from chalicelib.contracts.strict import MinorUnits, StrictModel
from chalicelib.domain.errors import InvalidInputError, SignatureError
from chalicelib.domain.shop_orders import (
    Credit,
    OrderInvoice,
    OrderRef,
    cancelled,
    credited,
    ignored,
    paid,
    placed,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.domain.shop_orders import OrderRules, ShopEvent

SYSTEM = "generic"
ID_HEADER = "webhook-id"
M = TypeVar("M", bound=BaseModel)
ExternalId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e][\x20-\x7e]*$")]


class InvoicePaidIn(StrictModel):
    external_id: ExternalId
    amount: MinorUnits | None = None  # the total paid on the invoice so far; absent: paid in full


class InvoiceCancelledIn(StrictModel):
    external_id: ExternalId
    reason: Annotated[str, Field(max_length=500)] | None = None


class InvoiceCreditedIn(StrictModel):
    external_id: ExternalId
    credit_id: Annotated[str, Field(min_length=1, max_length=128)]
    amount: MinorUnits


def verify(body: bytes, headers: Mapping[str, str], secret: str) -> None:
    """webhook-id, webhook-timestamp (within 5 minutes) and webhook-signature (v1, HMAC-SHA256) over the raw body."""
    try:
        Webhook(secret).verify(body, lower_keys(headers), json_parse=False)
    except (WebhookVerificationError, EmptyWebhookSecretError) as exc:
        raise SignatureError(f"Standard Webhooks signature: {exc}") from exc
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:  # a malformed header or secret
        raise SignatureError("Standard Webhooks signature headers or secret are malformed") from exc


def read(body: bytes, headers: Mapping[str, str], secret: str, _rules: OrderRules) -> ShopEvent:
    """Verify first; only a signed body is parsed."""
    verify(body, headers, secret)
    delivery = lower_keys(headers).get(ID_HEADER, "")
    envelope = load(body)
    kind = envelope.text("type", required=True)
    data = envelope.obj("data", required=True).data
    if kind == "invoice.created":
        claim = _valid(ClaimIn, data)
        ref = OrderRef(SYSTEM, kind, delivery, claim.external_id, claim.external_id)
        invoice = OrderInvoice(
            debtor=claim.debtor.to_domain(),
            amount=claim.amount,
            currency=claim.currency,
            invoice_date=claim.invoice_date,
            due_date=claim.due_date,
            description=claim.description,
        )
        return placed(ref, invoice)
    if kind == "invoice.paid":
        payment = _valid(InvoicePaidIn, data)
        return paid(_ref(kind, delivery, payment.external_id), paid_total=payment.amount)
    if kind == "invoice.cancelled":
        cancellation = _valid(InvoiceCancelledIn, data)
        return cancelled(_ref(kind, delivery, cancellation.external_id), cancellation.reason or "cancelled by merchant")
    if kind == "invoice.credited":
        credit = _valid(InvoiceCreditedIn, data)
        return credited(_ref(kind, delivery, credit.external_id), [Credit(credit.credit_id, credit.amount)])
    return ignored(OrderRef(SYSTEM, kind, delivery), f"event type '{kind}' is not one Mahnwerk acts on")


def _ref(kind: str, delivery: str, external_id: str) -> OrderRef:
    return OrderRef(SYSTEM, kind, delivery, external_id, external_id)


def _valid(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate as JSON (dates as ISO strings, amounts strictly integers); errors name the field under `data.`."""
    try:
        return model.model_validate_json(json.dumps(data, default=str))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-"))
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InvalidInputError(f"data.{where}" if where else "data", first["msg"] + more) from exc
    except InvalidInputError as exc:
        raise InvalidInputError(f"data.{exc.field}", exc.message) from exc
