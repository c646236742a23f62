"""Fees and default interest a stage adds to the claim (see LAW.md).

Charges are computed up to the stage's scheduled date, not "now", so the email and the letter
of one stage show the same figures, and a retried step books exactly what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.claim import Claim, DebtorKind
from chalicelib.domain.interest import InterestPeriod, default_interest

if TYPE_CHECKING:
    from chalicelib.domain.ladder import Stage

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
    """The first day of default: the day after the first reminder after the due date (§ 286(1) BGB)."""
    first_after_due = next((s for s in claim.stages if s.offset_days > 0), None)
    offset = first_after_due.offset_days if first_after_due else 0
    return (claim.schedule_anchor + timedelta(days=offset)).date() + timedelta(days=1)


def charges_for(claim: Claim, stage: Stage) -> StageCharges:
    if not stage.charges_interest and stage.fee == 0:
        return StageCharges()
    if claim.ledger.fees or claim.ledger.interest:
        return StageCharges()  # charged once, at the first charging stage
    business = claim.debtor.kind == DebtorKind.BUSINESS
    fees: tuple[Charge, ...] = ()
    if claim.ledger.currency == "EUR":  # the amounts in the ladder and the law are euros
        fees = (Charge("b2b_flat_fee", B2B_FLAT_FEE_EUR),) if business else (Charge("reminder_fee", stage.fee),)
        fees = tuple(f for f in fees if f.amount > 0)
    interest: tuple[InterestPeriod, ...] = ()
    if stage.charges_interest:
        last_day = (claim.schedule_anchor + timedelta(days=stage.offset_days)).date()
        first_day = default_begins(claim)
        if first_day <= last_day:
            interest = tuple(default_interest(claim.ledger.principal, first_day, last_day, business))
    return StageCharges(fees, interest)
