"""Ports of bank statements: the imported entries, the uploaded files, and the parser that reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain.bank_statements import BankEntry

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chalicelib.domain.bank_statements import Allocation, EntryStatus, Statement


@dataclass(frozen=True)
class EntryPage:
    items: list[BankEntry]
    cursor: str | None


class BankEntryRepository(Protocol):
    """Credit and reversal entries of imported bank statements, and which statement files were imported."""

    def get(self, tenant_id: str, entry_id: str) -> BankEntry | None: ...
    def add(self, entry: BankEntry) -> bool:
        """Store a new entry; False when it exists already (imported before, or by a concurrent import).

        A credit is also filed under its transfer keys (Credit.transfer_keys), for the reversal that may follow.
        """
        ...

    def credits_sharing(self, tenant_id: str, transfer_keys: Sequence[str]) -> list[str]:
        """Ids of the tenant's imported credits filed under any of these keys: what a reversal may take back."""
        ...

    def start_applying(
        self, tenant_id: str, entry_id: str, allocations: tuple[Allocation, ...], method: str
    ) -> BankEntry:
        """Take an entry off the review list to apply it: only if it still waits for review (ConflictError)."""
        ...

    def finish(self, tenant_id: str, entry_id: str, status: EntryStatus) -> BankEntry:
        """Mark an applying entry matched or assigned once its payments are recorded."""
        ...

    def review_page(self, tenant_id: str, cursor: str | None, limit: int) -> EntryPage: ...
    def statement_imported(self, tenant_id: str, digest: str) -> str | None:
        """The statement id of a file with this sha256 imported before, or None."""
        ...

    def remember_statement(self, tenant_id: str, digest: str, statement_id: str) -> None: ...


class StatementStore(Protocol):
    def read(self, bucket: str, key: str) -> bytes:
        """An uploaded statement file (NotFoundError when gone, TransientError when the store is busy)."""
        ...


class StatementParser(Protocol):
    def __call__(self, content: bytes, /) -> Statement:
        """The statement a CAMT.053 or MT940 file holds; InvalidInputError saying why a file cannot be read."""
        ...
