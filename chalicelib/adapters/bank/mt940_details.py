"""The :86: field of an MT940 booking, who paid and what for, in the dialects banks write it.

- DK (Deutsche Kreditwirtschaft, German banks; Triodos with '>'): a three-digit business transaction code
  (GVC) and ?-subfields: ?20–?29 and ?60–?63 the purpose with SEPA keywords (EREF+, SVWZ+, …), ?31 the
  payer's account, ?32/?33 the name. The subfields and the lines are fixed-width pieces of one text: a
  piece that fills its 27 characters runs on into the next, a shorter one ended at a word.
- SWIFT codes (Rabobank, bunq, ABN AMRO SEPA): `/NAME/…/IBAN/…/REMI/…/EREF/…`.
- Penta (solarisBank): `999<TYPE>:<purpose>:<name>:<IBAN>[:<category>]`.
- mBank: `<code> <text>; Z RACH.: <account>; OD: <name  address>; TYT.: <purpose>; …`.
- ASN and SNS: the first line repeats the :61: reference (the payer's account) and name; the rest is text.
- Anything else is free text, in lines of up to 65 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import iban as iso13616

DK_PIECE = 27  # characters of a ?-subfield
LINE = 65  # characters of an :86: line
_DK = re.compile(r"^\s*(\d{3})([?>])\d\d")
_KEYWORD = re.compile(r"^(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|SQTP|MDAT|ORCR|ORMR|DDAT|COAM|OAMT)\+")
_PURPOSE = frozenset({*(f"{n}" for n in range(20, 30)), "60", "61", "62", "63"})
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_SWIFT_CODES = (
    "TRTP|IBAN|BIC|NAME|REMI|EREF|KREF|MARF|CSID|ORDP|BENM|ID|ADDR|ISDT|RTRN|PREF|CNTP|ULTC|ULTD|ULTB|PURP|SVCL"
)
_SWIFT = re.compile(rf"/({_SWIFT_CODES})/")
_PENTA = re.compile(r"^999([A-Z][A-Z_]+):(.*)$", re.S)
_MBANK_KEY = re.compile(r"^(Z RACH\.|OD|TYT\.|TNR|ID IPH|DLA|NA RACH\.):\s*(.*)$", re.S)


@dataclass(frozen=True)
class Details:
    remittance: str = ""
    name: str | None = None
    iban: str | None = None
    end_to_end_id: str | None = None
    gvc: str | None = None  # DK: the business transaction code (159 a returned transfer, 166 a SEPA credit, …)


def read_details(lines: list[str], reference: str | None, supplementary: str | None) -> Details:
    """The booking's text, from its :86: lines as the file has them (the first of each still begins ':86:').

    `reference` and `supplementary` are the :61: customer reference and the :61: line's second line.
    """
    structured = _dk([_content(line) for line in lines])
    if structured is not None:
        return structured
    text = glued(lines)
    for reader in (_penta, _swift_codes, _mbank):
        found = reader(text)
        if found is not None:
            return found
    return _asn(lines, reference, supplementary) or Details(remittance=_collapsed(text).removeprefix("999").strip())


def iban(raw: str | None) -> str | None:
    """An IBAN as the bank wrote it, spaces removed; anything that is not shaped like one is no IBAN."""
    compact = (raw or "").replace(" ", "").upper()
    return compact if _IBAN_SHAPE.match(compact) else None


def glued(lines: list[str]) -> str:
    """Lines of an unstructured field; one that fills the line (64 or 65 characters) was cut mid-word.

    Banks count the width with or without the ':86:' tag; a longer line was not wrapped at all.
    """
    text = ""
    full = False
    for line in lines:
        content = _content(line)
        text += content if full else " " + content
        full = LINE - 1 <= len(content) <= LINE
    return text


def _content(line: str) -> str:
    return line.removeprefix(":86:")


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def _dk(lines: list[str]) -> Details | None:
    joined = "".join(lines)  # a line break inside the DK structure is no separator: it may split a ?-code
    head = _DK.match(joined)
    if head is None:
        return None
    gvc, separator = head.group(1), head.group(2)
    pieces = re.split(rf"\{separator}(\d\d)", joined[head.end(1) :])[1:]
    fields: list[tuple[str, str]] = list(zip(pieces[0::2], pieces[1::2], strict=True))
    segments = _segments([value for code, value in fields if code in _PURPOSE])
    remittance = " ".join(text for key, text in segments if key in {"", "SVWZ"})
    names = _pieced([value for code, value in fields if code in {"32", "33"}])
    accounts = [value for code, value in fields if code in {"31", "38"}] + [t for k, t in segments if k == "IBAN"]
    return Details(
        remittance=_collapsed(remittance),
        name=names or next((text for key, text in segments if key == "ABWA"), None),
        iban=next((found for account in accounts if (found := iban(account))), None),
        end_to_end_id=next((text for key, text in segments if key == "EREF"), None),
        gvc=gvc,
    )


def _segments(pieces: list[str]) -> list[tuple[str, str]]:
    """The purpose split at its SEPA keywords, each of which opens a subfield: [(keyword or "", text)]."""
    segments: list[tuple[str, list[str]]] = [("", [])]
    for piece in pieces:
        keyword = _KEYWORD.match(piece)
        if keyword:
            segments.append((keyword.group(1), [piece]))
        else:
            segments[-1][1].append(piece)
    result = []
    for key, parts in segments:
        text = _pieced(parts)
        result.append((key, text.removeprefix(f"{key}+").strip() if key else text))
    return [(key, text) for key, text in result if text]


def _pieced(pieces: list[str]) -> str:
    text = ""
    for previous, piece in zip(["", *pieces], pieces, strict=False):
        text += piece if len(previous) >= DK_PIECE else " " + piece
    return " ".join(text.split())


def _penta(text: str) -> Details | None:
    found = _PENTA.match(text.strip())
    if found is None:
        return None
    parts = found.group(2).split(":")
    at = next((i for i in range(len(parts) - 1, 0, -1) if iban(parts[i])), None)
    if at is None:
        return None
    purpose = " ".join([":".join(parts[: at - 1]), *parts[at + 1 :]])
    return Details(remittance=_collapsed(purpose), name=_collapsed(parts[at - 1]) or None, iban=iban(parts[at]))


def _swift_codes(text: str) -> Details | None:
    text = text.strip()
    if not _SWIFT.match(text):
        return None
    pieces = _SWIFT.split(text)[1:]
    values: dict[str, str] = {}
    for code, value in zip(pieces[0::2], pieces[1::2], strict=True):
        values.setdefault(code, value.strip())
    remittance = values.get("REMI", "").removeprefix("USTD//").strip("/ ")
    return Details(
        remittance=_collapsed(remittance),
        name=_collapsed(values.get("NAME", "")) or None,
        iban=iban(values.get("IBAN")),
        end_to_end_id=values.get("EREF") or None,
    )


def _mbank(text: str) -> Details | None:
    fields: dict[str, str] = {}
    for part in text.split(";"):
        if found := _MBANK_KEY.match(part.strip()):
            fields.setdefault(found.group(1), found.group(2))
    if "TYT." not in fields:
        return None
    account = re.sub(r"\D", "", fields.get("Z RACH.", ""))
    polish = f"PL{account}" if len(account) == 26 else None  # mBank writes the Polish account number (NRB)
    name = re.split(r"\s{2,}", fields.get("OD", "").strip())[0]  # the name, then the address after a gap
    return Details(
        remittance=_collapsed(fields["TYT."]),
        name=name or None,
        iban=polish if polish and iso13616.is_valid(polish) else None,
    )


def _asn(lines: list[str], reference: str | None, supplementary: str | None) -> Details | None:
    if not lines or not reference or not supplementary:
        return None
    if _collapsed(_content(lines[0])) != _collapsed(f"{reference} {supplementary}"):
        return None
    return Details(remittance=_collapsed(glued(lines[1:])), name=_collapsed(supplementary), iban=iban(reference))
