"""Bank statements as Mahnwerk reads them: credits and reversals with a fingerprint that survives a second import."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NamedTuple

from babel.numbers import get_currency_precision

from .errors import InvalidInputError
from .money import validate_currency

ENTRY_ID_LENGTH = 32  # hex characters of a sha256: 128 bits, no two entries share one by accident
MAX_STATEMENT_IDS = 3  # a file of many statements is named by its first and last
MAX_AMOUNT_DIGITS = 18  # ISO 20022 amounts have at most 18 digits; MT940 has 15 characters
# What a stored entry keeps of the texts: more than any bank writes (CAMT names are Max140Text, an MT940 :86:
# holds 390 characters), far less than a DynamoDB item holds.
MAX_REMITTANCE, MAX_TEXT = 1000, 140


class EntryStatus(StrEnum):
    APPLYING = "applying"  # matched or assigned; its payments are being recorded (a retry resumes them)
    MATCHED = "matched"  # applied automatically, by reference or by name and amount
    REVIEW = "review"  # no confident match: waits on the review list
    ASSIGNED = "assigned"  # a person assigned it from the review list


class EntryKind(StrEnum):
    CREDIT = "credit"  # money a payer sent to the account
    REVERSAL = "reversal"  # the bank took back (part of) an earlier credit: a return, a recall, a storno


class Allocation(NamedTuple):
    claim_id: str
    amount: int  # minor units


@dataclass(frozen=True)
class Credit:
    """One booking as a parser reads it, before it gets its identity: a credit, or the reversal of one."""

    account: str
    amount: int  # minor units, > 0; for a reversal the money taken back
    currency: str
    booking_date: date
    remittance: str = ""
    debtor_name: str | None = None
    debtor_iban: str | None = None
    bank_reference: str | None = None  # the bank's own id for the booking (AcctSvcrRef, :61: //reference)
    end_to_end_id: str | None = None  # the payer's id for the transfer (SEPA EndToEndId, EREF+)
    value_date: date | None = None
    kind: EntryKind = EntryKind.CREDIT
    # Why the reader doubts the booking (its parts do not add up to it): a person looks before any money moves.
    doubt: str | None = None

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
        if self.kind != EntryKind.CREDIT:
            parts.append(str(self.kind))  # credits keep the fingerprints they had before reversals were read
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def transfer_keys(self) -> tuple[str, ...]:
        """What a reversal shares with the credit it takes back: the end-to-end id or the bank's reference.

        Account, currency and amount are part of each key, so only a reversal of the whole credit finds it.
        """
        money = [self.account.replace(" ", "").upper(), self.currency, str(self.amount)]
        named = [("e2e", self.end_to_end_id), ("ref", self.bank_reference)]
        return tuple(
            hashlib.sha256(json.dumps([kind, *money, " ".join(value.split())]).encode()).hexdigest()
            for kind, value in named
            if value
        )


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
    def kind(self) -> EntryKind:
        return self.credit.kind

    @property
    def search_text(self) -> str:
        """Where a debtor may have typed the payment reference: remittance first, then the end-to-end id."""
        return " ".join(part for part in (self.credit.remittance, self.credit.end_to_end_id) if part)


@dataclass(frozen=True)
class Skipped:
    """A booking on the money-in side that is no debtor's payment, left out with the reason."""

    amount: int  # minor units
    currency: str
    booking_date: date | None
    reason: str
    bank_reference: str | None = None


@dataclass(frozen=True)
class Statement:
    statement_id: str
    account: str
    format: str  # "camt.053.001.02" … "camt.053.001.13", "mt940"
    entries: tuple[StatementEntry, ...]
    skipped: tuple[Skipped, ...] = ()


