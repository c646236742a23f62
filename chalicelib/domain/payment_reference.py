"""Payment references for bank transfers: ISO 11649 creditor references (RF + check digits)."""

from __future__ import annotations

import secrets

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

# Crockford's base32 without I, L, O, U: nothing a debtor can mistype for something else.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 10  # 50 bits: collisions are caught by the unique lookup, and are rare enough


def new_reference() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(BODY_LENGTH))
    check = mod_97_10.calc_check_digits(body + "RF")
    return f"RF{check}{body}"


def is_valid(reference: str) -> bool:
    return bool(iso11649.is_valid(reference))


def pretty(reference: str) -> str:
    """Groups of four, as printed on invoices and typed into banking apps."""
    compact = iso11649.compact(reference)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
