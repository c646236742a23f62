"""Use cases of a claim's life as the merchant sees it: hand over, read, list, cancel."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from ulid import ULID

from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.claim_intake import check_new_claim
from chalicelib.domain.debtor import Debtor
from chalicelib.domain.errors import ConflictError, DuplicateClaimError, InvalidInputError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.payment_reference import new_reference
from chalicelib.domain.schedule import anchor_for, applicable_stages
from chalicelib.domain.segmentation import segment_of
from chalicelib.services.pay_tokens import pay_token_hash
from chalicelib.services.retries import on_conflict

if TYPE_CHECKING:
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.ports import ClaimRepository, Page, TimelineRepository, WorkflowClient


@dataclass(frozen=True)
class NewClaim:
    external_id: str
    debtor: Debtor
    amount: int
    currency: str
    due_date: date
    invoice_date: date | None = None
    description: str | None = None

    def fingerprint(self) -> str:
        """Identifies the request behind an Idempotency-Key, to refuse the key's reuse for another one."""
        body = json.dumps(
            [self.external_id, self.amount, self.currency, self.due_date.isoformat(), self.debtor.email], default=str
        )
        return hashlib.sha256(body.encode()).hexdigest()


class IdempotencyKeyReusedError(ConflictError):
    pass


@dataclass(frozen=True)
class Created:
    claim: Claim
    created: bool  # False: the claim existed (same external id or Idempotency-Key)


def create_claim(
    command: NewClaim,
    tenant: Tenant,
    claims: ClaimRepository,
    workflow: WorkflowClient,
    clock: VirtualClock,
    pay_secret: str,
    idempotency_key: str | None = None,
) -> Created:
    if idempotency_key:
        known = claims.find_by_idempotency_key(tenant.tenant_id, idempotency_key)
        if known is not None:
            return _replay(known, command, tenant, claims, workflow)
    existing_id = claims.find_by_external_id(tenant.tenant_id, command.external_id)
    if existing_id is not None:
        return _existing(existing_id, tenant, claims, workflow)

    claim = _new_claim(command, tenant, clock)
    event = Event(EventType.CLAIM_CREATED, claim.created_at, _created_data(claim))
    idempotency = (idempotency_key, command.fingerprint()) if idempotency_key else None
    for _ in range(3):  # a payment-reference collision is rare; draw again
        try:
            stored = claims.add(claim, pay_token_hash(pay_secret, claim.claim_id), idempotency, event)
            break
        except DuplicateClaimError as exc:
            if not exc.key.startswith("payref#"):
                return _existing(exc.claim_id, tenant, claims, workflow)
            claim = replace(claim, payment_reference=new_reference())
    else:
        raise ConflictError("could not allocate a unique payment reference")
    workflow.start(stored.claim_id, stored.tenant_id)
    return Created(stored, created=True)


def _new_claim(command: NewClaim, tenant: Tenant, clock: VirtualClock) -> Claim:
    if command.amount <= 0:
        raise InvalidInputError("amount", "must be a positive integer in minor units")
    now = clock.now()
    check_new_claim(
        command.external_id, command.debtor, command.due_date, command.invoice_date, command.description, now.date()
    )
    segment = segment_of(command.debtor, now.date())
    stages = applicable_stages(tenant.ladder, segment, command.due_date, now)
    if not stages:
        raise InvalidInputError("due_date", "no stage of the tenant's ladder applies to this claim")
    return Claim(
        claim_id=str(ULID()),
        tenant_id=tenant.tenant_id,
        external_id=command.external_id,
        debtor=command.debtor,
        ledger=Ledger(currency=command.currency, principal=command.amount),
        due_date=command.due_date,
        segment=segment,
        stages=stages,
        schedule_anchor=anchor_for(command.due_date, stages[0], now),
        payment_reference=new_reference(),
        created_at=now,
        description=command.description,
        invoice_date=command.invoice_date,
    )


def _created_data(claim: Claim) -> dict[str, object]:
    return {
        "amount": claim.ledger.principal,
        "currency": claim.ledger.currency,
        "due_date": claim.due_date.isoformat(),
        "segment": str(claim.segment),
        "stages": [s.name for s in claim.stages],
    }


def _existing(claim_id: str, tenant: Tenant, claims: ClaimRepository, workflow: WorkflowClient) -> Created:
    claim = claims.get(claim_id, tenant.tenant_id)
    # The first request may have stored the claim and died before starting its execution.
    if not claim.closed:
        workflow.start(claim.claim_id, claim.tenant_id)
    return Created(claim, created=False)


def _replay(
    known: tuple[str, str], command: NewClaim, tenant: Tenant, claims: ClaimRepository, workflow: WorkflowClient
) -> Created:
    claim_id, fingerprint = known
    if fingerprint != command.fingerprint():
        raise IdempotencyKeyReusedError("this Idempotency-Key was used for a different request")
    return _existing(claim_id, tenant, claims, workflow)


def get_claim(
    claim_id: str, tenant_id: str, claims: ClaimRepository, timeline: TimelineRepository
) -> tuple[Claim, list[Event]]:
    claim = claims.get(claim_id, tenant_id)
    return claim, timeline.events(claim_id)


def list_claims(tenant_id: str, status: str | None, cursor: str | None, limit: int, claims: ClaimRepository) -> Page:
    if status is not None and status not in set(Status):
        raise InvalidInputError("status", f"unknown status '{status}'")
    return claims.page(tenant_id, status, cursor, limit)


def cancel_claim(
    claim_id: str,
    tenant_id: str,
    reason: str | None,
    claims: ClaimRepository,
    workflow: WorkflowClient,
    clock: VirtualClock,
) -> Claim:
    """A credit note or a return: the claim is void and dunning stops at once."""

    def attempt() -> Claim:
        claim = claims.get(claim_id, tenant_id)
        if claim.status == Status.CANCELLED:
            return claim
        cancelled = claim.transition(Status.CANCELLED, clock.now())
        event = Event(EventType.CLAIM_CANCELLED, clock.now(), {"reason": reason or "cancelled by merchant"})
        return claims.update(cancelled, [event])

    claim = on_conflict(attempt)
    if claim.task_token:
        workflow.notify(claim.task_token, {"type": "cancelled"})
    return claim
