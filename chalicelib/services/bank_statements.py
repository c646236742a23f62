"""Bank statements in: each credit is matched to claims and paid through record_payment, or kept for review.

A reversal (the bank took back a credit) goes out of the claims the reversed credit paid, through
record_reversal, which re-opens a paid claim and restarts its dunning; one that cannot be tied to that
credit with confidence waits for review like an unmatched credit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from chalicelib.domain.bank_matching import find_references, match_entry
from chalicelib.domain.bank_reversals import match_reversal
from chalicelib.domain.bank_statements import Allocation, BankEntry, EntryKind, EntryStatus, Skipped
from chalicelib.domain.claim import PAYABLE
from chalicelib.domain.errors import ClaimNotFoundError, ConflictError, InvalidInputError, NotFoundError
from chalicelib.observability import count, logger
from chalicelib.services.payments import record_payment, record_reversal
from chalicelib.services.ports import PaymentRecord

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from chalicelib.domain.bank_statements import StatementEntry
    from chalicelib.domain.claim import Claim
    from chalicelib.services.payments import MoneyPorts
    from chalicelib.services.ports import (
        BankEntryRepository,
        ClaimRepository,
        EntryPage,
        StatementParser,
        StatementStore,
        TenantRepository,
    )

MANUAL = "manual"
REVERSAL_KIND = "bank_reversal"  # the kind of payment.reversed a bank reversal writes on the timeline
MAX_FUZZY_CANDIDATES = 5000  # beyond this, name-and-amount matching is off for the import: all goes to review
_PAGE = 100


@dataclass(frozen=True)
class AppliedPayment:
    claim_id: str
    amount: int
    entry_id: str
    method: str
    balance: int  # the claim's balance after the payment
    claim_status: str


@dataclass(frozen=True)
class ImportSummary:
    statement_id: str
    format: str
    duplicate: bool  # the same file was imported before: nothing changed
    entries: int  # credit and reversal entries in the file
    matched: int  # applied automatically: credits paid to claims, reversals taken back from them
    unmatched: int  # new on the review list
    duplicates: int  # entries imported before (from this file or an overlapping one)
    payments: list[AppliedPayment]
    reversals: list[AppliedPayment] = field(default_factory=list)  # money taken back, `amount` > 0
    skipped: tuple[Skipped, ...] = ()  # bookings on the money-in side that are no debtor's payment


@dataclass(frozen=True)
class Assignment:
    entry: BankEntry
    payments: list[AppliedPayment]


def import_statement(
    tenant_id: str, content: bytes, parse: StatementParser, entries: BankEntryRepository, money: MoneyPorts
) -> ImportSummary:
    """Import a CAMT.053 or MT940 file for the tenant; the same file again is reported as a duplicate."""
    statement = parse(content)
    digest = hashlib.sha256(content).hexdigest()
    total = len(statement.entries)
    if entries.statement_imported(tenant_id, digest) is not None:
        return ImportSummary(statement.statement_id, statement.format, True, total, 0, 0, total, [])
    run = _Import(tenant_id, statement.statement_id, entries, money)
    for entry in statement.entries:
        run.book(entry)
    # Only a file whose every entry is booked counts as imported: a crash before this line imports it again.
    entries.remember_statement(tenant_id, digest, statement.statement_id)
    logger.info("bank statement imported", tenant_id=tenant_id, matched=run.matched, unmatched=run.unmatched)
    count("BankEntriesMatched", run.matched)
    count("BankEntriesUnmatched", run.unmatched)
    return ImportSummary(
        statement.statement_id,
        statement.format,
        False,
        total,
        run.matched,
        run.unmatched,
        run.duplicates,
        run.payments,
        run.reversals,
        statement.skipped,
    )


def import_uploaded_object(
    bucket: str,
    key: str,
    store: StatementStore,
    tenants: TenantRepository,
    parse: StatementParser,
    entries: BankEntryRepository,
    money: MoneyPorts,
) -> ImportSummary:
    """A file uploaded as `<tenant_id>/<file name>`: the key's first segment says whose statement it is."""
    tenant_id, _, name = key.partition("/")
    if not tenant_id or not name:
        raise InvalidInputError("key", f"'{key}' is not '<tenant_id>/<file name>'")
    tenants.get(tenant_id)  # TenantNotFoundError: nobody's file is imported into nobody's claims
    return import_statement(tenant_id, store.read(bucket, key), parse, entries, money)


def list_unmatched(tenant_id: str, cursor: str | None, limit: int, entries: BankEntryRepository) -> EntryPage:
    return entries.review_page(tenant_id, cursor, limit)


