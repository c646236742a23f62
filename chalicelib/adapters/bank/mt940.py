"""MT940 customer statements read into credits and reversals, every statement checked against its balances.

The reader is Mahnwerk's own: the dialects real banks send (a SWIFT FIN envelope, Rabobank's dot decimals
and 16-character references followed by the payer's name, ASN's 18-character IBAN as the reference, the
DK ?-structure of German banks, BOM, CRLF, Latin-1) defeated the mt-940 package, which read some of them
wrong without an error. A file is read whole or refused: each statement's opening balance plus its
bookings must give its closing balance, or the file was misread (or is broken) and nothing of it counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.numbers import get_currency_precision

from chalicelib.adapters.bank.mt940_details import iban, read_details
from chalicelib.domain.bank_statements import (
    Credit,
    EntryKind,
    Skipped,
    Statement,
    build_statement,
    clean,
    shown,
    statement_name,
)
from chalicelib.domain.bank_statements import minor_units as to_minor_units
from chalicelib.domain.errors import InvalidInputError

FORMAT = "mt940"
_TAG = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
_SNIFF = re.compile(rb"(?m)^:(20|25|28C?|60[FM]|61|62[FM]|86):")
_END = re.compile(r"^-(?:XXX)?\}?$")
_ENVELOPE = re.compile(r"\{4:[ \t]*\n(.*?)\n-\}", re.S)
_MESSAGE_TYPE = re.compile(r"\{2:[IO](\d{3})")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # SOH/ETX framing, DOS end-of-file (^Z)
_AMOUNT = r"\d+(?:[,.]\d*)?"  # a decimal comma, or Rabobank's legacy point; JPY may end in the separator
_BALANCE = re.compile(rf"^(?P<mark>[CD])(?P<date>\d{{6}})(?P<currency>[A-Z]{{3}})(?P<amount>{_AMOUNT})$")
_BOOKING = re.compile(
    rf"^(?P<value>\d{{6}})(?P<entry>\d{{4}})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])? ?(?P<amount>{_AMOUNT})(?P<rest>.*)$",
    re.S,
)
_TYPE = re.compile(r"^[NSF][A-Z0-9 ]{3}")
_PADDED_NAME = re.compile(r"^(?P<reference>\S.*?)\s{2,}(?P<name>\S.*)$")  # Rabobank: 16x reference, then the name
# DK business transaction codes (GVC): a SEPA transfer of ours that came back is no debtor's payment; a
# direct debit of ours that the payer's bank took back reverses the credit it had brought.
_RETURNED_TRANSFER = frozenset({"159", "160"})
_RETURNED_DIRECT_DEBIT = frozenset({"108", "109"})
_SIGN = {"C": 1, "RD": 1, "D": -1, "RC": -1}
# What a booking is to Mahnwerk, by its mark and code: only credits and reversals of credits move claims' money.
_SKIPPED = {
    "reversed_debit": "a reversal of a debit (RD): money back for a payment from this account",
    "returned": "a returned transfer of this account (GVC 159/160), not a debtor's payment",
}


@dataclass
class _Block:
    """One statement's fields in file order, each as its lines; each :61: keeps the :86: lines that follow it."""

    fields: list[tuple[str, list[str]]] = field(default_factory=list)
    bookings: list[tuple[str, list[str]]] = field(default_factory=list)

    def first(self, *tags: str) -> str | None:
        return next(("\n".join(lines) for tag, lines in self.fields if tag in tags), None)


@dataclass(frozen=True)
class _Balance:
    minor: int  # signed: a debit balance is negative
    currency: str


def is_mt940(content: bytes) -> bool:
    """A statement starts with :20: and books with :61: (a header or a SWIFT envelope may come first)."""
    tags = {m.group(1) for m in _SNIFF.finditer(content[:65536])}
    return b"20" in tags and (b"61" in tags or b"25" in tags)


@dataclass(frozen=True)
class StatementRead:
    """One statement as read, before it is checked: its bookings and why its balances disagree, if they do."""

    name: str  # "statement <:20:> (number <:28C:>, account <:25:>)"
    statement_id: str  # <:20:>/<:28C:>
    account: str
    credits: list[Credit]
    skipped: list[Skipped]
    gap: str | None  # None when opening balance plus bookings give the closing balance


