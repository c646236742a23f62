"""CAMT.053 (ISO 20022 BankToCustomerStatement, camt.053.001.02 to .13) read with lxml into credits and reversals.

camt.053.001.02 (2009) is the oldest version banks still send; the 2025 SEPA and CBPR+ migration moved them
to .08 and later; camt.053.001.13 is the newest ISO has published. Every version in between is read the same
way: the elements Mahnwerk needs kept their names, and where a version moved one (the status became a
choice in .07, a party got its `Pty` level in .08) both places are read. camt.052 (intraday account
reports) and camt.054 (debit/credit notifications) describe bookings too, but a statement is the booked
truth of a day: they are refused with a reason that names them.
"""

from __future__ import annotations

import re

from lxml import etree

from chalicelib.adapters.bank.camt_entries import Where, bookings
from chalicelib.domain.bank_statements import Credit, Skipped, Statement, build_statement, shown, statement_name
from chalicelib.domain.errors import InvalidInputError

OLDEST, NEWEST = 2, 13  # camt.053.001.02 … camt.053.001.13
_ISO_20022 = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:([a-z]{4})\.(\d{3})\.(\d{3})\.(\d{2})$")
_OTHER_REPORTS = {
    "052": "a camt.052 account report (intraday bookings and balances), not a camt.053 statement",
    "054": "a camt.054 debit/credit notification, not a camt.053 statement",
}
# No entities, no DTDs fetched, no network, no billion-laughs: a statement is data, nothing more.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
)


def parse_camt053(content: bytes) -> Statement:
    """Every booked credit and reversal of every statement in the file; what moves no debtor's money is skipped."""
    root = _document(content)
    version = _version(root)
    ns = {"c": etree.QName(root).namespace or ""}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        raise InvalidInputError("body", "the document holds no statement (BkToCstmrStmt/Stmt)")
    credits: list[Credit] = []
    skipped: list[Skipped] = []
    ids: list[str] = []
    accounts: list[str] = []
    for stmt in statements:
        statement_id = _text(stmt, "c:Id", ns) or ""
        account = _text(stmt, "c:Acct/c:Id/c:IBAN", ns) or _text(stmt, "c:Acct/c:Id/c:Othr/c:Id", ns) or ""
        ids.append(statement_id)
        accounts.append(account)
        for number, entry in enumerate(stmt.findall("c:Ntry", ns), start=1):
            found, left_out = bookings(entry, Where(statement_id or "without Id", number, account, ns))
            credits += found
            skipped += left_out
    return build_statement(statement_name(ids), accounts[0], version, credits, skipped)


def _document(content: bytes) -> etree._Element:
    try:
        tree = etree.fromstring(content, _PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise InvalidInputError("body", f"not well-formed XML: {shown(exc.msg, 200)}") from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        # Banks never send a DTD; one here is an entity or XXE attempt.
        raise InvalidInputError("body", "a DOCTYPE is not allowed in a bank statement")
    return tree.getroot()


def _version(root: etree._Element) -> str:
    """The message and version the root's namespace names; anything but camt.053.001.02–13 is refused."""
    namespace = etree.QName(root).namespace or ""
    found = _ISO_20022.match(namespace)
    if found is None:
        name = shown(etree.QName(root).localname)
        raise InvalidInputError(
            "body",
            f"an XML document, but not a camt.053 bank statement (root element '{name}', no ISO 20022 namespace)",
        )
    area, message, variant, number = found.groups()
    label = f"{area}.{message}.{variant}.{number}"
    if area != "camt" or message != "053":
        reason = _OTHER_REPORTS.get(message) if area == "camt" else None
        raise InvalidInputError("body", reason or f"an ISO 20022 {label} message, not a camt.053 statement")
    if variant != "001" or not OLDEST <= int(number) <= NEWEST:
        raise InvalidInputError(
            "body", f"{label} is not a version Mahnwerk reads: camt.053.001.{OLDEST:02d} to camt.053.001.{NEWEST}"
        )
    return label


def _text(element: etree._Element, path: str, ns: dict[str, str]) -> str | None:
    found = element.find(path, ns)
    if found is None:
        return None
    return (found.text or "").strip() or None
