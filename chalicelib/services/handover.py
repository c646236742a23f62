"""Handing a claim the ladder could not collect to the collection agency."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib.domain.claim import Status
from chalicelib.domain.errors import PermanentDeliveryError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.handover import handover_payload
from chalicelib.observability import count
from chalicelib.services.retries import on_conflict

if TYPE_CHECKING:
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import (
        AgencyClient,
        ClaimRepository,
        PaymentRepository,
        TenantRepository,
        TimelineRepository,
    )


class HandOverFailedError(Exception):
    """The agency refused the claim for good: an operator must look (the execution fails, an alarm fires)."""


def hand_over(
    claim_id: str,
    tenant_id: str,
    claims: ClaimRepository,
    timeline: TimelineRepository,
    payments: PaymentRepository,
    tenants: TenantRepository,
    agency: AgencyClient,
    clock: VirtualClock,
) -> str:
    claim = claims.get(claim_id, tenant_id)
    if claim.status == Status.HANDED_OVER:
        return "already_handed_over"
    if not claim.contactable:
        return "skipped"
    payload = handover_payload(
        claim, tenants.get(tenant_id), timeline.events(claim_id), payments.payments(claim_id), clock.now()
    )
    try:
        reference = agency.hand_over(payload)  # TransientError propagates: the state machine retries
    except PermanentDeliveryError as exc:
        timeline.append(claim_id, tenant_id, Event(EventType.HANDOVER_FAILED, clock.now(), {"error": str(exc)}))
        raise HandOverFailedError(str(exc)) from exc

    def record() -> str:
        current = claims.get(claim_id, tenant_id)
        if current.closed:
            return str(current.status)  # paid while we handed over: the agency is told by the payment event
        handed = replace(current.transition(Status.HANDED_OVER, clock.now()), stage="agency")
        event = Event(
            EventType.CLAIM_HANDED_OVER, clock.now(), {"agency_reference": reference, "balance": current.ledger.balance}
        )
        claims.update(handed, [event])
        return "handed_over"

    outcome = on_conflict(record)
    if outcome == "handed_over":
        count("HandedOver")
    return outcome
