"""Ports of the claim itself and its timeline: what the claims table and the events table are to the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain.claim import Claim

if TYPE_CHECKING:
    from chalicelib.domain.events import Event


@dataclass(frozen=True)
class Page:
    items: list[Claim]
    cursor: str | None


class ClaimRepository(Protocol):
    """Claims and the unique keys that find them (external id, Idempotency-Key, pay token, payment reference)."""

    def add(self, claim: Claim, pay_token_hash: str, idempotency: tuple[str, str] | None, event: Event) -> Claim:
        """Store a new claim with its unique keys; DuplicateClaimError carries the existing id."""
        ...

    def get(self, claim_id: str, tenant_id: str | None = None) -> Claim:
        """ClaimNotFoundError for an unknown id, or for another tenant's claim when `tenant_id` is given."""
        ...

    def update(self, claim: Claim, events: list[Event]) -> Claim:
        """Write the claim if its version is unchanged (ConflictError otherwise) with its events.

        The write never touches the task token (TaskTokenRepository's alone). The claim returned carries the
        token of the wait that is open now, read after the write: the one to resume about the change. A write
        that closes the claim takes the token along; the stored claim keeps none.
        """
        ...

    def page(self, tenant_id: str, status: str | None, cursor: str | None, limit: int) -> Page: ...
    def find_by_external_id(self, tenant_id: str, external_id: str) -> str | None: ...
    def find_by_idempotency_key(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        """The claim id an Idempotency-Key created, with the fingerprint of the request that used it."""
        ...

    def find_by_pay_token(self, token_hash: str) -> str | None: ...
    def find_by_payment_reference(self, reference: str) -> str | None:
        """The claim whose payment reference this is, of any tenant: callers check the tenant."""
        ...


class TimelineRepository(Protocol):
    """The claim's append-only timeline: the audit trail, and through its stream the outbound webhooks."""

    def events(self, claim_id: str) -> list[Event]:
        """Oldest first."""
        ...

    def append(self, claim_id: str, tenant_id: str, event: Event) -> None: ...