def assign_entry(
    tenant_id: str,
    entry_id: str,
    allocations: str | Sequence[tuple[str, int]],
    entries: BankEntryRepository,
    money: MoneyPorts,
) -> Assignment:
    """Apply a reviewed entry to one claim (its whole amount) or split over several, through the one money path.

    A credit pays the claims; a reversal takes its money back from them. The movements are keyed by the
    entry, so an assignment can be applied only once; one that was interrupted is finished by sending the
    same assignment again.
    """
    stored = entries.get(tenant_id, entry_id)
    if stored is None:
        raise NotFoundError(f"no unmatched payment {entry_id}")
    wanted = _requested(stored, allocations)
    if stored.status == EntryStatus.APPLYING and stored.method == MANUAL and stored.allocations == wanted:
        finished, payments, _ = _apply(stored, entries, money)
        return Assignment(finished, payments)
    if stored.status != EntryStatus.REVIEW:
        raise ConflictError(f"payment {entry_id} is {stored.status} already")
    for allocation in wanted:
        claim = money.claims.get(allocation.claim_id, tenant_id)  # another tenant's claim: ClaimNotFoundError
        if claim.ledger.currency != stored.entry.currency:
            raise InvalidInputError(
                "claim_id", f"the claim is in {claim.ledger.currency}, the payment in {stored.entry.currency}"
            )
        if stored.kind == EntryKind.REVERSAL and claim.ledger.paid < allocation.amount:
            paid, taken = claim.ledger.paid, allocation.amount
            raise InvalidInputError("claim_id", f"claim {claim.claim_id} was paid {paid}: it cannot give back {taken}")
    pending = entries.start_applying(tenant_id, entry_id, wanted, MANUAL)
    finished, payments, _ = _apply(pending, entries, money)
    logger.info("bank entry assigned", tenant_id=tenant_id, entry_id=entry_id, claims=len(payments))
    return Assignment(finished, payments)


class _Import:
    """One statement's entries, booked in order; open claims are read once, and only if a credit needs them."""

    def __init__(self, tenant_id: str, statement_id: str, entries: BankEntryRepository, money: MoneyPorts) -> None:
        self.tenant_id = tenant_id
        self.statement_id = statement_id
        self.entries = entries
        self.money = money
        self.matched = self.unmatched = self.duplicates = 0
        self.payments: list[AppliedPayment] = []
        self.reversals: list[AppliedPayment] = []
        self._open: dict[str, Claim] | None = None

    def book(self, entry: StatementEntry) -> None:
        entries = self.entries
        stored = entries.get(self.tenant_id, entry.entry_id)
        if stored is not None:
            if stored.status != EntryStatus.APPLYING:
                self.duplicates += 1
                return
            self._record(stored)  # an import that stopped half-way: finish what it decided
            return
        decided = self._decide(entry, self.money.clock.now())
        if decided.status == EntryStatus.REVIEW:
            added = entries.add(decided)
            self.unmatched += added
            self.duplicates += not added
            return
        if not entries.add(decided):
            self.duplicates += 1  # a concurrent import of an overlapping file took it first
            return
        self._record(decided)

    def _decide(self, entry: StatementEntry, now: datetime) -> BankEntry:
        """The entry as it is to be stored: applying, with what it pays or takes back, or waiting for review."""
        review = BankEntry(self.tenant_id, self.statement_id, entry, EntryStatus.REVIEW, now)
        if entry.credit.doubt:
            return replace(review, review_reason=entry.credit.doubt)
        if entry.kind == EntryKind.REVERSAL:
            return self._decide_reversal(review)
        match = match_entry(entry, self._referenced(entry), self._open_claims)
        if match is None:
            return review
        return _applying(review, match.allocations, match.method, confidence=match.confidence)

    def _decide_reversal(self, review: BankEntry) -> BankEntry:
        entry, entries = review.entry, self.entries
        ids = entries.credits_sharing(self.tenant_id, entry.credit.transfer_keys())
        credits = [entries.get(self.tenant_id, entry_id) for entry_id in ids]
        match = match_reversal(entry, credits, self._referenced(entry))
        if isinstance(match, str):
            return replace(review, review_reason=match)
        return _applying(review, match.allocations, match.method, reverses=match.reverses)

    def _record(self, pending: BankEntry) -> None:
        _, moved, claims = _apply(pending, self.entries, self.money)
        self.matched += 1
        if pending.kind == EntryKind.REVERSAL:
            self.reversals += moved
        else:
            self.payments += moved
        if self._open is not None:
            # Later credits of the same file see the balances this one left (a reversal re-opens claims).
            for claim in claims:
                self._open.pop(claim.claim_id, None)
                if claim.ledger.balance > 0 and claim.status in PAYABLE:
                    self._open[claim.claim_id] = claim

    def _referenced(self, entry: StatementEntry) -> list[Claim]:
        """Claims of this tenant the remittance names; another tenant's reference is no reference here."""
        found = []
        for reference in find_references(entry.search_text):
            claim_id = self.money.claims.find_by_payment_reference(reference)
            if claim_id is None:
                continue
            try:
                found.append(self.money.claims.get(claim_id, self.tenant_id))
            except ClaimNotFoundError:
                continue
        return found

    def _open_claims(self) -> list[Claim]:
        if self._open is None:
            self._open = {claim.claim_id: claim for claim in _read_open_claims(self.tenant_id, self.money.claims)}
        return list(self._open.values())


