"""Pay-page tokens: random-looking, derived from the claim id with a server secret, stored only as a hash.

Deriving the token (HMAC) lets every message carry the link without the token ever being stored;
the lookup table holds only its SHA-256, so a leaked table opens no pay page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from chalicelib.domain.tenant import hash_secret


def pay_token(secret: str, claim_id: str) -> str:
    digest = hmac.new(secret.encode(), claim_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def pay_token_hash(secret: str, claim_id: str) -> str:
    return hash_secret(pay_token(secret, claim_id))


def pay_url(base_url: str, secret: str, claim_id: str) -> str:
    return f"{base_url}/pay/{pay_token(secret, claim_id)}"


@dataclass(frozen=True)
class ContactLinks:
    """What every message needs to build the debtor's pay link."""

    base_url: str
    pay_secret: str
