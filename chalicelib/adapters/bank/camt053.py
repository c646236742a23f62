"""CAMT.053 (ISO 20022 BankToCustomerStatement, versions .02 to .08) read with lxml into booked credits."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from lxml import etree

from chalicelib.domain.bank_statements import Credit, Statement, build_statement, clean, minor_units
from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterator

NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.053\.001\.0[2-8])$")
# No entities, no DTDs fetched, no network, no billion-laughs: a statement is data, nothing more.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
)


def is_camt053(content: bytes) -> bool:
    """Cheap sniff before parsing: an XML document in a camt.053 namespace."""
    head = content[:4096]
    return b"<" in head and b"camt.053.001." in head


def parse_camt053(content: bytes) -> Statement:
    """Every booked credit of every statement in the file; debits and pending entries are skipped."""
    root = _document(content)
    version = NAMESPACE.match(etree.QName(root).namespace or "")
    if version is None:
        raise InvalidInputError("body", "not a camt.053.001.02–08 document")
    ns = {"c": etree.QName(root).namespace}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        raise InvalidInputError("body", "the document holds no statement (BkToCstmrStmt/Stmt)")
    credits: list[Credit] = []
    ids: list[str] = []
    accounts: list[str] = []
    for stmt in statements:
        account = _text(stmt, "c:Acct/c:Id/c:IBAN", ns) or _text(stmt, "c:Acct/c:Id/c:Othr/c:Id", ns) or ""
        ids.append(_text(stmt, "c:Id", ns) or "")
        accounts.append(account)
        for entry in stmt.findall("c:Ntry", ns):
            credits += _credits(entry, account, ns)
    statement_id = " + ".join(dict.fromkeys(i for i in ids if i)) or "unknown"
    return build_statement(statement_id, accounts[0], version.group(1), credits)


def _document(content: bytes) -> etree._Element:
    try:
        tree = etree.fromstring(content, _PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise InvalidInputError("body", f"not well-formed XML: {exc.msg}") from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        # Banks never send a DTD; one here is an entity or XXE attempt.
        raise InvalidInputError("body", "a DOCTYPE is not allowed in a bank statement")
    return tree.getroot()


def _credits(entry: etree._Element, account: str, ns: dict[str, str]) -> list[Credit]:
    if _text(entry, "c:CdtDbtInd", ns) != "CRDT" or _status(entry, ns) != "BOOK":
        return []
    amount_element = _required(entry, "c:Amt", ns)
    currency = amount_element.get("Ccy", "")
    total = minor_units(amount_element.text or "", currency)
    booking_date = _date(entry, "c:BookgDt", ns)
    if booking_date is None:
        raise InvalidInputError("body", "a booked entry has no booking date (BookgDt)")
    booked = Credit(
        account=account,
        amount=total,
        currency=currency,
        booking_date=booking_date,
        value_date=_date(entry, "c:ValDt", ns),
        bank_reference=clean(_text(entry, "c:AcctSvcrRef", ns)),
    )
    details = [tx for tx in entry.findall("c:NtryDtls/c:TxDtls", ns) if _text(tx, "c:CdtDbtInd", ns) != "DBIT"]
    if not details:
        return [replace(booked, remittance=clean(_text(entry, "c:AddtlNtryInf", ns)) or "")]
    amounts = [_tx_amount(tx, currency, ns) for tx in details]
    if len(details) > 1 and (None in amounts or sum(a or 0 for a in amounts) != total):
        # A batch whose parts do not add up to the booking is one credit: the ledger follows the bank.
        return [replace(booked, remittance=" / ".join(text for tx in details if (text := _remittance(tx, ns))))]
    return [
        replace(
            booked,
            amount=amount if amount is not None else total,
            remittance=_remittance(tx, ns),
            debtor_name=clean(_debtor_name(tx, ns)),
            debtor_iban=clean(_text(tx, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns)),
            bank_reference=clean(_text(tx, "c:Refs/c:AcctSvcrRef", ns)) or booked.bank_reference,
            end_to_end_id=clean(_text(tx, "c:Refs/c:EndToEndId", ns)),
        )
        for tx, amount in zip(details, amounts, strict=True)
    ]


def _status(entry: etree._Element, ns: dict[str, str]) -> str | None:
    """Up to .06 `<Sts>BOOK</Sts>`; from .07 on a choice, `<Sts><Cd>BOOK</Cd></Sts>`."""
    return _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)


def _tx_amount(tx: etree._Element, currency: str, ns: dict[str, str]) -> int | None:
    """`TxDtls/Amt` from .03 on; `AmtDtls/TxAmt/Amt` in every version. Another currency than the entry's is
    the payer's original amount, not what was booked."""
    for path in ("c:Amt", "c:AmtDtls/c:TxAmt/c:Amt"):
        element = tx.find(path, ns)
        if element is not None and element.get("Ccy") == currency and element.text:
            return minor_units(element.text, currency)
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


def _date(element: etree._Element, path: str, ns: dict[str, str]) -> date | None:
    raw = _text(element, f"{path}/c:Dt", ns) or _text(element, f"{path}/c:DtTm", ns)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise InvalidInputError("body", f"'{raw}' is not a date") from exc


def _text(element: etree._Element, path: str, ns: dict[str, str]) -> str | None:
    found = element.find(path, ns)
    if found is None:
        return None
    return (found.text or "").strip() or None


def _all_text(element: etree._Element, path: str, ns: dict[str, str]) -> Iterator[str]:
    for found in element.findall(path, ns):
        yield (found.text or "").strip()


def _required(element: etree._Element, path: str, ns: dict[str, str]) -> etree._Element:
    found = element.find(path, ns)
    if found is None:
        raise InvalidInputError("body", f"an entry lacks {path.removeprefix('c:')}")
    return found
