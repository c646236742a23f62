"""DynamoClaimRepository: claims and their unique keys (external id, payment reference, pay token, Idempotency-Key)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.adapters.dynamodb import cursors, keys
from chalicelib.adapters.dynamodb.mapping import claim_changes, claim_from_model, claim_to_model, event_to_model
from chalicelib.adapters.dynamodb.models import ClaimModel, LookupModel
from chalicelib.adapters.dynamodb.task_tokens import token_after_write
from chalicelib.adapters.dynamodb.transactions import (
    Transactions,
    new_event_id,
    raise_if_contended,
    raise_if_throttled,
    reasons,
)
from chalicelib.domain.errors import ClaimNotFoundError, ConflictError, DuplicateClaimError
from chalicelib.services.ports import Page

if TYPE_CHECKING:
    from pynamodb.transactions import TransactWrite

    from chalicelib.domain.claim import Claim
    from chalicelib.domain.events import Event


class DynamoClaimRepository:
    def __init__(self, transactions: Transactions | None = None) -> None:
        self._transactions = transactions or Transactions()

    def add(self, claim: Claim, pay_token_hash: str, idempotency: tuple[str, str] | None, event: Event) -> Claim:
        unique = [
            LookupModel(keys.external_id(claim.tenant_id, claim.external_id), target=claim.claim_id),
            LookupModel(keys.payment_reference(claim.payment_reference), target=claim.claim_id),
            LookupModel(keys.pay_token(pay_token_hash), target=claim.claim_id, tenant_id=claim.tenant_id),
        ]
        if idempotency:
            key, fingerprint = idempotency
            unique.append(
                LookupModel(keys.idempotency(claim.tenant_id, key), target=claim.claim_id, fingerprint=fingerprint)
            )
        item = claim_to_model(claim)
        try:
            with self._transactions.write() as tx:
                for lookup in unique:
                    tx.save(lookup, condition=LookupModel.key.does_not_exist())
                tx.save(item, condition=ClaimModel.claim_id.does_not_exist())
                tx.save(event_to_model(claim.claim_id, claim.tenant_id, event, new_event_id()))
        except TransactWriteError as exc:
            raise_if_throttled(exc)
            for lookup, code in zip(unique, reasons(exc), strict=False):
                if code == "ConditionalCheckFailed":
                    existing = LookupModel.get(lookup.key, consistent_read=True)
                    raise DuplicateClaimError(existing.target, lookup.key) from exc
            raise ConflictError(f"claim {claim.claim_id} could not be stored") from exc
        return claim_from_model(item)

    def get(self, claim_id: str, tenant_id: str | None = None) -> Claim:
        try:
            item = ClaimModel.get(claim_id, consistent_read=True)
        except DoesNotExist as exc:
            raise ClaimNotFoundError(f"no claim {claim_id}") from exc
        if tenant_id is not None and item.tenant_id != tenant_id:
            raise ClaimNotFoundError(f"no claim {claim_id}")  # another tenant's claim does not exist for this one
        return claim_from_model(item)

    def update(self, claim: Claim, events: list[Event]) -> Claim:
        try:
            with self._transactions.write() as tx:
                item = write_claim(tx, claim)
                for event in events:
                    tx.save(event_to_model(claim.claim_id, claim.tenant_id, event, new_event_id()))
        except TransactWriteError as exc:
            raise_if_contended(exc, f"claim {claim.claim_id}")
            raise ConflictError(f"claim {claim.claim_id} changed meanwhile") from exc
        return stored(item)

    def page(self, tenant_id: str, status: str | None, cursor: str | None, limit: int) -> Page:
        index = ClaimModel.by_tenant_status if status else ClaimModel.by_tenant
        bound = {"status_claim": f"{status}#"} if status else None
        start = cursors.decode(cursor, tenant_id, cursors.key_schema(ClaimModel, index), starts_with=bound)
        if status:
            result = ClaimModel.by_tenant_status.query(
                tenant_id,
                ClaimModel.status_claim.startswith(f"{status}#"),
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=start,
            )
        else:
            result = ClaimModel.by_tenant.query(
                tenant_id, scan_index_forward=False, limit=limit, last_evaluated_key=start
            )
        items = [claim_from_model(item) for item in result]
        return Page(items=items, cursor=cursors.encode(result.last_evaluated_key))

    def find_by_external_id(self, tenant_id: str, external_id: str) -> str | None:
        return _target(keys.external_id(tenant_id, external_id))

    def find_by_idempotency_key(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        try:
            item = LookupModel.get(keys.idempotency(tenant_id, key), consistent_read=True)
        except DoesNotExist:
            return None
        return item.target, item.fingerprint or ""

    def find_by_pay_token(self, token_hash: str) -> str | None:
        return _target(keys.pay_token(token_hash))

    def find_by_payment_reference(self, reference: str) -> str | None:
        """The claim a bank transfer's ISO 11649 reference names; the caller checks the claim's tenant."""
        return _target(keys.payment_reference(reference))


def write_claim(tx: TransactWrite, claim: Claim) -> ClaimModel:
    """Add the claim's write to a transaction: at the version it was read (ConflictError otherwise), token untouched."""
    item = claim_to_model(claim)
    tx.update(item, actions=claim_changes(item), condition=ClaimModel.claim_id.exists())
    return item


def stored(item: ClaimModel) -> Claim:
    """The claim as a committed write left it, with the token of the wait open now (which the write never touched)."""
    claim = claim_from_model(item)
    return replace(claim, task_token=token_after_write(claim.claim_id, claim.closed))


def _target(key: str) -> str | None:
    """The claim id a unique key points at."""
    try:
        return str(LookupModel.get(key, consistent_read=True).target)
    except DoesNotExist:
        return None
