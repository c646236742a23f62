"""Bank statement files for the demo and the tests, filled in from the templates in tests/events/bank."""

from __future__ import annotations

import re
import uuid
from typing import Any

from chalicelib.asl import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "tests" / "events" / "bank"
OPENING_BALANCE = 1234567  # minor units; written into each template
# Per template: what it books besides its {AMOUNTn} placeholders (the insurer's refund and a direct debit),
# and the sign of those: credits add to the balance, a reversal takes money off it.
_BOOKS = {"camt053_reversal.xml": (0, -1), "mt940_reversal.sta": (0, -1)}
_CREDITS = (1730 - 8900, 1)
# What fills the placeholders a caller does not use: text and names that match no claim.
UNUSED: dict[str, Any] = {
    "REF1": "4711",
    "REF2": "RG-2026-0815",
    "REF3": "RG-2026-0816",
    "REF4": "RG-2026-0817",
    "NAME1": "Karl Unbekannt",
    "NAME2": "Petra Niemand",
    "NAME3": "Fremdfirma KG",
    "NAME5": "Otto Irgendwer",
    "AMOUNT1": 111,
    "AMOUNT2": 222,
    "AMOUNT3": 333,
    "AMOUNT5": 555,
    "E2E1": "NOTPROVIDED",
}
_BOOKED = re.compile(r"\{(AMOUNT\d)\}")


def statement_file(name: str, **values: Any) -> bytes:
    """A statement from a template (see tests/events/bank/README.md); amounts are given in minor units.

    The closing balance is the opening balance plus every booking, unless given: an MT940 statement that
    does not add up is refused.
    """
    template = (TEMPLATES / name).read_text(encoding="utf-8")
    filled = {**UNUSED, "MSG_ID": f"STMT{uuid.uuid4().hex[:10].upper()}", **values}
    filled["BATCH_TOTAL"] = filled["AMOUNT2"] + filled["AMOUNT3"]
    filled.setdefault("CLOSING_BALANCE", closing_balance(name, **values))
    separator = "," if name.endswith(".sta") else "."  # MT940 writes a decimal comma
    for key, value in list(filled.items()):
        if key.startswith(("AMOUNT", "BATCH", "CLOSING")):
            filled[key] = f"{value // 100}{separator}{value % 100:02d}"
    filled.update(REF2_HEAD=str(filled["REF2"])[:7], REF2_TAIL=str(filled["REF2"])[7:])
    return template.format_map(filled).encode()


def closing_balance(name: str, **values: Any) -> int:
    """The template's opening balance plus every booking it makes with these amounts, in minor units."""
    template = (TEMPLATES / name).read_text(encoding="utf-8")
    amounts = {**UNUSED, **values}
    fixed, sign = _BOOKS.get(name, _CREDITS)
    return OPENING_BALANCE + fixed + sign * sum(amounts[p] for p in set(_BOOKED.findall(template)))
