"""Tenants: creating one with its first API key, and knowing who calls."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.tenant import Tenant, hash_secret, new_api_key

if TYPE_CHECKING:
    from chalicelib.services.ports import TenantRepository

_TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def create_tenant(tenant: Tenant, tenants: TenantRepository, api_key: str | None = None) -> str:
    """Store the tenant and return its API key in clear: the only time anyone sees it."""
    if not _TENANT_ID.match(tenant.tenant_id):
        raise InvalidInputError("tenant_id", "lower-case letters, digits and dashes, 2 to 63 characters")
    key = api_key or new_api_key()
    tenants.save(tenant)
    tenants.add_api_key(tenant.tenant_id, hash_secret(key))
    return key


def authenticate(api_key: str, tenants: TenantRepository) -> Tenant | None:
    return tenants.by_api_key_hash(hash_secret(api_key))
