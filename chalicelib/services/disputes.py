"""The merchant's answer to a debtor's dispute: the claim stands, is withdrawn, or is corrected."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib.domain.claim import Status
from chalicelib.domain.disputes import DisputeOutcome, parse_outcome, validate_adjustment
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.events import Event, EventType
from chalicelib.services.retries import on_conflict

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.notices import Notices
    from chalicelib.services.ports import ClaimRepository, WorkflowClient


def resolve_dispute(
    claim_id: str,
    tenant: Tenant,
    outcome: str,
    amount: int | None,
    claims: ClaimRepository,
    workflow: WorkflowClient,
    notices: Notices,
    clock: VirtualClock,
) -> Claim:
    decided = parse_outcome(outcome)

    def attempt() -> Claim:
        claim = claims.get(claim_id, tenant.tenant_id)
        if claim.status != Status.DISPUTED:
            raise InvalidInputError("outcome", f"no dispute is open: the claim is {claim.status}")
        new_balance = validate_adjustment(decided, amount, claim.ledger.balance)
        now = clock.now()
        events = [Event(EventType.DISPUTE_RESOLVED, now, {"outcome": str(decided)})]
        if decided == DisputeOutcome.CANCEL:
            events.append(Event(EventType.CLAIM_CANCELLED, now, {"reason": "dispute upheld for the debtor"}))
            return claims.update(replace(claim.transition(Status.CANCELLED, now), agreement=None), events)
        resumed = replace(claim.transition(Status.DUNNING if claim.next_stage_index else Status.OPEN), agreement=None)
        if new_balance is not None:
            reduction = claim.ledger.balance - new_balance
            ledger = replace(claim.ledger, principal=claim.ledger.principal - reduction)
            resumed = replace(resumed, ledger=ledger)
            events.append(Event(EventType.CLAIM_ADJUSTED, now, {"from": claim.ledger.balance, "to": new_balance}))
        return claims.update(resumed, events)

    claim = on_conflict(attempt)
    if claim.task_token:
        workflow.notify(
            claim.task_token, {"type": "cancelled" if decided == DisputeOutcome.CANCEL else "dispute_resolved"}
        )
    notices.send("dispute_resolved", claim, tenant, f"dispute-resolved:{decided}", outcome=str(decided))
    return claim