def parse_mt940(content: bytes) -> Statement:
    """Every credit and every reversal of a credit, of every statement; a statement that does not add up refuses all."""
    statements = read_mt940(content)
    unbalanced = [read.gap for read in statements if read.gap]
    if unbalanced:
        more = f" (and {len(unbalanced) - 1} more statements of the file do not add up)" if len(unbalanced) > 1 else ""
        raise InvalidInputError("body", f"MT940: {unbalanced[0]}{more}; nothing of the file was imported")
    return build_statement(
        statement_name([read.statement_id for read in statements]),
        statements[0].account,
        FORMAT,
        [credit for read in statements for credit in read.credits],
        [skip for read in statements for skip in read.skipped],
    )


def read_mt940(content: bytes) -> list[StatementRead]:
    """Each statement of the file read on its own, balances not yet held against each other."""
    blocks = [block for message in _messages(_decode(content)) for block in _blocks(message)]
    if not blocks:
        raise InvalidInputError("body", "no MT940 statement (:20:) found")
    return [_statement(block) for block in blocks]


def _decode(content: bytes) -> str:
    """German banks write MT940 in ISO 8859-1 or Windows-1252 as often as in UTF-8."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


def _messages(text: str) -> list[str]:
    """The statement text: the {4:} block of each SWIFT FIN message, or the whole file when it has none."""
    if "{4:" not in text:
        return [text]
    for kind in _MESSAGE_TYPE.findall(text):
        if kind != "940":
            raise InvalidInputError("body", f"a SWIFT MT{kind} message, not an MT940 customer statement")
    messages = _ENVELOPE.findall(text)
    if len(messages) != text.count("{4:"):
        raise InvalidInputError("body", "MT940: a SWIFT message block {4: is not closed with -}")
    return messages


def _blocks(text: str) -> list[_Block]:
    """Statements start at :20:; lines before it (bank headers) and after a closing '-' are not part of one."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for line in text.split("\n"):
        # Trailing spaces stay: a padded line says where a fixed-width field ended.
        tag = _TAG.match(line)
        if tag and tag.group(1) == "20":
            current = _Block()
            blocks.append(current)
        if current is None:
            continue
        if tag:
            current.fields.append((tag.group(1), [tag.group(2)]))
        elif _END.match(line.strip(" \u00a0")):
            current = None
        elif line.strip():
            current.fields[-1][1].append(line)
    for block in blocks:
        _group(block)
    return blocks


def _group(block: _Block) -> None:
    """Attach each :86: to the :61: it follows; an :86: after the balances describes the statement, not a booking."""
    owner: list[str] | None = None
    for tag, lines in block.fields:
        if tag == "61":
            owner = []
            block.bookings.append(("\n".join(lines), owner))
        elif tag == "86" and owner is not None:
            owner += [f":86:{lines[0]}", *lines[1:]]
        else:
            owner = None


def _statement(block: _Block) -> StatementRead:
    name = _name(block)
    opening = _balance(block, ("60F", "60M"), "opening", name)
    closing = _balance(block, ("62F", "62M"), "closing", name)
    if opening.currency != closing.currency:
        raise InvalidInputError("body", f"MT940: {name} opens in {opening.currency} and closes in {closing.currency}")
    account = (block.first("25") or "").strip()
    credits: list[Credit] = []
    skipped: list[Skipped] = []
    total = opening.minor
    for number, (line, details) in enumerate(block.bookings, start=1):
        mark, role, booking = _booking(line, details, account, opening.currency, f"{name}, booking {number}")
        total += _SIGN[mark] * booking.amount
        if role == "debit":
            continue
        if booking.amount == 0:
            skipped.append(_skip(booking, "a booking of 0 carries no money"))
        elif role in _SKIPPED:
            skipped.append(_skip(booking, _SKIPPED[role]))
        else:
            credits.append(booking)
    gap = None
    if total != closing.minor:
        gap = (
            f"{name} does not add up: the opening balance {_money(opening)} and its bookings give "
            f"{_money(_Balance(total, opening.currency))}, but the closing balance is {_money(closing)}"
        )
    return StatementRead(name, _name(block, short=True), account, credits, skipped, gap)


