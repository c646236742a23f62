"""Request and response bodies of the bank statement API: imports, the review list, assignments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.contracts.strict import MinorUnits, StrictModel
from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from chalicelib.domain.bank_statements import BankEntry
    from chalicelib.services.bank_statements import AppliedPayment, Assignment, ImportSummary

ClaimId = Annotated[str, Field(min_length=1, max_length=64, description="the claim's id as returned by /v1/claims")]
MAX_ALLOCATIONS = 50


class _Out(BaseModel):
    """Responses: exact and strict, but not StrictModel: stored text (a bank's remittance lines) is sent as it is."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class AllocationIn(StrictModel):
    claim_id: ClaimId
    amount: MinorUnits


class AssignIn(StrictModel):
    """Either one claim (it receives the whole amount) or a split whose amounts add up to the payment."""

    claim_id: ClaimId | None = None
    allocations: Annotated[list[AllocationIn], Field(min_length=1, max_length=MAX_ALLOCATIONS)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> AssignIn:
        if (self.claim_id is None) == (self.allocations is None):
            raise InvalidInputError("body", "send either 'claim_id' or 'allocations'")
        return self

    def target(self) -> str | list[tuple[str, int]]:
        if self.claim_id is not None:
            return self.claim_id
        return [(a.claim_id, a.amount) for a in self.allocations or []]


class PaymentOut(_Out):
    claim_id: str
    amount: int = Field(description="minor units applied to the claim")
    entry_id: str = Field(description="the bank entry the money came from")
    method: Literal["reference", "name_amount", "manual"]
    balance: int = Field(description="the claim's balance after the payment, minor units")
    claim_status: str

    @classmethod
    def of(cls, payment: AppliedPayment) -> PaymentOut:
        return cls(
            claim_id=payment.claim_id,
            amount=payment.amount,
            entry_id=payment.entry_id,
            method=payment.method,  # type: ignore[arg-type]  # set by the service from the same three values
            balance=payment.balance,
            claim_status=payment.claim_status,
        )


class ImportSummaryOut(_Out):
    statement_id: str
    format: str = Field(description="camt.053.001.02 … camt.053.001.08, or mt940")
    duplicate: bool = Field(description="the same file was imported before; nothing changed")
    entries: int = Field(description="credit entries in the file (debits and pending entries are not counted)")
    matched: int
    unmatched: int = Field(description="entries put on the review list")
    duplicates: int = Field(description="entries imported before, from this or an overlapping file")
    payments: list[PaymentOut]

    @classmethod
    def of(cls, summary: ImportSummary) -> ImportSummaryOut:
        return cls(
            statement_id=summary.statement_id,
            format=summary.format,
            duplicate=summary.duplicate,
            entries=summary.entries,
            matched=summary.matched,
            unmatched=summary.unmatched,
            duplicates=summary.duplicates,
            payments=[PaymentOut.of(p) for p in summary.payments],
        )


class BankEntryOut(_Out):
    id: str
    amount: int = Field(description="minor units")
    currency: str
    booking_date: date
    remittance: str
    debtor_name: str | None
    debtor_iban: str | None
    bank_reference: str | None
    status: Literal["review", "applying", "matched", "assigned"]
    statement_id: str

    @classmethod
    def of(cls, entry: BankEntry) -> BankEntryOut:
        credit = entry.entry.credit
        return cls(
            id=entry.entry_id,
            amount=credit.amount,
            currency=credit.currency,
            booking_date=credit.booking_date,
            remittance=credit.remittance,
            debtor_name=credit.debtor_name,
            debtor_iban=credit.debtor_iban,
            bank_reference=credit.bank_reference,
            status=str(entry.status),  # type: ignore[arg-type]  # EntryStatus has exactly these values
            statement_id=entry.statement_id,
        )


class UnmatchedPageOut(_Out):
    items: list[BankEntryOut]
    next_cursor: str | None


class AssignmentOut(_Out):
    entry: BankEntryOut
    payments: list[PaymentOut]

    @classmethod
    def of(cls, assignment: Assignment) -> AssignmentOut:
        return cls(entry=BankEntryOut.of(assignment.entry), payments=[PaymentOut.of(p) for p in assignment.payments])
