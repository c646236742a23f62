"""MT940 statements (German bank style, structured :86:) read with the mt-940 package into booked credits."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import mt940 as mt940_package

from chalicelib.domain.bank_statements import Credit, Statement, build_statement, clean, minor_units
from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from mt940.models import Transaction, Transactions

FORMAT = "mt940"
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_TAG = re.compile(rb"(?m)^:(?:20|25|28C?|60[FM]|61|62[FM]|86):")
# Every fix the package offers: ?31 is the payer's IBAN (not part of the name), the :61: customer reference
# survives a structured :86:, reversals are signed, a byte-order mark is dropped, long :86: is kept whole.
_OPTIONS = mt940_package.Options.all()


def is_mt940(content: bytes) -> bool:
    """A statement starts with :20: and books with :61: (a header block {1:…} may come first)."""
    tags = {m.group(0).strip(b":\r\n") for m in _TAG.finditer(content[:65536])}
    return b"20" in tags and (b"61" in tags or b"25" in tags)


def parse_mt940(content: bytes) -> Statement:
    """Every credit (mark C) of every statement block in the file; debits and reversals are skipped."""
    try:
        blocks = mt940_package.parse_statements(_decode(content), options=_OPTIONS)
    except (RuntimeError, ValueError, KeyError, ArithmeticError) as exc:
        # The package raises RuntimeError for a tag it cannot read, the others for a broken value inside one.
        raise InvalidInputError("body", f"not a readable MT940 statement: {_first_line(exc)}") from exc
    if not blocks:
        raise InvalidInputError("body", "no MT940 statement (:20:) found")
    credits = [credit for block in blocks for credit in _credits(block)]
    ids = [_statement_id(block) for block in blocks]
    account = str(blocks[0].data.get("account_identification") or "")
    return build_statement(" + ".join(dict.fromkeys(ids)), account, FORMAT, credits)


def _decode(content: bytes) -> str:
    """German banks write MT940 in ISO 8859-1 or Windows-1252 as often as in UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _credits(block: Transactions) -> list[Credit]:
    account = str(block.data.get("account_identification") or "")
    return [credit for transaction in block if (credit := _credit(transaction, account)) is not None]


def _credit(transaction: Transaction, account: str) -> Credit | None:
    data: dict[str, Any] = transaction.data
    amount = data.get("amount")
    if data.get("status") != "C" or amount is None or amount.amount <= 0:
        return None
    currency = str(data.get("currency") or amount.currency or "")
    booked_on = data.get("entry_date") or data.get("date")
    if booked_on is None:
        raise InvalidInputError("body", "a :61: line has no date")
    return Credit(
        account=account,
        amount=minor_units(amount.amount, currency),
        currency=currency,
        booking_date=date(booked_on.year, booked_on.month, booked_on.day),
        value_date=_plain_date(data.get("date")),
        remittance=_remittance(data),
        debtor_name=clean(data.get("applicant_name")),
        debtor_iban=_iban(data.get("applicant_iban") or data.get("gvc_applicant_iban")),
        bank_reference=clean(data.get("bank_reference")),
        end_to_end_id=clean(data.get("end_to_end_reference")),
    )


def _remittance(data: dict[str, Any]) -> str:
    """?20–?29 (after the SEPA keywords are split off: the SVWZ+ text) and ?60–?63; free text when unstructured."""
    parts = [data.get("purpose"), data.get("additional_purpose")]
    if "transaction_details" in data:  # the :86: had no ?-structure: all of it is the text
        parts = [data["transaction_details"]]
    return " ".join(" ".join(str(p) for p in parts if p).split())


def _iban(raw: str | None) -> str | None:
    compact = (raw or "").replace(" ", "").upper()
    return compact if _IBAN.match(compact) else None


def _plain_date(value: date | None) -> date | None:
    return date(value.year, value.month, value.day) if value is not None else None


def _statement_id(block: Transactions) -> str:
    data = block.data
    parts = [data.get("transaction_reference"), data.get("statement_number"), data.get("sequence_number")]
    return "/".join(str(p) for p in parts if p) or "unknown"


def _first_line(exc: Exception) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__
