"""The merchant whose claims Mahnwerk collects, with the settings that shape its dunning."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from chalicelib.domain.ladder import DEFAULT_LADDER, Ladder

API_KEY_PREFIX = "mw_"


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    address: str = ""  # legal imprint: the creditor named in every message and the hand-over
    support_email: str = ""
    default_language: str = "de"
    ladder: Ladder = DEFAULT_LADDER
    # Per-provider secrets for inbound webhooks (HMAC needs the secret itself, so it is not hashed).
    webhook_secrets: dict[str, str] = field(default_factory=dict)

    def webhook_secret(self, provider: str) -> str | None:
        return self.webhook_secrets.get(provider)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """API keys and pay tokens are stored only as this hash; they are long random strings, so no salt is needed."""
    return hashlib.sha256(secret.encode()).hexdigest()
