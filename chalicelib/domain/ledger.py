"""What a debtor owes: principal, fees and interest charged, payments received; balance derived."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .money import Money


@dataclass(frozen=True)
class Ledger:
    currency: str
    principal: int
    fees: int = 0
    interest: int = 0
    paid: int = 0

    @property
    def total_due(self) -> int:
        return self.principal + self.fees + self.interest

    @property
    def balance(self) -> int:
        return max(0, self.total_due - self.paid)

    @property
    def overpaid(self) -> int:
        """Paid beyond what was due: recorded, never swallowed, so the merchant can refund it."""
        return max(0, self.paid - self.total_due)

    @property
    def settled(self) -> bool:
        return self.balance == 0

    def money(self, amount: int) -> Money:
        return Money(amount, self.currency)

    def with_payment(self, amount: int) -> Ledger:
        return replace(self, paid=self.paid + amount)

    def with_reversal(self, amount: int) -> Ledger:
        """A refund or chargeback takes back money that was paid; never more than was paid."""
        return replace(self, paid=self.paid - min(amount, self.paid))

    def with_credit(self, amount: int) -> Ledger:
        """A credit note lowers what the invoice asks for; never below nothing."""
        return replace(self, principal=self.principal - min(amount, self.principal))

    def with_charges(self, fees: int = 0, interest: int = 0) -> Ledger:
        return replace(self, fees=self.fees + fees, interest=self.interest + interest)
