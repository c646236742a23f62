"""Adyen standard webhooks: verify each item's HMAC signature and turn money events into PaymentEvents.

Adyen posts a batch, {"live": "false", "notificationItems": [{"NotificationRequestItem": {...}}]}, and expects
HTTP 200 with the body "[accepted]" (the route returns it); anything else makes Adyen queue the batch and retry.
Every item carries its own HMAC in additionalData.hmacSignature, so all items are verified before any is
mapped: one forged item rejects the whole batch and no money moves.

The HMAC covers pspReference, originalReference, merchantAccountCode, merchantReference, amount and currency,
eventCode and success, and nothing else. Mahnwerk decides money only on those fields, never on additionalData,
which a replayed item could carry altered.

Which events count, so that no euro is counted twice or lost:

- `AUTHORISATION` with success "true" is the payment. Mahnwerk's Adyen payments capture automatically (Adyen's
  default), so the authorisation is the money; CAPTURE is ignored, or every payment would count twice. A
  refused authorisation (success "false") moves nothing. A zero-value authorisation (a card check, a stored
  payment method) moves nothing either.
- `REFUND` with success "true" is a refund of its amount; each partial refund has its own pspReference.
- `CANCEL_OR_REFUND` with success "true" is a refund too: whether Adyen cancelled the authorisation or refunded
  the capture, the payment counted at AUTHORISATION is undone.
- `CHARGEBACK` is a chargeback of its amount: the funds are already deducted when Adyen sends it.
- Everything else (CAPTURE, REFUND_FAILED, CHARGEBACK_REVERSED, SECOND_CHARGEBACK, reports, …) is ignored; a
  reversed refund or a won dispute is for a human to book, not for this mapper to guess.

Mahnwerk asks merchants to set merchantReference to the claim id, and Adyen repeats the original payment's
merchantReference on its refunds and disputes, so merchantReference is the claim; an item without one is not a
claim's and is ignored. Adyen may deliver the same item again, so the event id is "<pspReference>:<eventCode>":
a modification has its own pspReference, and a dispute's stages share one but differ in eventCode.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from chalicelib.contracts import json_body
from chalicelib.domain.errors import InvalidInputError, SignatureError
from chalicelib.services.ports import PaymentEvent

if TYPE_CHECKING:
    from collections.abc import Mapping

ACCEPTED_RESPONSE = "[accepted]"

# The order of Adyen's signing string for standard webhooks; amount.value and amount.currency are "value" and
# "currency" here.
_SIGNED_FIELDS = (
    "pspReference",
    "originalReference",
    "merchantAccountCode",
    "merchantReference",
    "value",
    "currency",
    "eventCode",
    "success",
)
_KINDS = {"AUTHORISATION": "payment", "REFUND": "refund", "CANCEL_OR_REFUND": "refund", "CHARGEBACK": "chargeback"}
_SUCCESS_REQUIRED = {"AUTHORISATION", "REFUND", "CANCEL_OR_REFUND"}


def verify_and_parse(body: bytes, hmac_key_hex: str) -> list[PaymentEvent]:
    """The money a verified Adyen batch moves, in the batch's order; an empty list when none of it is a claim's.

    Raises SignatureError if any item's signature is missing or wrong, before mapping any item, so a batch is
    applied whole or not at all; InvalidInputError("body", …) for a body that is not an Adyen batch or a signed
    item whose money fields cannot be read.
    """
    items = _items(body)
    key = _key(hmac_key_hex)
    for index, item in enumerate(items):
        _verify(item, key, index)
    events = (_event(item, index) for index, item in enumerate(items))
    return [event for event in events if event is not None]


def item_signature(item: Mapping[str, Any], hmac_key_hex: str) -> str:
    """Adyen's HMAC of one NotificationRequestItem, shared with the local stack's signer so both sign alike."""
    return _signature(item, _key(hmac_key_hex))


def _items(body: bytes) -> list[Mapping[str, Any]]:
    """Read before any signature is checked, because the signatures are inside: so the hostile-JSON reader."""
    notification = json_body.loads(body)
    if not isinstance(notification, dict):
        raise InvalidInputError("body", "an Adyen notification is a JSON object")
    wrappers = notification.get("notificationItems")
    if not isinstance(wrappers, list) or not wrappers:
        raise InvalidInputError("body", "notificationItems must be a non-empty list")
    items: list[Mapping[str, Any]] = []
    for index, wrapper in enumerate(wrappers):
        item = wrapper.get("NotificationRequestItem") if isinstance(wrapper, dict) else None
        if not isinstance(item, dict):
            raise InvalidInputError("body", f"notificationItems[{index}].NotificationRequestItem must be an object")
        items.append(item)
    return items


def _key(hmac_key_hex: str) -> bytes:
    if not hmac_key_hex:
        raise SignatureError("no Adyen HMAC key is configured")  # an empty key would let anyone sign
    try:
        return binascii.unhexlify(hmac_key_hex)
    except (binascii.Error, ValueError) as exc:
        # The tenant's configuration, not the sender, is wrong; still nothing may be accepted unverified.
        raise SignatureError("the Adyen HMAC key is not hexadecimal") from exc


def _signature(item: Mapping[str, Any], key: bytes) -> str:
    amount = item.get("amount")
    fields = {**item, **(amount if isinstance(amount, dict) else {})}
    signing_string = ":".join(_text(fields.get(name)) for name in _SIGNED_FIELDS)
    digest = hmac.new(key, signing_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _verify(item: Mapping[str, Any], key: bytes, index: int) -> None:
    additional = item.get("additionalData")
    given = additional.get("hmacSignature") if isinstance(additional, dict) else None
    if not isinstance(given, str) or not given:
        raise SignatureError(f"notificationItems[{index}] carries no additionalData.hmacSignature")
    if not hmac.compare_digest(_signature(item, key).encode(), given.encode()):
        raise SignatureError(f"notificationItems[{index}]: the HMAC signature does not match")


def _event(item: Mapping[str, Any], index: int) -> PaymentEvent | None:
    where = f"notificationItems[{index}]"
    event_code = item.get("eventCode")
    kind = _KINDS.get(event_code) if isinstance(event_code, str) else None
    if kind is None:
        return None
    success = item.get("success")
    if success not in ("true", "false"):
        raise InvalidInputError("body", f'{where}.success must be "true" or "false"')
    if event_code in _SUCCESS_REQUIRED and success != "true":
        return None  # refused authorisation, failed refund: no money moved
    value, currency = _amount(item.get("amount"), where)
    merchant_reference = item.get("merchantReference")
    if value == 0 or merchant_reference in (None, ""):
        return None  # a zero-value card check, or a payment that is not a claim's
    claim_id = _reference(merchant_reference, f"{where}.merchantReference")
    psp_reference = _reference(item.get("pspReference"), f"{where}.pspReference")
    original = item.get("originalReference")
    return PaymentEvent(
        event_id=f"{psp_reference}:{event_code}",
        claim_id=claim_id,
        amount=value if kind == "payment" else -value,
        currency=currency,
        kind=kind,
        # the payment a refund or chargeback undoes; the modification's own reference is in event_id
        provider_reference=_reference(original, f"{where}.originalReference") if original else psp_reference,
    )


def _amount(amount: Any, where: str) -> tuple[int, str]:
    if not isinstance(amount, dict):
        raise InvalidInputError("body", f"{where}.amount must be an object with value and currency")
    value = amount.get("value")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError("body", f"{where}.amount.value must be a non-negative integer in minor units")
    currency = amount.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise InvalidInputError("body", f"{where}.amount.currency must be an ISO 4217 code")
    return value, currency.upper()


def _reference(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInputError("body", f"{field} must be a non-empty string")
    return value
