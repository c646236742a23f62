"""Handing a claim the ladder could not collect to the collection agency."""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.domain.agency_updates import AgencyFile, FileState, covered_by
from chalicelib.domain.claim import Status
from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.errors import PermanentDeliveryError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.handover import handover_id, handover_payload
from chalicelib.observability import count
from chalicelib.services.ports import (
    AgencyClient,
    AgencyFileRepository,
    ClaimRepository,
    PaymentRepository,
    TenantRepository,
    TimelineRepository,
)
from chalicelib.services.retries import on_conflict


class HandOverFailedError(Exception):
    """The agency refused the claim for good: an operator must look (the execution fails, an alarm fires)."""


@dataclass(frozen=True)
class HandoverPorts:
    """What the hand-over needs, built once in bootstrap (Container.handover)."""

    claims: ClaimRepository
    timeline: TimelineRepository
    payments: PaymentRepository
    tenants: TenantRepository
    agency: AgencyClient
    files: AgencyFileRepository
    clock: VirtualClock


def hand_over(claim_id: str, tenant_id: str, ports: HandoverPorts) -> str:
    """POST the claim to the agency, then mark it handed over; a TransientError propagates (the state machine retries).

    The agency's file is opened before the document is read: a payment, refund, credit or cancellation
    that lands after that moment reaches the agency as an update (services.agency_updates), one that
    landed before is in the document. So nothing falls between the two, whenever the money arrives.
    """
    claims, clock = ports.claims, ports.clock
    claim = claims.get(claim_id, tenant_id)
    if claim.status == Status.HANDED_OVER:
        return "already_handed_over"
    if not claim.contactable:
        return "skipped"
    ports.files.open(AgencyFile(claim_id, tenant_id, handover_id(tenant_id, claim_id), FileState.STARTED))
    claim = claims.get(claim_id, tenant_id)  # as it stands now that the file is open
    events = ports.timeline.events(claim_id)
    tenant = ports.tenants.get(tenant_id)
    payload = handover_payload(claim, tenant, events, ports.payments.payments(claim_id), clock.now())
    try:
        reference = ports.agency.hand_over(payload)
    except PermanentDeliveryError as exc:
        ports.files.refused(claim_id)
        ports.timeline.append(claim_id, tenant_id, Event(EventType.HANDOVER_FAILED, clock.now(), {"error": str(exc)}))
        raise HandOverFailedError(str(exc)) from exc
    ports.files.filed(claim_id, reference, covered_by(events))

    def record() -> str:
        current = claims.get(claim_id, tenant_id)
        if current.closed:
            # Settled or cancelled while the agency took it: the agency holds the claim and hears of it as an update.
            return str(current.status)
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
