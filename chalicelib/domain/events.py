"""The claim timeline: every change appends one of these events (the audit trail)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    CLAIM_CREATED = "claim.created"
    STAGE_ESCALATED = "stage.escalated"
    MESSAGE_SENT = "message.sent"
    MESSAGE_FAILED = "message.failed"
    CONTACT_SKIPPED = "contact.skipped"  # not sent, and will not be: the claim closed, or the debtor opted out
    MESSAGE_DEFERRED = "message.deferred"  # not sent yet: outside the contact window, or the provider was down
    CHARGES_ADDED = "charges.added"
    PAYMENT_RECEIVED = "payment.received"
    PAYMENT_OVERPAID = "payment.overpaid"
    CLAIM_PAID = "claim.paid"
    CLAIM_CANCELLED = "claim.cancelled"
    CLAIM_HANDED_OVER = "claim.handed_over"
    HANDOVER_FAILED = "handover.failed"
    PAYMENT_REVERSED = "payment.reversed"
    CLAIM_REOPENED = "claim.reopened"
    CLAIM_CREDITED = "claim.credited"
    PROMISE_MADE = "promise.made"
    PROMISE_BROKEN = "promise.broken"
    PLAN_AGREED = "plan.agreed"
    PLAN_INSTALMENT_LATE = "plan.instalment_late"
    PLAN_BROKEN = "plan.broken"
    PLAN_COMPLETED = "plan.completed"
    DISPUTE_OPENED = "dispute.opened"
    DISPUTE_RESOLVED = "dispute.resolved"
    CLAIM_ADJUSTED = "claim.adjusted"
    PAUSE_GRANTED = "pause.granted"
    PAUSE_ENDED = "pause.ended"
    DEBTOR_MESSAGE = "debtor.message"


@dataclass(frozen=True)
class Event:
    type: EventType
    at: datetime  # virtual time, UTC
    data: dict[str, Any] = field(default_factory=dict)
    event_id: str = ""  # ULID, assigned when stored: timeline order

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.event_id, "type": str(self.type), "at": self.at.isoformat(), **self.data}
