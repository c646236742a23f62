"""Bank statement files for the demo and the tests, filled in from the templates in tests/events/bank."""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib.asl import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "tests" / "events" / "bank"
# What fills the placeholders a caller does not use: text and names that match no claim.
UNUSED: dict[str, Any] = {
    "CLOSING_BALANCE": 1234567,
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
}


def statement_file(name: str, **values: Any) -> bytes:
    """A statement from a template (see tests/events/bank/README.md); amounts are given in minor units."""
    filled = {**UNUSED, "MSG_ID": f"STMT{uuid.uuid4().hex[:10].upper()}", **values}
    filled["BATCH_TOTAL"] = filled["AMOUNT2"] + filled["AMOUNT3"]
    separator = "," if name.endswith(".sta") else "."  # MT940 writes a decimal comma
    for key, value in list(filled.items()):
        if key.startswith(("AMOUNT", "BATCH", "CLOSING")):
            filled[key] = f"{value // 100}{separator}{value % 100:02d}"
    filled.update(REF2_HEAD=str(filled["REF2"])[:7], REF2_TAIL=str(filled["REF2"])[7:])
    return (TEMPLATES / name).read_text(encoding="utf-8").format_map(filled).encode()
