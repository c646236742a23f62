"""DynamoTenantRepository: tenants and the hashes of their API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.mapping import tenant_from_model, tenant_to_model
from chalicelib.adapters.dynamodb.models import LookupModel, TenantModel
from chalicelib.domain.errors import TenantNotFoundError

if TYPE_CHECKING:
    from chalicelib.domain.tenant import Tenant


class DynamoTenantRepository:
    def get(self, tenant_id: str) -> Tenant:
        try:
            return tenant_from_model(TenantModel.get(tenant_id))
        except DoesNotExist as exc:
            raise TenantNotFoundError(tenant_id) from exc

    def by_api_key_hash(self, key_hash: str) -> Tenant | None:
        try:
            lookup = LookupModel.get(keys.api_key(key_hash))
        except DoesNotExist:
            return None
        return self.get(lookup.target)

    def save(self, tenant: Tenant) -> None:
        tenant_to_model(tenant).save()

    def ids(self) -> list[str]:
        """Every tenant's id: for the operator's sweeps, never a request's path (it reads the whole, small table)."""
        return sorted(item.tenant_id for item in TenantModel.scan(attributes_to_get=["tenant_id"]))

    def add_api_key(self, tenant_id: str, key_hash: str) -> None:
        LookupModel(keys.api_key(key_hash), target=tenant_id, tenant_id=tenant_id).save(
            condition=LookupModel.key.does_not_exist()
        )
