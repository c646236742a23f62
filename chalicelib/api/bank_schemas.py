"""Request and response bodies of the bank statement API: imports, the review list, assignments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.contracts.strict import MinorUnits, StrictModel
from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from chalicelib.domain.bank_statements import BankEntry, Skipped
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
    amount: int = Field(description="minor units applied to the claim (for a reversal: taken back from it)")
    entry_id: str = Field(description="the bank entry the money came from (or went back with)")
    method: Literal["reference", "name_amount", "reversed_credit", "manual"] = Field(
        description="reversed_credit: a reversal taken back from the claims the credit it reverses had paid"
    )
    balance: int = Field(description="the claim's balance after the payment, minor units")
    claim_status: str

    @classmethod
    def of(cls, payment: AppliedPayment) -> PaymentOut:
        return cls(
            claim_id=payment.claim_id,
            amount=payment.amount,
            entry_id=payment.entry_id,
            method=payment.method,  # type: ignore[arg-type]  # set by the service from the same four values
            balance=payment.balance,
            claim_status=payment.claim_status,
        )


class SkippedOut(_Out):
    amount: int = Field(description="minor units")
    currency: str
    booking_date: date | None
    bank_reference: str | None
    reason: str = Field(description="why the booking is no debtor's payment (a returned transfer, a zero booking)")

    @classmethod
    def of(cls, skipped: Skipped) -> SkippedOut:
        return cls(
            amount=skipped.amount,
            currency=skipped.currency,
            booking_date=skipped.booking_date,
            bank_reference=skipped.bank_reference,
            reason=skipped.reason,
        )


class ImportSummaryOut(_Out):
    statement_id: str
    format: str = Field(description="camt.053.001.02 … camt.053.001.13, or mt940")
    duplicate: bool = Field(description="the same file was imported before; nothing changed")
    entries: int = Field(
        description="credit and reversal entries in the file (debits, pending and skipped bookings are not counted)"
    )
    matched: int = Field(description="entries applied automatically: credits paid, reversals taken back")
    unmatched: int = Field(description="entries put on the review list")
    duplicates: int = Field(description="entries imported before, from this or an overlapping file")
    payments: list[PaymentOut]
    reversals: list[PaymentOut] = Field(description="money taken back from claims by reversals of earlier credits")
    skipped: list[SkippedOut] = Field(description="bookings on the money-in side that are no debtor's payment")

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
            reversals=[PaymentOut.of(p) for p in summary.reversals],
            skipped=[SkippedOut.of(s) for s in summary.skipped],
        )


class BankEntryOut(_Out):
    id: str
    kind: Literal["credit", "reversal"] = Field(description="reversal: the bank took back (part of) an earlier credit")
    amount: int = Field(description="minor units (for a reversal: the money taken back)")
    currency: str
    booking_date: date
    remittance: str
    debtor_name: str | None
    debtor_iban: str | None
    bank_reference: str | None
    status: Literal["review", "applying", "matched", "assigned"]
    review_reason: str | None = Field(description="why a person must decide; null for a credit that matched nothing")
    reverses: str | None = Field(description="a reversal: the id of the credit entry it takes back")
    statement_id: str

    @classmethod
    def of(cls, entry: BankEntry) -> BankEntryOut:
        credit = entry.entry.credit
        return cls(
            id=entry.entry_id,
            kind=str(entry.kind),  # type: ignore[arg-type]  # EntryKind has exactly these values
            amount=credit.amount,
            currency=credit.currency,
            booking_date=credit.booking_date,
            remittance=credit.remittance,
            debtor_name=credit.debtor_name,
            debtor_iban=credit.debtor_iban,
            bank_reference=credit.bank_reference,
            status=str(entry.status),  # type: ignore[arg-type]  # EntryStatus has exactly these values
            review_reason=entry.review_reason,
            reverses=entry.reverses,
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
