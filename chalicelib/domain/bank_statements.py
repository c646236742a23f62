"""Bank statements as Mahnwerk reads them: credit entries with a fingerprint that survives a second import."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NamedTuple

from babel.numbers import get_currency_precision

from .errors import InvalidInputError
from .money import validate_currency

ENTRY_ID_LENGTH = 32  # hex characters of a sha256: 128 bits, no two entries share one by accident


class EntryStatus(StrEnum):
    APPLYING = "applying"  # matched or assigned; its payments are being recorded (a retry resumes them)
    MATCHED = "matched"  # applied automatically, by reference or by name and amount
    REVIEW = "review"  # no confident match: waits on the review list
    ASSIGNED = "assigned"  # a person assigned it from the review list


class Allocation(NamedTuple):
    claim_id: str
    amount: int  # minor units


@dataclass(frozen=True)
class Credit:
    """One credit as a parser reads it, before it gets its identity."""

    account: str
    amount: int  # minor units, > 0
    currency: str
    booking_date: date
    remittance: str = ""
    debtor_name: str | None = None
    debtor_iban: str | None = None
    bank_reference: str | None = None  # the bank's own id for the booking (AcctSvcrRef, :61: //reference)
    end_to_end_id: str | None = None  # the payer's id for the transfer (SEPA EndToEndId, EREF+)
    value_date: date | None = None

    def fingerprint(self) -> str:
        """The same booking read from two files (overlapping statements) gives the same fingerprint."""
        parts = [
            self.account.replace(" ", "").upper(),
            self.booking_date.isoformat(),
            str(self.amount),
            self.currency,
            self.bank_reference or "",
            self.end_to_end_id or "",
            " ".join(self.remittance.split()),
            " ".join((self.debtor_name or "").split()),
            (self.debtor_iban or "").replace(" ", "").upper(),
        ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class StatementEntry:
    entry_id: str
    credit: Credit

    @property
    def amount(self) -> int:
        return self.credit.amount

    @property
    def currency(self) -> str:
        return self.credit.currency

    @property
    def search_text(self) -> str:
        """Where a debtor may have typed the payment reference: remittance first, then the end-to-end id."""
        return " ".join(part for part in (self.credit.remittance, self.credit.end_to_end_id) if part)


@dataclass(frozen=True)
class Statement:
    statement_id: str
    account: str
    format: str  # "camt.053.001.02" … "camt.053.001.08", "mt940"
    entries: tuple[StatementEntry, ...]


@dataclass(frozen=True)
class BankEntry:
    """A credit entry as stored for a tenant: how it was applied, or that it waits for review."""

    tenant_id: str
    statement_id: str
    entry: StatementEntry
    status: EntryStatus
    imported_at: datetime
    allocations: tuple[Allocation, ...] = ()
    method: str | None = None  # "reference" | "name_amount" | "manual"
    confidence: float | None = None

    @property
    def entry_id(self) -> str:
        return self.entry.entry_id


def build_statement(statement_id: str, account: str, fmt: str, credits: list[Credit]) -> Statement:
    """Give each credit its entry id.

    Two identical bookings in one file (same day, amount, text and payer, no bank reference) are two
    payments, so the n-th repeat of a fingerprint within a file gets its own id.
    """
    seen: dict[str, int] = {}
    entries = []
    for credit in credits:
        fingerprint = credit.fingerprint()
        occurrence = seen.get(fingerprint, 0)
        seen[fingerprint] = occurrence + 1
        digest = fingerprint if occurrence == 0 else hashlib.sha256(f"{fingerprint}#{occurrence}".encode()).hexdigest()
        entries.append(StatementEntry(digest[:ENTRY_ID_LENGTH], credit))
    return Statement(statement_id, account, fmt, tuple(entries))


def minor_units(amount: str | Decimal, currency: str) -> int:
    """Banks write decimal amounts; a fraction finer than the currency's minor unit is a broken file."""
    try:
        code = validate_currency(currency.strip().upper())
        value = Decimal(str(amount).strip().replace(",", "."))
    except (InvalidOperation, InvalidInputError) as exc:
        raise InvalidInputError("body", f"amount '{amount} {currency}' is not a valid amount") from exc
    scaled = value.scaleb(get_currency_precision(code))
    if scaled != scaled.to_integral_value() or scaled < 0:
        raise InvalidInputError("body", f"amount '{amount} {currency}' is not a valid amount")
    return int(scaled)


def clean(text: str | None) -> str | None:
    """Collapse whitespace; banks send 'NOTPROVIDED' where a payer gave no id."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed if collapsed and collapsed.upper() not in {"NOTPROVIDED", "NONREF"} else None
