"""Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature): signing and verifying."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

from chalicelib.domain.errors import SignatureError

if TYPE_CHECKING:
    from collections.abc import Mapping

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


def _key(secret: str) -> bytes:
    """Spec-style "whsec_<base64>" secrets are decoded as the reference libraries do; any other string is the key."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    return secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The signature covers id and timestamp too, so a captured request cannot be replayed under another id or later."""
    signed_content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed_content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:  # HTTP header names are case-insensitive; a plain dict is not
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if not value:
        raise SignatureError(f"missing {name} header")
    return value


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Accept a request only if one of its signatures matches and it is recent, so old captures cannot be replayed."""
    msg_id = _header(headers, "webhook-id")
    timestamp_text = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        timestamp = int(timestamp_text)
    except ValueError as exc:
        raise SignatureError("webhook-timestamp is not a unix timestamp") from exc
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureError("webhook-timestamp is outside the tolerance")
    expected = sign(secret, msg_id, timestamp, body).encode("ascii")
    # Several space-separated signatures are allowed while a secret is being rotated.
    if not any(hmac.compare_digest(candidate.encode("utf-8"), expected) for candidate in signatures.split()):
        raise SignatureError("no webhook-signature matches")
