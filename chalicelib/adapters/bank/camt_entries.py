"""One CAMT entry (Ntry) as the bookings Mahnwerk acts on: credits, reversals of credits, and what it leaves out.

The booked `Ntry/Amt` is the money. Transaction details (TxDtls) may split it into the transfers it is
made of, and then they must add up to it; a single TxDtls must name the booked amount or none. When they
do not, the entry is one credit for the booked amount with a doubt, which sends it to a person: money
the bank did not book must never settle a claim. Amounts in another currency than the entry's (InstdAmt,
the payer's original amount) are not the booked money and are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from babel.numbers import get_currency_precision

from chalicelib.domain.bank_statements import (
    MAX_AMOUNT_DIGITS,
    Credit,
    EntryKind,
    Skipped,
    clean,
    minor_units,
    shown,
)
from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml import etree

MAX_FRACTION_DIGITS = 5  # ActiveOrHistoricCurrencyAndAmount: fractionDigits 5, totalDigits 18, minInclusive 0
# xs:decimal as ISO 20022 allows it: no sign but '+', no exponent, no NaN or Infinity.
_DECIMAL = re.compile(r"^\+?(?:\d+(?:\.\d*)?|\.\d+)$")
# Bank transaction sub-families that say an entry returns or reverses an earlier one (ISO external code list).
_RETURNS = frozenset({"RRTN", "RPCR", "UPDD", "PRDD"})


@dataclass(frozen=True)
class Where:
    """The entry's place in the file, for its bookings and for errors that name it."""

    statement_id: str
    number: int  # the entry's position in its statement, from 1
    account: str
    ns: dict[str, str]

    def __str__(self) -> str:
        return f"entry {self.number} of statement {shown(self.statement_id)}"


def bookings(entry: etree._Element, where: Where) -> tuple[list[Credit], list[Skipped]]:
    """A booked credit, or a booked reversal of one, as one or more bookings; pending entries and debits are not."""
    ns = where.ns
    indicator = _text(entry, "c:CdtDbtInd", ns)
    if _status(entry, ns) != "BOOK" or indicator not in {"CRDT", "DBIT"}:
        return [], []
    returned = _text(entry, "c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd", ns) in _RETURNS
    reversal = _text(entry, "c:RvslInd", ns) in {"true", "1"} or returned  # xs:boolean
    if indicator == "DBIT" and not reversal:
        return [], []
    booked = _booked(entry, where, EntryKind.REVERSAL if reversal else EntryKind.CREDIT)
    if indicator == "CRDT" and reversal:
        why = "a returned or reversed payment from this account (RvslInd or a return code), not a debtor's payment"
        return [], [_skip(booked, why)]
    if booked.amount == 0:
        return [], [_skip(booked, "a booking of 0 carries no money")]
    return _split(entry, booked, indicator, where)


def _booked(entry: etree._Element, where: Where, kind: EntryKind) -> Credit:
    ns = where.ns
    amount = entry.find("c:Amt", ns)
    if amount is None:
        raise InvalidInputError("body", f"{where} has no amount (Ntry/Amt)")
    currency = amount.get("Ccy", "")
    booking_date = _date(entry, "c:BookgDt", where)
    if booking_date is None:
        raise InvalidInputError("body", f"{where} is booked but has no booking date (BookgDt/Dt or BookgDt/DtTm)")
    return Credit(
        account=where.account,
        amount=iso_amount(amount.text, currency, f"Ntry/Amt of {where}"),
        currency=currency,
        booking_date=booking_date,
        value_date=_date(entry, "c:ValDt", where),
        bank_reference=clean(_text(entry, "c:AcctSvcrRef", ns)),
        remittance=clean(_text(entry, "c:AddtlNtryInf", ns)) or "",
        kind=kind,
    )


def _split(entry: etree._Element, booked: Credit, indicator: str, where: Where) -> tuple[list[Credit], list[Skipped]]:
    """The transfers an entry is made of, when their amounts in its currency add up to what the bank booked."""
    ns = where.ns
    details = [
        tx for tx in entry.findall("c:NtryDtls/c:TxDtls", ns) if _text(tx, "c:CdtDbtInd", ns) in {None, indicator}
    ]
    if not details:
        return [booked], []
    amounts = [_tx_amount(tx, booked.currency, where) for tx in details]
    if len(details) == 1 and amounts[0] in {None, booked.amount}:
        return [_transfer(details[0], booked, booked.amount, ns, alone=True)], []
    if None not in amounts and sum(a or 0 for a in amounts) == booked.amount:
        parts = [(tx, a or 0) for tx, a in zip(details, amounts, strict=True)]
        credits = [_transfer(tx, booked, amount, ns, alone=False) for tx, amount in parts if amount > 0]
        zero = "a transaction detail of 0 carries no money"
        return credits, [_skip(replace(booked, amount=0), zero) for _, amount in parts if amount == 0]
    return [_doubted(details, amounts, booked, ns)], []