def _booking(line: str, details: list[str], account: str, currency: str, where: str) -> tuple[str, str, Credit]:
    """(mark, role, booking): the role is credit, reversal (of a credit), reversed_debit, returned or debit."""
    found = _BOOKING.match(line)
    if found is None:
        raise InvalidInputError(
            "body", f"MT940: {where}: '{shown(line.split(chr(10), maxsplit=1)[0])}' is not a booking (:61:)"
        )
    value_date = _date(found.group("value"), where)
    first, _, supplementary = found.group("rest").partition("\n")
    reference, bank_reference, padded_name = _references(first, where)
    text = read_details(details, reference, " ".join(supplementary.split()) or None)
    mark = found.group("mark")
    role = _role(mark, text.gvc)
    credit = Credit(
        account=account,
        amount=_minor(found.group("amount"), currency, where),
        currency=currency,
        booking_date=_entry_date(value_date, found.group("entry"), where),
        value_date=value_date,
        remittance=text.remittance,
        debtor_name=clean(text.name or padded_name),
        debtor_iban=text.iban or iban(supplementary.strip()),
        bank_reference=clean(bank_reference),
        end_to_end_id=clean(text.end_to_end_id),
        kind=EntryKind.REVERSAL if role == "reversal" else EntryKind.CREDIT,
    )
    return mark, role, credit


def _role(mark: str, gvc: str | None) -> str:
    if mark == "RC" or (mark == "D" and gvc in _RETURNED_DIRECT_DEBIT):
        return "reversal"
    if mark == "RD":
        return "reversed_debit"
    if mark == "C":
        return "returned" if gvc in _RETURNED_TRANSFER else "credit"
    return "debit"


def _references(first: str, where: str) -> tuple[str | None, str | None, str | None]:
    """(customer reference, bank reference after '//', a payer's name Rabobank writes after a padded reference)."""
    if first.startswith("NONREF") and (first[6:].strip() == "" or first[6:].startswith("//")):
        rest = first  # Penta writes no transaction type
    elif _TYPE.match(first):
        rest = first[4:]
    else:
        raise InvalidInputError("body", f"MT940: {where}: '{shown(first)}' has no transaction type (e.g. NTRF)")
    reference, separator, bank = rest.partition("//")
    if separator:
        return reference.strip() or None, bank.strip() or None, None
    padded = _PADDED_NAME.match(rest.strip())
    if padded:
        return padded.group("reference"), None, padded.group("name")
    return rest.strip() or None, None, None


def _balance(block: _Block, tags: tuple[str, ...], which: str, name: str) -> _Balance:
    raw = block.first(*tags)
    label = "/".join(f":{tag}:" for tag in tags)
    if raw is None:
        raise InvalidInputError("body", f"MT940: {name} has no {which} balance ({label})")
    found = _BALANCE.match(raw.strip())
    if found is None:
        raise InvalidInputError(
            "body", f"MT940: {name}: the {which} balance '{shown(raw)}' is not C or D, a date, a currency and an amount"
        )
    minor = _minor(found.group("amount"), found.group("currency"), f"{name}, {which} balance")
    return _Balance(minor if found.group("mark") == "C" else -minor, found.group("currency"))


def _minor(amount: str, currency: str, where: str) -> int:
    try:
        return to_minor_units(amount.replace(",", "."), currency)
    except InvalidInputError as exc:
        raise InvalidInputError("body", f"MT940: {where}: {exc.message}") from exc


def _date(raw: str, where: str) -> date:
    """YYMMDD; statements are from this century or from the last one's closing decades."""
    year = int(raw[:2])
    try:
        return date(2000 + year if year < 80 else 1900 + year, int(raw[2:4]), int(raw[4:6]))
    except ValueError as exc:
        raise InvalidInputError("body", f"MT940: {where}: '{raw}' is not a date (YYMMDD)") from exc


def _entry_date(value_date: date, raw: str | None, where: str) -> date:
    """The booking day (MMDD) lies within half a year of the value date, across a new year if need be."""
    if raw is None:
        return value_date
    month, day = int(raw[:2]), int(raw[2:])
    year = value_date.year + (1 if month - value_date.month < -6 else -1 if month - value_date.month > 6 else 0)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidInputError("body", f"MT940: {where}: '{raw}' is not a booking date (MMDD)") from exc


def _name(block: _Block, *, short: bool = False) -> str:
    reference = shown((block.first("20") or "").strip() or "without :20:")
    number = shown((block.first("28C", "28") or "").strip())
    if short:
        return "/".join(part for part in (reference, number) if part)
    account = shown((block.first("25") or "").strip() or "unknown")
    return f"statement {reference} (number {number or 'none'}, account {account})"


def _skip(booking: Credit, reason: str) -> Skipped:
    return Skipped(booking.amount, booking.currency, booking.booking_date, reason, booking.bank_reference)


def _money(balance: _Balance) -> str:
    precision = get_currency_precision(balance.currency)
    sign = "D" if balance.minor < 0 else "C"
    return f"{sign} {Decimal(abs(balance.minor)).scaleb(-precision):.{precision}f} {balance.currency}"
