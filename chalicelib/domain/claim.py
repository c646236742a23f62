"""The claim: an unpaid invoice, its debtor, its ledger and where it stands in its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from .agreement import Agreement
from .debtor import Debtor
from .errors import IllegalTransitionError
from .ladder import Stage
from .ledger import Ledger
from .segmentation import Segment


class Status(StrEnum):
    OPEN = "open"
    DUNNING = "dunning"
    PROMISED = "promised"
    INSTALMENTS = "instalments"
    DISPUTED = "disputed"
    PAID = "paid"
    CANCELLED = "cancelled"
    HANDED_OVER = "handed_over"


CLOSED = frozenset({Status.PAID, Status.CANCELLED, Status.HANDED_OVER})
# Statuses in which the ladder may contact the debtor.
CONTACTABLE = frozenset({Status.OPEN, Status.DUNNING})
# Statuses in which money paid is money due: it lowers the balance. A claim handed over still takes the debtor's
# money (it settles it); on a paid or cancelled claim money is an over-payment, the debtor's to get back.
PAYABLE: tuple[Status, ...] = tuple(s for s in Status if s not in {Status.PAID, Status.CANCELLED})

_AGREEMENTS = {Status.PROMISED, Status.INSTALMENTS, Status.DISPUTED}
_ENDINGS = {Status.PAID, Status.CANCELLED}
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.DUNNING, *_AGREEMENTS, *_ENDINGS}),
    Status.DUNNING: frozenset({*_AGREEMENTS, *_ENDINGS, Status.HANDED_OVER}),
    Status.PROMISED: frozenset({Status.DUNNING, Status.INSTALMENTS, Status.DISPUTED, *_ENDINGS}),
    Status.INSTALMENTS: frozenset({Status.DUNNING, Status.DISPUTED, *_ENDINGS}),
    Status.DISPUTED: frozenset({Status.DUNNING, *_ENDINGS}),
    # A payment that reaches us after hand-over is still the debtor's money: it settles the claim.
    Status.HANDED_OVER: frozenset({Status.PAID, Status.CANCELLED}),
    # A refund or chargeback can take the money back: the claim is due again.
    Status.PAID: frozenset({Status.OPEN, Status.DUNNING}),
    Status.CANCELLED: frozenset(),
}


def can_transition(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


@dataclass(frozen=True)
class Claim:
    claim_id: str
    tenant_id: str
    external_id: str
    debtor: Debtor
    ledger: Ledger
    due_date: date
    segment: Segment
    stages: tuple[Stage, ...]  # the tenant's ladder as it applied when the claim arrived
    schedule_anchor: datetime  # virtual UTC instant the stages' day offsets count from
    payment_reference: str
    created_at: datetime
    status: Status = Status.OPEN
    stage: str | None = None  # the last stage reached
    next_stage_index: int = 0
    stage_completed_at: datetime | None = None  # when the last stage ran: the next keeps its spacing
    default_since: date | None = None  # first day of default: the day after the first overdue reminder
    invoice_date: date | None = None
    charged_stages: frozenset[str] = frozenset()  # stages whose fees and interest are booked
    closed_at: datetime | None = None  # when it was paid, cancelled or handed over: pay links expire after it
    agreement: Agreement | None = None  # the promise, plan, pause or dispute in force
    tone_boost: int = 0  # a broken promise or plan: later messages one step firmer
    reopened: int = 0  # how often a refund or chargeback re-opened the paid claim: each gets a fresh execution
    description: str | None = None
    pay_url: str | None = None
    execution_arn: str | None = None
    task_token: str | None = None
    version: int = 0
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def contactable(self) -> bool:
        return self.status in CONTACTABLE and self.ledger.balance > 0

    def transition(self, target: Status, at: datetime | None = None) -> Claim:
        if not can_transition(self.status, target):
            raise IllegalTransitionError(f"a claim cannot go from {self.status} to {target}")
        if target not in CLOSED:
            return replace(self, status=target, closed_at=None)
        return replace(self, status=target, closed_at=self.closed_at or at)

    def reopen(self) -> Claim:
        """Paid, then the money went back: dunning continues where it stood."""
        resumed = self.transition(Status.DUNNING if self.next_stage_index else Status.OPEN)
        return replace(resumed, reopened=self.reopened + 1)