def _doubted(details: list[etree._Element], amounts: list[int | None], booked: Credit, ns: dict[str, str]) -> Credit:
    """One credit for the booked amount; a single transfer keeps its payer, a batch only its texts."""
    if None in amounts:
        doubt = f"not every transaction detail names its amount in {booked.currency}, so they may not add up"
    else:
        parts = sum(a or 0 for a in amounts)
        shown_parts, shown_booked = _money(parts, booked.currency), _money(booked.amount, booked.currency)
        doubt = f"its transaction details add up to {shown_parts}, but the bank booked {shown_booked}"
    if len(details) == 1:
        return replace(_transfer(details[0], booked, booked.amount, ns, alone=True), doubt=doubt)
    texts = " / ".join(text for tx in details if (text := _remittance(tx, ns)))
    return replace(booked, remittance=texts or booked.remittance, doubt=doubt)


def _transfer(tx: etree._Element, booked: Credit, amount: int, ns: dict[str, str], *, alone: bool) -> Credit:
    remittance = _remittance(tx, ns) or clean(_text(tx, "c:AddtlTxInf", ns)) or ""
    return replace(
        booked,
        amount=amount,
        remittance=remittance or (booked.remittance if alone else ""),
        debtor_name=clean(_debtor_name(tx, ns)),
        debtor_iban=clean(_text(tx, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns)),
        bank_reference=clean(_text(tx, "c:Refs/c:AcctSvcrRef", ns)) or booked.bank_reference,
        end_to_end_id=clean(_text(tx, "c:Refs/c:EndToEndId", ns)),
    )


def iso_amount(text: str | None, currency: str, where: str) -> int:
    """ActiveOrHistoricCurrencyAndAmount in minor units; what its schema does not allow is refused, naming it."""
    raw = (text or "").strip()
    if not _DECIMAL.match(raw):
        raise InvalidInputError(
            "body",
            f"{where}: '{shown(raw)}' is not an ISO 20022 amount "
            "(plain decimal digits, at most 18 and 5 after the point, not negative, no exponent)",
        )
    value = Decimal(raw)
    digits = value.normalize().as_tuple()
    exponent = int(digits.exponent)
    if len(digits.digits) - min(exponent, 0) > MAX_AMOUNT_DIGITS or -exponent > MAX_FRACTION_DIGITS:
        raise InvalidInputError(
            "body", f"{where}: '{shown(raw)}' has more digits than an ISO 20022 amount (18, and 5 after the point)"
        )
    try:
        return minor_units(raw, currency)
    except InvalidInputError as exc:
        raise InvalidInputError("body", f"{where}: {exc.message}") from exc


def _skip(booked: Credit, reason: str) -> Skipped:
    return Skipped(booked.amount, booked.currency, booked.booking_date, reason, booked.bank_reference)


def _status(entry: etree._Element, ns: dict[str, str]) -> str | None:
    """Up to .06 `<Sts>BOOK</Sts>`; from .07 on a choice, `<Sts><Cd>BOOK</Cd></Sts>`."""
    return _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)


def _tx_amount(tx: etree._Element, currency: str, where: Where) -> int | None:
    """`TxDtls/Amt` from .03 on; `AmtDtls/TxAmt/Amt` in every version. Another currency than the entry's is
    the payer's original amount, not what was booked."""
    for path in ("c:Amt", "c:AmtDtls/c:TxAmt/c:Amt"):
        element = tx.find(path, where.ns)
        if element is not None and element.get("Ccy") == currency and (element.text or "").strip():
            return iso_amount(element.text, currency, f"TxDtls amount of {where}")
    return None


def _remittance(tx: etree._Element, ns: dict[str, str]) -> str:
    parts = [t for t in _all_text(tx, "c:RmtInf/c:Ustrd", ns) if t]
    parts += [t for t in _all_text(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns) if t and t not in parts]
    return " ".join(" ".join(parts).split())


def _debtor_name(tx: etree._Element, ns: dict[str, str]) -> str | None:
    """`Dbtr/Nm` up to .07, `Dbtr/Pty/Nm` from .08 on; the ultimate debtor when no debtor is named."""
    for party in ("c:Dbtr", "c:UltmtDbtr"):
        for path in (f"c:RltdPties/{party}/c:Nm", f"c:RltdPties/{party}/c:Pty/c:Nm"):
            if name := _text(tx, path, ns):
                return name
    return None


def _date(element: etree._Element, path: str, where: Where) -> date | None:
    """`Dt`, or `DtTm` whose date is the bank's own day of the booking."""
    raw = _text(element, f"{path}/c:Dt", where.ns) or _text(element, f"{path}/c:DtTm", where.ns)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise InvalidInputError("body", f"{where}: '{shown(raw)}' is not a date") from exc


def _money(minor: int, currency: str) -> str:
    precision = get_currency_precision(currency)
    return f"{Decimal(minor).scaleb(-precision):.{precision}f} {currency}"


def _text(element: etree._Element, path: str, ns: dict[str, str]) -> str | None:
    found = element.find(path, ns)
    if found is None:
        return None
    return (found.text or "").strip() or None


def _all_text(element: etree._Element, path: str, ns: dict[str, str]) -> Iterator[str]:
    for found in element.findall(path, ns):
        yield (found.text or "").strip()
