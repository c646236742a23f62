"""Fees and default interest a stage adds to the claim (the rules and their sources: docs/law.md).

Charges are computed up to the stage's scheduled date, not "now", so the email and the letter
of one stage show the same figures, and a retried step books exactly what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .contact_policy import next_allowed
from .debtor import DebtorKind
from .interest import InterestPeriod, default_interest
from .ladder import Channel
from .schedule import ladder_date

if TYPE_CHECKING:
    from .claim import Claim
    from .ladder import Stage

B2B_FLAT_FEE_EUR = 4000  # § 288(5) BGB: €40 once the business debtor is in default


@dataclass(frozen=True)
class Charge:
    kind: str  # "reminder_fee" | "b2b_flat_fee"
    amount: int


@dataclass(frozen=True)
class StageCharges:
    fees: tuple[Charge, ...] = ()
    interest: tuple[InterestPeriod, ...] = ()

    @property
    def fee_total(self) -> int:
        return sum(c.amount for c in self.fees)

    @property
    def interest_total(self) -> int:
        return sum(p.amount for p in self.interest)


def default_begins(claim: Claim) -> date:
    """The first day of default: the day after the first reminder after the due date (§ 286(1) BGB).

    Once that reminder went out its real date is on the claim; before, it is estimated the way the
    planner will send it (contact windows included), so interest never starts a day too early.
    """
    if claim.default_since is not None:
        return claim.default_since
    first_after_due = next((s for s in claim.stages if s.offset_days > 0), None)
    planned = ladder_date(claim.schedule_anchor, first_after_due) if first_after_due else claim.schedule_anchor
    sent = next_allowed(planned, Channel.EMAIL, claim.debtor.country)
    return sent.date() + timedelta(days=1)


def charges_for(claim: Claim, stage: Stage) -> StageCharges:
    """Each stage books its own reminder fee; the B2B flat fee and interest are booked once."""
    business = claim.debtor.kind == DebtorKind.BUSINESS
    fees: tuple[Charge, ...] = ()
    if claim.ledger.currency == "EUR":  # the amounts in the ladder and the law are euros
        if business and (stage.fee or stage.charges_interest) and claim.ledger.fees == 0:
            fees = (Charge("b2b_flat_fee", B2B_FLAT_FEE_EUR),)  # it replaces reminder fees for businesses
        elif not business and stage.fee:
            fees = (Charge("reminder_fee", stage.fee),)
    interest: tuple[InterestPeriod, ...] = ()
    if stage.charges_interest and claim.ledger.interest == 0:
        last_day = ladder_date(claim.schedule_anchor, stage).date()
        first_day = default_begins(claim)
        if first_day <= last_day:
            interest = tuple(default_interest(claim.ledger.principal, first_day, last_day, business))
    return StageCharges(fees, interest)
