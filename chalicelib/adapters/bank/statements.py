"""Which kind of bank statement a file is, and its parse: CAMT.053 or MT940."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.bank.camt053 import parse_camt053
from chalicelib.adapters.bank.mt940 import is_mt940, parse_mt940
from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from chalicelib.domain.bank_statements import Statement


def parse_statement(content: bytes) -> Statement:
    """Read a CAMT.053 or MT940 file, whichever it is; anything else is refused with a reason."""
    body = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body:
        raise InvalidInputError("body", "the statement file is empty")
    if body.startswith(b"<"):
        return parse_camt053(body)
    if is_mt940(body):
        return parse_mt940(body)
    raise InvalidInputError("body", "neither a CAMT.053 (ISO 20022 XML) nor an MT940 statement")
