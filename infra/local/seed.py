"""The local stage's demo tenants: `demo` and `other`, keys local-<id>-key, webhook secrets in SECRETS."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from chalicelib.domain.tenant import Branding, Tenant
from chalicelib.services.tenants import create_tenant

if TYPE_CHECKING:
    from chalicelib.services.ports import TenantRepository

PROVIDERS = ("sandbox", "stripe", "shopify", "woocommerce", "shopware")
# Standard Webhooks secrets are base64 with a "whsec_" prefix; Adyen's HMAC key is hex.
SECRETS = {
    **{p: f"local-{p}-secret" for p in PROVIDERS},
    "generic": "whsec_" + base64.b64encode(b"local-generic-secret").decode(),
    "adyen": hashlib.sha256(b"local-adyen-secret").hexdigest().upper(),
}
# Which shop orders are invoices that Mahnwerk collects (the rest were paid at checkout).
INTEGRATIONS: dict[str, dict[str, Any]] = {
    "shopify": {"invoice_gateways": ["manual", "Invoice"], "payment_days": 14},
    "woocommerce": {"invoice_methods": ["invoice", "bacs"], "payment_days": 14},
    "shopware": {"invoice_methods": ["invoice_payment", "payment_invoicepayment"], "payment_days": 14},
    "generic": {"payment_days": 14},
}
DEMO_TENANTS = (
    Tenant(
        "demo",
        "Demo Shop GmbH",
        address="Musterstraße 1, 10115 Berlin, Germany",
        support_email="support@demo-shop.example",
        webhook_secrets=SECRETS,
        integrations=INTEGRATIONS,
        branding=Branding(
            color="#1f4e79",
            imprint_url="https://demo-shop.example/impressum",
            privacy_url="https://demo-shop.example/datenschutz",
            support_phone="+49 30 1234567",
        ),
        bank_account={"holder": "Demo Shop GmbH", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
    ),
    Tenant(
        "other",
        "Other Store Ltd",
        address="1 High Street, London EC1A 1AA, United Kingdom",
        support_email="help@other-store.example",
        default_language="en",
        webhook_secrets=SECRETS,
        integrations=INTEGRATIONS,
        branding=Branding(
            color="#5b2a86",
            imprint_url="https://other-store.example/legal",
            privacy_url="https://other-store.example/privacy",
            support_phone="+44 20 7946 0000",
        ),
        bank_account={"holder": "Other Store Ltd", "iban": "DE02120300000000202051", "bic": "BYLADEM1001"},
    ),
)


def seed(tenants: TenantRepository) -> dict[str, str]:
    """Store the demo tenants; returns tenant id → API key."""
    return {t.tenant_id: create_tenant(t, tenants, api_key=f"local-{t.tenant_id}-key") for t in DEMO_TENANTS}
