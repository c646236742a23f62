"""Port of the merchants: their settings and API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from chalicelib.domain.tenant import Tenant


class TenantRepository(Protocol):
    def get(self, tenant_id: str) -> Tenant:
        """TenantNotFoundError for an unknown tenant."""
        ...

    def by_api_key_hash(self, key_hash: str) -> Tenant | None: ...
    def save(self, tenant: Tenant) -> None: ...
    def ids(self) -> list[str]:
        """Every tenant's id, for operators' sweeps (services.doctor)."""
        ...

    def add_api_key(self, tenant_id: str, key_hash: str) -> None: ...