def _applying(
    review: BankEntry,
    allocations: tuple[Allocation, ...],
    method: str,
    confidence: float | None = None,
    reverses: str | None = None,
) -> BankEntry:
    return replace(
        review,
        status=EntryStatus.APPLYING,
        allocations=allocations,
        method=method,
        confidence=confidence,
        reverses=reverses,
    )


def _read_open_claims(tenant_id: str, claims: ClaimRepository) -> list[Claim]:
    """Every claim of the tenant that can still be paid: one by_tenant_status query per status, paged."""
    found: list[Claim] = []
    # Claims that may still receive money that is due are the candidates for name-and-amount matching.
    for status in PAYABLE:
        cursor: str | None = None
        while True:
            page = claims.page(tenant_id, str(status), cursor, _PAGE)
            found += page.items
            if len(found) > MAX_FUZZY_CANDIDATES:
                logger.warning("too many open claims to match by name and amount", tenant_id=tenant_id)
                return []
            cursor = page.cursor
            if not cursor:
                break
    return found


def _apply(
    pending: BankEntry, entries: BankEntryRepository, money: MoneyPorts
) -> tuple[BankEntry, list[AppliedPayment], list[Claim]]:
    """Record the entry's allocations as payments (a reversal's as reversals), then mark it done.

    The entry was stored as `applying` with its allocations before any money moved, and each movement
    is keyed by the entry: a crash in between is finished by the next import of the file (or the same
    assignment again) exactly as decided, never redone differently, never applied twice.
    """
    credit = pending.entry.credit
    split = len(pending.allocations) > 1
    reversal = pending.kind == EntryKind.REVERSAL
    moved = []
    claims = []
    for number, (claim_id, amount) in enumerate(pending.allocations, start=1):
        record = PaymentRecord(
            payment_key=f"bank#{pending.entry_id}" + (f"#{number}" if split else ""),
            amount=amount,
            currency=credit.currency,
            provider="bank",
            reference=credit.bank_reference,
            paid_at=credit.booking_date.isoformat(),
            data={
                "entry_id": pending.entry_id,
                "remittance": credit.remittance,
                "debtor_name": credit.debtor_name,
                "method": pending.method,
                **({"kind": REVERSAL_KIND, "reverses": pending.reverses} if reversal else {}),
            },
        )
        if reversal:
            outcome = record_reversal(claim_id, pending.tenant_id, record, money)
        else:
            outcome = record_payment(claim_id, pending.tenant_id, record, money)
        claim = outcome.claim
        claims.append(claim)
        moved.append(
            AppliedPayment(
                claim_id, amount, pending.entry_id, pending.method or "", claim.ledger.balance, str(claim.status)
            )
        )
    done = EntryStatus.ASSIGNED if pending.method == MANUAL else EntryStatus.MATCHED
    return entries.finish(pending.tenant_id, pending.entry_id, done), moved, claims


def _requested(stored: BankEntry, allocations: str | Sequence[tuple[str, int]]) -> tuple[Allocation, ...]:
    amount = stored.entry.amount
    if isinstance(allocations, str):
        return (Allocation(allocations, amount),)
    wanted = tuple(Allocation(claim_id, share) for claim_id, share in allocations)
    if not wanted:
        raise InvalidInputError("allocations", "name at least one claim")
    if len({a.claim_id for a in wanted}) != len(wanted):
        raise InvalidInputError("allocations", "name each claim once")
    if any(a.amount <= 0 for a in wanted):
        raise InvalidInputError("allocations", "every amount must be a positive integer in minor units")
    if sum(a.amount for a in wanted) != amount:
        raise InvalidInputError("allocations", f"the amounts must add up to the payment's {amount}")
    return wanted
