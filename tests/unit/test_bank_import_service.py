"""The import and assignment use cases over in-memory ports: resumed work, fresh balances, tenant boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

import pytest

from chalicelib.adapters.bank.statements import parse_statement
from chalicelib.domain.bank_statements import Allocation, BankEntry, EntryStatus
from chalicelib.domain.claim import Claim, Debtor, DebtorKind, Status
from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.errors import AlreadyDoneError, ClaimNotFoundError, ConflictError, NotFoundError
from chalicelib.domain.ladder import DEFAULT_LADDER
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.payment_reference import new_reference
from chalicelib.domain.segmentation import Segment
from chalicelib.services import bank_statements
from chalicelib.services.bank_statements import assign_entry, import_statement
from chalicelib.services.payments import MoneyPorts
from chalicelib.services.ports import EntryPage, Page, PaymentRecord

if TYPE_CHECKING:
    from chalicelib.services.ports import ClaimRepository, PaymentRepository

pytestmark = pytest.mark.unit

EPOCH = datetime(2026, 3, 4, tzinfo=UTC)


def mt940(*bookings: tuple[int, str, str]) -> bytes:
    """A minimal German MT940 file: (amount in cents, purpose, payer name) per credit."""
    lines = [":20:STARTUMSE", ":25:37040044/0532013000", ":28C:00061/001", ":60F:C260302EUR100,00"]
    for number, (amount, purpose, name) in enumerate(bookings):
        lines.append(f":61:2603030303CR{amount // 100},{amount % 100:02d}NTRFNONREF//B{number}")
        lines.append(f":86:166?00GUTSCHR. UEBERWEISUNG?20{purpose}?32{name}")
    return "\n".join([*lines, ":62F:C260303EUR100,00", "-"]).encode()


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

    def get(self, tenant_id: str, entry_id: str) -> BankEntry | None:
        return self.entries.get((tenant_id, entry_id))

    def add(self, entry: BankEntry) -> bool:
        if (entry.tenant_id, entry.entry_id) in self.entries:
            return False
        self.entries[(entry.tenant_id, entry.entry_id)] = entry
        return True

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
    def start(self, claim_id: str, tenant_id: str, generation: int = 0) -> str:
        return claim_id

    def notify(self, task_token: str, event: dict[str, Any]) -> bool:
        return False


def money_over(claims: InMemoryClaims) -> MoneyPorts:
    # The fake holds only what importing touches of the claims and payments ports.
    return MoneyPorts(
        cast("ClaimRepository", claims),
        cast("PaymentRepository", claims),
        IdleWorkflow(),
        VirtualClock(86400, EPOCH),
    )


def run_import(content: bytes, claims: InMemoryClaims, entries: InMemoryEntries, tenant: str = "demo") -> Any:
    return import_statement(tenant, content, parse_statement, entries, money_over(claims))


def run_assign(entry_id: str, target: Any, claims: InMemoryClaims, entries: InMemoryEntries) -> Any:
    return assign_entry("demo", entry_id, target, entries, money_over(claims))


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