@dataclass(frozen=True)
class BankEntry:
    """An entry as stored for a tenant: how it was applied, or that it waits for review and why."""

    tenant_id: str
    statement_id: str
    entry: StatementEntry
    status: EntryStatus
    imported_at: datetime
    allocations: tuple[Allocation, ...] = ()
    method: str | None = None  # "reference" | "name_amount" | "reversed_credit" | "manual"
    confidence: float | None = None
    review_reason: str | None = None  # why a person must decide; None for a credit that simply matched nothing
    reverses: str | None = None  # a reversal: the entry id of the credit it takes back

    @property
    def entry_id(self) -> str:
        return self.entry.entry_id

    @property
    def kind(self) -> EntryKind:
        return self.entry.kind


def build_statement(
    statement_id: str, account: str, fmt: str, credits: list[Credit], skipped: list[Skipped] | None = None
) -> Statement:
    """Give each credit its entry id.

    Two identical bookings in one file (same day, amount, text and payer, no bank reference) are two
    payments, so the n-th repeat of a fingerprint within a file gets its own id.
    """
    seen: dict[str, int] = {}
    entries = []
    for read in credits:
        credit = _bounded(read)
        fingerprint = credit.fingerprint()
        occurrence = seen.get(fingerprint, 0)
        seen[fingerprint] = occurrence + 1
        digest = fingerprint if occurrence == 0 else hashlib.sha256(f"{fingerprint}#{occurrence}".encode()).hexdigest()
        entries.append(StatementEntry(digest[:ENTRY_ID_LENGTH], credit))
    return Statement(statement_id, account[:MAX_TEXT], fmt, tuple(entries), tuple(skipped or ()))


def _bounded(credit: Credit) -> Credit:
    def cut(text: str | None, limit: int = MAX_TEXT) -> str | None:
        return text[:limit] if text is not None else None

    return replace(
        credit,
        account=credit.account[:MAX_TEXT],
        remittance=credit.remittance[:MAX_REMITTANCE],
        debtor_name=cut(credit.debtor_name),
        debtor_iban=cut(credit.debtor_iban),
        bank_reference=cut(credit.bank_reference),
        end_to_end_id=cut(credit.end_to_end_id),
        doubt=cut(credit.doubt, MAX_REMITTANCE),
    )


def statement_name(statement_ids: list[str]) -> str:
    """One name for the statements of a file: all of a few, the first and last of many."""
    ids = list(dict.fromkeys(i for i in statement_ids if i))
    if not ids:
        return "unknown"
    if len(ids) <= MAX_STATEMENT_IDS:
        return " + ".join(ids)[:MAX_REMITTANCE]
    return f"{ids[0][:MAX_TEXT]} … {ids[-1][:MAX_TEXT]} ({len(ids)} statements)"


def minor_units(amount: str | Decimal, currency: str) -> int:
    """Banks write decimal amounts; a fraction finer than the currency's minor unit is a broken file."""
    invalid = f"amount '{shown(amount)} {shown(currency)}' is not a valid amount"
    try:
        code = validate_currency(currency.strip().upper())
    except InvalidInputError as exc:
        raise InvalidInputError("body", f"{invalid}: {exc.message}") from exc
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidInputError("body", invalid) from exc
    if not value.is_finite() or value < 0:
        raise InvalidInputError("body", invalid)
    if value.adjusted() >= MAX_AMOUNT_DIGITS:
        raise InvalidInputError("body", f"{invalid}: more than {MAX_AMOUNT_DIGITS} digits")
    precision = get_currency_precision(code)
    scaled = value.scaleb(precision)
    if scaled != scaled.to_integral_value():
        raise InvalidInputError("body", f"{invalid}: {code} has {precision} decimals")
    return int(scaled)


def shown(text: object, limit: int = 40) -> str:
    """A value from a file as an error message may quote it: printable, and short."""
    printable = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


def clean(text: str | None) -> str | None:
    """Collapse whitespace; banks send 'NOTPROVIDED' where a payer gave no id."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed if collapsed and collapsed.upper() not in {"NOTPROVIDED", "NONREF"} else None
