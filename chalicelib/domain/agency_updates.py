"""What the collection agency hears after the hand-over: every movement of a handed-over claim's money, in order.

A claim is at the agency from the moment its hand-over starts (the file is opened before the hand-over
document is read, so nothing that happens afterwards can be missing from both; what the document shows
is not sent again). Each later payment,
reversal, credit or cancellation becomes one update: an id that stays the same across retries (the
agency files it once), the timeline event it reports, and the claim's amounts as they stood when the
update was queued. Updates of one claim are delivered in order; `claim.version` grows with every
change, so an agency that keeps the update with the highest version keeps the claim's current balance.
docs/agency-interface.md is the agency's side of this.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .events import EventType
from .webhook_delivery import MAX_ATTEMPTS, RETRY_SCHEDULE

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import timedelta

    from .claim import Claim
    from .events import Event
    from .webhook_delivery import PublishedEvent

# The events that change what the agency may collect. payment.overpaid and the like come with one of these, in the
# same change, and the update's claim amounts (overpaid included) already show them.
FORWARDED: frozenset[str] = frozenset(
    {
        EventType.PAYMENT_RECEIVED,
        EventType.PAYMENT_REVERSED,
        EventType.CLAIM_CREDITED,
        EventType.CLAIM_ADJUSTED,
        EventType.CLAIM_PAID,
        EventType.CLAIM_CANCELLED,
        EventType.CLAIM_REOPENED,
    }
)
# The outbound webhooks' schedule (about 27.6 hours in strategy time), then the update is parked.
UPDATE_ATTEMPTS = MAX_ATTEMPTS
UPDATE_RETRY_SCHEDULE = RETRY_SCHEDULE


class FileState(StrEnum):
    STARTED = "started"  # the hand-over is being sent: updates wait until the agency has the claim
    FILED = "filed"  # the agency accepted the claim: updates go out
    FAILED = "failed"  # the agency refused the claim: it has nothing to update


@dataclass(frozen=True)
class AgencyFile:
    """Where one claim's hand-over stands."""

    claim_id: str
    tenant_id: str
    handover_id: str
    state: FileState
    reference: str | None = None  # the agency's own reference, once filed
    covered: frozenset[str] = frozenset()  # ids of the money events the hand-over's document already shows

    def shows(self, update: AgencyUpdate) -> bool:
        """The document counted this event already: an update for it would tell the agency nothing new."""
        return update.event.get("id") in self.covered


@dataclass(frozen=True)
class AgencyUpdate:
    """One update as it is queued and sent; the same bytes on every attempt."""

    update_id: str
    handover_id: str
    claim_id: str
    tenant_id: str
    type: str
    occurred_at: str  # the event's time (strategy time, ISO 8601)
    event: dict[str, Any]
    claim: dict[str, Any]
    agency_reference: str | None = None

    def body(self) -> dict[str, Any]:
        """What the agency receives (docs/agency-interface.md)."""
        return {
            "update_id": self.update_id,
            "handover_id": self.handover_id,
            "agency_reference": self.agency_reference,
            "type": self.type,
            "occurred_at": self.occurred_at,
            "event": self.event,
            "claim": self.claim,
        }

    def to_json(self) -> str:
        return json.dumps({**self.body(), "tenant_id": self.tenant_id}, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> AgencyUpdate:
        data = json.loads(text)
        return cls(
            update_id=str(data["update_id"]),
            handover_id=str(data["handover_id"]),
            claim_id=str(data["claim"]["id"]),
            tenant_id=str(data["tenant_id"]),
            type=str(data["type"]),
            occurred_at=str(data["occurred_at"]),
            event=dict(data["event"]),
            claim=dict(data["claim"]),
            agency_reference=data.get("agency_reference"),
        )


@dataclass(frozen=True)
class QueuedUpdate:
    """An update as the queue hands it over: which attempt this is, and the queue's handle to put it back."""

    update: AgencyUpdate
    attempt: int  # 1 for the first delivery
    receipt: str = ""


def update_id(event_id: str) -> str:
    """The webhook-id of the update: one per timeline event, so a retried or re-queued update is the same one."""
    return f"upd_{event_id}"


def claim_amounts(claim: Claim) -> dict[str, Any]:
    """The claim as the agency should book it now; the version orders these snapshots."""
    ledger = claim.ledger
    return {
        "id": claim.claim_id,
        "external_id": claim.external_id,
        "status": str(claim.status),
        "currency": ledger.currency,
        "principal": ledger.principal,
        "fees": ledger.fees,
        "interest": ledger.interest,
        "paid": ledger.paid,
        "balance": ledger.balance,
        "overpaid": ledger.overpaid,
        "version": claim.version,
    }


def agency_update(event: PublishedEvent, file: AgencyFile, claim: Claim) -> AgencyUpdate:
    return AgencyUpdate(
        update_id=update_id(event.event_id),
        handover_id=file.handover_id,
        claim_id=event.claim_id,
        tenant_id=event.tenant_id,
        type=event.type,
        occurred_at=event.at.isoformat(),
        event={"id": event.event_id, "type": event.type, "at": event.at.isoformat(), **event.data},
        claim=claim_amounts(claim),
        agency_reference=file.reference,
    )


def forwarded(event: PublishedEvent) -> bool:
    return event.type in FORWARDED


def covered_by(events: Iterable[Event]) -> frozenset[str]:
    """The money events a hand-over document shows (its contact history lists every event with its id)."""
    return frozenset(e.event_id for e in events if e.type in FORWARDED)


def retry_delay(attempt: int) -> timedelta | None:
    """After attempt `attempt` (1 for the first) failed: how long until the next, in strategy time; None: give up."""
    if attempt >= UPDATE_ATTEMPTS:
        return None
    return UPDATE_RETRY_SCHEDULE[max(attempt, 1)]
