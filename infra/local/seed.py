"""The local stage's demo tenants: `demo` and `other`, keys local-<id>-key, webhook secrets local-<provider>-secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.tenant import Tenant
from chalicelib.services.tenants import create_tenant

if TYPE_CHECKING:
    from chalicelib.services.ports import TenantRepository

PROVIDERS = ("sandbox", "stripe", "shopify", "woocommerce", "shopware", "generic")
DEMO_TENANTS = (
    Tenant(
        "demo",
        "Demo Shop GmbH",
        address="Musterstraße 1, 10115 Berlin, Germany",
        support_email="support@demo-shop.example",
        webhook_secrets={p: f"local-{p}-secret" for p in PROVIDERS},
    ),
    Tenant(
        "other",
        "Other Store Ltd",
        address="1 High Street, London EC1A 1AA, United Kingdom",
        support_email="help@other-store.example",
        default_language="en",
        webhook_secrets={p: f"local-{p}-secret" for p in PROVIDERS},
    ),
)


def seed(tenants: TenantRepository) -> dict[str, str]:
    """Store the demo tenants; returns tenant id → API key."""
    return {t.tenant_id: create_tenant(t, tenants, api_key=f"local-{t.tenant_id}-key") for t in DEMO_TENANTS}
