"""Importing and assigning over in-memory ports: resumed work, fresh balances, tenant boundaries, reversals."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

import pytest

from chalicelib.adapters.bank.statements import parse_statement
from chalicelib.domain.bank_statements import Allocation, BankEntry, EntryKind, EntryStatus
from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.errors import (
    AlreadyDoneError,
    ClaimNotFoundError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from chalicelib.domain.ladder import DEFAULT_LADDER
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.payment_reference import new_reference
from chalicelib.domain.segmentation import Segment
from chalicelib.services import bank_statements
from chalicelib.services.bank_statements import assign_entry, import_statement
from chalicelib.services.payments import MoneyPorts
from chalicelib.services.ports import EntryPage, Page, PaymentRecord
from infra.local.bank_files import statement_file

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chalicelib.services.ports import ClaimRepository, PaymentRepository

pytestmark = pytest.mark.unit

EPOCH = datetime(2026, 3, 4, tzinfo=UTC)


def mt940(*bookings: tuple[int, str, str]) -> bytes:
    """A minimal German MT940 file: (amount in cents, purpose, payer name) per credit."""
    return mt940_file(*(booking("C", amount, f"?20{purpose}?32{name}") for amount, purpose, name in bookings))


def booking(mark: str, amount: int, details: str) -> tuple[str, int, str]:
    """One :61: booking with its DK :86: subfields; `mark` C (credit), RC (reversal of a credit) or RD."""
    return mark, amount, details


def mt940_file(*bookings: tuple[str, int, str], day: int = 3) -> bytes:
    """Statement STARTUMSE of one account, opening at 100.00 and closing at what its bookings leave."""
    lines = [":20:STARTUMSE", ":25:37040044/0532013000", f":28C:000{day:02d}/001", ":60F:C260302EUR100,00"]
    closing = 10000
    for number, (mark, amount, details) in enumerate(bookings):
        lines.append(f":61:2603{day:02d}03{day:02d}{mark}{amount // 100},{amount % 100:02d}NTRFNONREF//B{day}{number}")
        lines.append(f":86:166?00GUTSCHR. UEBERWEISUNG{details}")
        closing += amount if mark in {"C", "RD"} else -amount
    return "\n".join([*lines, f":62F:C2603{day:02d}EUR{closing // 100},{closing % 100:02d}", "-"]).encode()


def claim(claim_id: str, balance: int, tenant_id: str = "demo", name: str = "Erika Mustermann") -> Claim:
    return Claim(
        claim_id=claim_id,
        tenant_id=tenant_id,
        external_id=f"INV-{claim_id}",
        debtor=Debtor(name, "erika@example.com", "+4915112345678", "de", DebtorKind.CONSUMER, "DE"),
        ledger=Ledger("EUR", principal=balance),
        due_date=date(2026, 2, 1),
        segment=Segment.NEW,
        stages=DEFAULT_LADDER.stages,
        schedule_anchor=EPOCH,
        payment_reference=new_reference(),
        created_at=EPOCH,
        status=Status.DUNNING,
    )


class InMemoryClaims:
    def __init__(self, *claims: Claim) -> None:
        self.claims = {c.claim_id: c for c in claims}
        self.payments: dict[tuple[str, str], PaymentRecord] = {}

    def get(self, claim_id: str, tenant_id: str | None = None) -> Claim:
        found = self.claims.get(claim_id)
        if found is None or (tenant_id is not None and found.tenant_id != tenant_id):
            raise ClaimNotFoundError(claim_id)
        return found

    def find_by_payment_reference(self, reference: str) -> str | None:
        return next((c.claim_id for c in self.claims.values() if c.payment_reference == reference), None)

    def page(self, tenant_id: str, status: str | None, cursor: str | None, limit: int) -> Page:
        items = [c for c in self.claims.values() if c.tenant_id == tenant_id and c.status == status]
        return Page(items=items, cursor=None)

    def apply_payment(self, claim: Claim, payment: PaymentRecord, events: list[Any]) -> Claim:
        if (claim.claim_id, payment.payment_key) in self.payments:
            raise AlreadyDoneError(payment.payment_key)
        self.payments[(claim.claim_id, payment.payment_key)] = payment
        self.claims[claim.claim_id] = claim
        return claim

    def paid(self, claim_id: str) -> int:
        return self.claims[claim_id].ledger.paid


class InMemoryEntries:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], BankEntry] = {}
        self.statements: dict[tuple[str, str], str] = {}
        self.filed: dict[tuple[str, str], list[str]] = {}

    def get(self, tenant_id: str, entry_id: str) -> BankEntry | None:
        return self.entries.get((tenant_id, entry_id))

    def add(self, entry: BankEntry) -> bool:
        if entry.kind == EntryKind.CREDIT:
            for key in entry.entry.credit.transfer_keys():
                filed = self.filed.setdefault((entry.tenant_id, key), [])
                filed += [] if entry.entry_id in filed else [entry.entry_id]
        if (entry.tenant_id, entry.entry_id) in self.entries:
            return False
        self.entries[(entry.tenant_id, entry.entry_id)] = entry
        return True

    def credits_sharing(self, tenant_id: str, transfer_keys: Sequence[str]) -> list[str]:
        found: list[str] = []
        for key in transfer_keys:
            found += [entry_id for entry_id in self.filed.get((tenant_id, key), []) if entry_id not in found]
        return found

    def start_applying(
        self, tenant_id: str, entry_id: str, allocations: tuple[Allocation, ...], method: str
    ) -> BankEntry:
        entry = self.entries[(tenant_id, entry_id)]
        if entry.status != EntryStatus.REVIEW:
            raise ConflictError(entry_id)
        applying = replace(entry, status=EntryStatus.APPLYING, allocations=allocations, method=method)
        self.entries[(tenant_id, entry_id)] = applying
        return applying

    def finish(self, tenant_id: str, entry_id: str, status: EntryStatus) -> BankEntry:
        done = replace(self.entries[(tenant_id, entry_id)], status=status)
        self.entries[(tenant_id, entry_id)] = done
        return done

    def review_page(self, tenant_id: str, cursor: str | None, limit: int) -> EntryPage:
        items = [e for (t, _), e in self.entries.items() if t == tenant_id and e.status == EntryStatus.REVIEW]
        return EntryPage(items=items, cursor=None)

    def statement_imported(self, tenant_id: str, digest: str) -> str | None:
        return self.statements.get((tenant_id, digest))

    def remember_statement(self, tenant_id: str, digest: str, statement_id: str) -> None:
        self.statements[(tenant_id, digest)] = statement_id


class IdleWorkflow:
    def __init__(self) -> None:
        self.started: list[tuple[str, int]] = []

    def start(self, claim_id: str, tenant_id: str, generation: int = 0) -> str:
        self.started.append((claim_id, generation))
        return claim_id

    def notify(self, task_token: str, event: dict[str, Any]) -> bool:
        return False

    def status(self, claim_id: str, generation: int = 0) -> str | None:
        return "RUNNING" if (claim_id, generation) in self.started else None

    def stop(self, claim_id: str, generation: int, cause: str) -> None:
        pass


def money_over(claims: InMemoryClaims, workflow: IdleWorkflow | None = None) -> MoneyPorts:
    # The fake holds only what importing touches of the claims and payments ports.
    return MoneyPorts(
        cast("ClaimRepository", claims),
        cast("PaymentRepository", claims),
        workflow or IdleWorkflow(),
        VirtualClock(86400, EPOCH),
    )


def run_import(
    content: bytes,
    claims: InMemoryClaims,
    entries: InMemoryEntries,
    tenant: str = "demo",
    workflow: IdleWorkflow | None = None,
) -> Any:
    return import_statement(tenant, content, parse_statement, entries, money_over(claims, workflow))


def run_assign(entry_id: str, target: Any, claims: InMemoryClaims, entries: InMemoryEntries) -> Any:
    return assign_entry("demo", entry_id, target, entries, money_over(claims))


def reviewed(entries: InMemoryEntries) -> list[BankEntry]:
    return [e for e in entries.entries.values() if e.status == EntryStatus.REVIEW]


def test_a_debtor_paying_the_same_invoice_twice_in_one_file_sends_the_second_to_review() -> None:
    # GIVEN one open claim of 49.90 and a file with two 49.90 transfers by its debtor, neither with a reference
    claims, entries = InMemoryClaims(claim("A", 4990)), InMemoryEntries()
    content = mt940((4990, "Bestellung 10042", "Erika Mustermann"), (4990, "Bestellung 10042 nochmal", "E. Mustermann"))
    # WHEN it is imported
    summary = run_import(content, claims, entries)
    # THEN the first pays the claim, and the second no longer sees an open balance of 49.90: it waits for review
    assert (summary.matched, summary.unmatched) == (1, 1)
    assert claims.claims["A"].status == Status.PAID
    assert claims.paid("A") == 4990


def test_an_import_stopped_after_deciding_is_finished_as_decided_by_the_next_import() -> None:
    # GIVEN a file whose entry was stored as being applied to claim A when the import stopped
    target = claim("A", 4990)
    claims, entries = InMemoryClaims(target), InMemoryEntries()
    content = mt940((4990, f"Rechnung {target.payment_reference}", "Erika Mustermann"))
    first = run_import(content, claims, entries)
    stored = next(iter(entries.entries.values()))
    entries.entries[(stored.tenant_id, stored.entry_id)] = replace(stored, status=EntryStatus.APPLYING)
    entries.statements.clear()
    # WHEN the file is imported again
    again = run_import(content, claims, entries)
    # THEN the entry is finished without moving money a second time
    assert first.matched == again.matched == 1
    assert claims.paid("A") == 4990
    assert len(claims.payments) == 1
    assert entries.get(stored.tenant_id, stored.entry_id).status == EntryStatus.MATCHED  # type: ignore[union-attr]


def test_another_tenants_reference_in_the_text_is_no_reference_for_this_tenant() -> None:
    theirs = claim("X", 4990, tenant_id="other")
    claims, entries = InMemoryClaims(theirs), InMemoryEntries()
    summary = run_import(mt940((4990, f"Rechnung {theirs.payment_reference}", "Erika Mustermann")), claims, entries)
    assert (summary.matched, summary.unmatched) == (0, 1)
    assert claims.paid("X") == 0


def test_too_many_open_claims_turn_name_matching_off_rather_than_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bank_statements, "MAX_FUZZY_CANDIDATES", 1)
    claims = InMemoryClaims(claim("A", 4990), claim("B", 1000, name="Max Beispiel"))
    summary = run_import(mt940((4990, "Bestellung 10042", "Erika Mustermann")), claims, InMemoryEntries())
    assert summary.unmatched == 1
    assert claims.paid("A") == 0


def test_an_interrupted_assignment_is_finished_by_sending_it_again_and_refused_if_different() -> None:
    # GIVEN an entry on the review list, and an assignment to A that stopped after it was decided
    claims, entries = InMemoryClaims(claim("A", 4990), claim("B", 4990)), InMemoryEntries()
    run_import(mt940((1730, "Erstattung", "Allianz Versicherungs-AG")), claims, entries)
    entry_id = next(iter(entries.entries.values())).entry_id
    entries.start_applying("demo", entry_id, (Allocation("A", 1730),), "manual")
    # WHEN another assignment arrives it is refused; the same one again finishes the first
    with pytest.raises(ConflictError):
        run_assign(entry_id, "B", claims, entries)
    assignment = run_assign(entry_id, "A", claims, entries)
    assert assignment.entry.status == EntryStatus.ASSIGNED
    assert (claims.paid("A"), claims.paid("B")) == (1730, 0)
    with pytest.raises(ConflictError):
        run_assign(entry_id, "A", claims, entries)


def test_assigning_an_unknown_entry_or_to_another_tenants_claim_is_not_found() -> None:
    claims, entries = InMemoryClaims(claim("X", 4990, tenant_id="other")), InMemoryEntries()
    run_import(mt940((1730, "Erstattung", "Allianz Versicherungs-AG")), claims, entries)
    entry_id = next(iter(entries.entries.values())).entry_id
    with pytest.raises(NotFoundError):
        run_assign("no-such-entry", "X", claims, entries)
    with pytest.raises(NotFoundError):
        run_assign(entry_id, "X", claims, entries)
    assert entries.get("demo", entry_id).status == EntryStatus.REVIEW  # type: ignore[union-attr]


# Reversals


def test_a_reversal_of_the_credit_that_paid_a_claim_reopens_it_and_restarts_its_dunning() -> None:
    # GIVEN a claim paid in full by a transfer that carried an end-to-end id
    claims, entries, workflow = InMemoryClaims(claim("A", 4990)), InMemoryEntries(), IdleWorkflow()
    paid = claims.claims["A"]
    credit = booking("C", 4990, f"?20EREF+E2E-4711?21SVWZ+Rechnung {paid.payment_reference}?32Erika Mustermann")
    run_import(mt940_file(credit), claims, entries)
    assert claims.claims["A"].status == Status.PAID
    # WHEN a later statement books its reversal (RC), naming the same end-to-end id and no reference
    reversal = mt940_file(booking("RC", 4990, "?20EREF+E2E-4711?21SVWZ+Rueckbuchung?32Erika Mustermann"), day=10)
    summary = run_import(reversal, claims, entries, workflow=workflow)
    # THEN the money is taken back from the claim the credit paid: it is due again (open: no stage had gone
    # out yet) and dunned in a fresh run
    after = claims.claims["A"]
    assert (after.status, after.ledger.paid, after.ledger.balance, after.reopened) == (Status.OPEN, 0, 4990, 1)
    assert [(r.claim_id, r.amount, r.method) for r in summary.reversals] == [("A", 4990, "reversed_credit")]
    assert workflow.started == [("A", 1000)]
    stored = next(e for e in entries.entries.values() if e.kind == EntryKind.REVERSAL)
    assert stored.status == EntryStatus.MATCHED
    assert stored.reverses == next(e.entry_id for e in entries.entries.values() if e.kind == EntryKind.CREDIT)
    # AND the same reversal imported again, in this file or in an overlapping one, changes nothing
    again = run_import(reversal, claims, entries)
    overlapping = run_import(reversal.replace(b":28C:00010/001", b":28C:00011/001"), claims, entries)
    assert again.duplicate
    assert (overlapping.duplicates, overlapping.reversals) == (1, [])
    assert claims.claims["A"] == after
    assert len([p for p in claims.payments.values() if p.payment_key.startswith("bank#")]) == 2


def test_a_reversal_whose_text_names_the_claim_takes_the_money_back_from_it() -> None:
    claims, entries = InMemoryClaims(claim("A", 4990)), InMemoryEntries()
    reference = claims.claims["A"].payment_reference
    run_import(mt940((4990, f"Rechnung {reference}", "Erika Mustermann")), claims, entries)
    text = f"?20SVWZ+Rueckgabe Rechnung {reference}?32Erika Mustermann"
    summary = run_import(mt940_file(booking("RC", 4990, text), day=10), claims, entries)
    assert [(r.claim_id, r.method) for r in summary.reversals] == [("A", "reference")]
    assert claims.claims["A"].ledger.balance == 4990


@pytest.mark.parametrize(
    ("credits", "reversal_text", "reason"),
    [
        ([], "?20SVWZ+Rueckbuchung?32Erika Mustermann", "no imported credit"),
        (["?20EREF+E2E-1?32Erika Mustermann", "?20EREF+E2E-1?32E. Mustermann"], "?20EREF+E2E-1", "several"),
    ],
)
def test_a_reversal_that_cannot_be_tied_to_one_credit_waits_for_review_and_moves_no_money(
    credits: list[str], reversal_text: str, reason: str
) -> None:
    # GIVEN a claim paid in full, and maybe credits of the same amount that share an end-to-end id
    claims, entries = InMemoryClaims(claim("A", 4990)), InMemoryEntries()
    run_import(mt940_file(*(booking("C", 4990, text) for text in credits)), claims, entries)
    claims.claims["A"] = replace(claims.claims["A"], ledger=Ledger("EUR", principal=4990, paid=4990))
    before = claims.claims["A"]
    # WHEN a reversal arrives that names no claim and whose credit is not certain
    summary = run_import(mt940_file(booking("RC", 4990, reversal_text), day=10), claims, entries)
    # THEN it waits on the review list as a reversal, with the reason, and no claim changed
    [waiting] = [e for e in reviewed(entries) if e.kind == EntryKind.REVERSAL]
    assert reason in (waiting.review_reason or "")
    assert (summary.unmatched, summary.reversals) == (1, [])
    assert claims.claims["A"] == before


def test_a_reversal_on_the_review_list_is_assigned_by_taking_the_money_back_from_the_claim() -> None:
    claims, entries = InMemoryClaims(claim("A", 4990), claim("B", 1000, name="Max Beispiel")), InMemoryEntries()
    claims.claims["A"] = replace(
        claims.claims["A"], ledger=Ledger("EUR", principal=4990, paid=4990), status=Status.PAID
    )
    run_import(mt940_file(booking("RC", 4990, "?20SVWZ+Rueckbuchung"), day=10), claims, entries)
    [waiting] = reviewed(entries)
    # a claim on which less was paid than the reversal takes back is refused, and nothing moves
    with pytest.raises(InvalidInputError, match="cannot give back"):
        run_assign(waiting.entry_id, "B", claims, entries)
    assignment = run_assign(waiting.entry_id, "A", claims, entries)
    assert assignment.entry.status == EntryStatus.ASSIGNED
    assert (claims.claims["A"].status, claims.claims["A"].ledger.balance) == (Status.OPEN, 4990)
    assert claims.claims["B"].ledger.paid == 0


def test_a_reversed_debit_is_left_out_with_its_reason_and_never_reaches_the_review_list() -> None:
    claims, entries = InMemoryClaims(claim("A", 11781, name="Kontist GmbH")), InMemoryEntries()
    summary = run_import(mt940_file(booking("RD", 11781, "?20Rueckgabe Lastschrift?32Kontist GmbH")), claims, entries)
    assert (summary.entries, summary.matched, summary.unmatched) == (0, 0, 0)
    assert [(s.amount, "reversal of a debit" in s.reason) for s in summary.skipped] == [(11781, True)]
    assert entries.entries == {}
    assert claims.paid("A") == 0


def test_a_credit_whose_transaction_details_do_not_add_up_waits_for_review_though_it_names_a_claim() -> None:
    # GIVEN a CAMT transfer of 49.90 whose transaction detail claims 4990.00 and names the claim's reference
    target = claim("A", 4990)
    claims, entries = InMemoryClaims(target), InMemoryEntries()
    content = statement_file("camt053_001_02.xml", REF1=target.payment_reference, AMOUNT1=4990)
    content = re.sub(rb'(<TxAmt>\s*<Amt Ccy="EUR">)49\.90', rb"\g<1>4990.00", content, count=1)
    # WHEN it is imported
    summary = run_import(content, claims, entries)
    # THEN no money moves: the booked 49.90 waits for a person, who sees why
    assert claims.paid("A") == 0
    assert summary.payments == []
    [flagged] = [e for e in reviewed(entries) if e.entry.credit.doubt]
    assert flagged.entry.amount == 4990
    assert flagged.review_reason == "its transaction details add up to 4990.00 EUR, but the bank booked 49.90 EUR"
