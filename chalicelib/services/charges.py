"""Booking a stage's fees and interest on the claim before the message that shows them goes out."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib.domain.charges import StageCharges, charges_for
from chalicelib.domain.events import Event, EventType
from chalicelib.services.retries import on_conflict

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.domain.ladder import Stage
    from chalicelib.services.ports import ClaimRepository


def book_stage_charges(claim: Claim, stage: Stage, claims: ClaimRepository, clock: VirtualClock) -> Claim:
    """Once per stage: the balance the API reports is then the balance the message asks for."""

    def attempt(current: Claim) -> Claim:
        if stage.name in current.charged_stages or not current.contactable:
            return current
        charges = charges_for(current, stage)
        booked = replace(
            current,
            ledger=current.ledger.with_charges(charges.fee_total, charges.interest_total),
            charged_stages=current.charged_stages | {stage.name},
        )
        if not (charges.fee_total or charges.interest_total):
            return claims.update(booked, [])
        return claims.update(booked, [Event(EventType.CHARGES_ADDED, clock.now(), _event_data(stage, charges, booked))])

    if not (stage.fee or stage.charges_interest):
        return claim
    first = [claim]
    return on_conflict(lambda: attempt(first.pop() if first else claims.get(claim.claim_id, claim.tenant_id)))


def _event_data(stage: Stage, charges: StageCharges, claim: Claim) -> dict[str, Any]:
    return {
        "stage": stage.name,
        "fees": [{"kind": c.kind, "amount": c.amount} for c in charges.fees],
        "interest": [
            {
                "from": p.start.isoformat(),
                "to": p.end.isoformat(),
                "percent": str(p.percent) if p.percent is not None else None,
                "days": p.days,
                "amount": p.amount,
            }
            for p in charges.interest
        ],
        "balance": claim.ledger.balance,
    }
