"""The merchant whose claims Mahnwerk collects, with the settings that shape its dunning."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from .ladder import DEFAULT_LADDER, Ladder

API_KEY_PREFIX = "mw_"


@dataclass(frozen=True)
class Branding:
    """How the pay page looks and what it links to: the merchant's face, not Mahnwerk's."""

    color: str = "#1f4e79"  # a dark colour: white text on it must stay readable
    logo_url: str = ""
    imprint_url: str = ""
    privacy_url: str = ""
    support_phone: str = ""

    def to_dict(self) -> dict[str, str]:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Branding:
        return cls(**{k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__})


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
    branding: Branding = field(default_factory=Branding)
    bank_account: dict[str, str] = field(default_factory=dict)  # holder, iban, bic: validated when set
    agreement_rules: dict[str, Any] = field(default_factory=dict)  # overrides of the default rules
    pay_link_days_after_close: int = 30  # afterwards the link opens nothing
    # Per shop system: which orders are invoices to collect and the payment terms, e.g.
    # {"shopify": {"invoice_gateways": ["manual", "Invoice"], "payment_days": 14}}.
    integrations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def webhook_secret(self, provider: str) -> str | None:
        return self.webhook_secrets.get(provider)

    def integration(self, system: str) -> dict[str, Any]:
        return dict(self.integrations.get(system, {}))


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """API keys and pay tokens are stored only as this hash; they are long random strings, so no salt is needed."""
    return hashlib.sha256(secret.encode()).hexdigest()
