"""The pay page's GiroCode: an EPC069-12 QR code a banking app scans into a ready-made SEPA credit transfer."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import segno
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import iso11649

from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.payment_reference import is_valid

if TYPE_CHECKING:
    from chalicelib.domain.bank_account import CreditorAccount

# Limits of EPC069-12 version 002 (the "Quick Response Code" guidelines of the European Payments Council).
MAX_AMOUNT_MINOR = 99_999_999_999  # EUR 999,999,999.99
MAX_NAME_LENGTH = 70
MAX_REFERENCE_LENGTH = 35
MAX_TEXT_LENGTH = 140
MAX_PAYLOAD_BYTES = 331  # what a version 13 QR code holds at error correction level M
TARGET_WIDTH_PX = 200
QUIET_ZONE_MODULES = 4


def epc_payload(
    account: CreditorAccount, amount_minor: int, currency: str, reference: str | None, text: str | None
) -> str:
    """The text behind the GiroCode, so the debtor's banking app fills in payee, IBAN, amount and reference.

    A creditor reference wins over free text: the EPC format carries one or the other, and the reference is
    what matches the transfer to the claim. An amount of 0 leaves the amount for the debtor to enter.
    """
    if currency != "EUR":
        raise InvalidInputError("currency", f"a GiroCode pays euros only (SEPA credit transfer), not '{currency}'")
    name = _single_line("holder", account.holder, MAX_NAME_LENGTH)
    if not name:
        raise InvalidInputError("holder", "a GiroCode needs the account holder's name")
    if not _in_sepa_zone(account.iban):
        raise InvalidInputError("iban", f"{account.iban} is outside the SEPA zone, a GiroCode cannot pay it")
    structured = _creditor_reference(reference) if reference else ""
    unstructured = "" if structured else _single_line("text", text or "", MAX_TEXT_LENGTH)
    fields = [
        "BCD",  # service tag
        "002",  # version: the BIC is optional within the EEA
        "1",  # character set: UTF-8
        "SCT",  # SEPA credit transfer
        account.bic or "",
        name,
        account.iban,
        _amount(amount_minor),
        "",  # purpose code
        structured,
        unstructured,
    ]
    # The spec ends the payload after the last populated field, without a trailing separator.
    while not fields[-1]:
        fields.pop()
    payload = "\n".join(fields)
    size = len(payload.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        field = "text" if unstructured else "holder"
        raise InvalidInputError(field, f"the GiroCode holds at most {MAX_PAYLOAD_BYTES} bytes, this needs {size}")
    return payload


def girocode_svg(payload: str, *, title: str = "GiroCode") -> str:
    """Inline SVG for the pay page: sharp at any zoom, no image request, and named for screen readers."""
    qr = _qr(payload)
    width, _ = qr.symbol_size(scale=1, border=QUIET_ZONE_MODULES)
    # Whole pixels per module keep the edges crisp for a phone camera pointed at a screen.
    scale = max(1, round(TARGET_WIDTH_PX / width))
    svg = qr.svg_inline(scale=scale, border=QUIET_ZONE_MODULES, dark="#000", light="#fff", title=title)
    return svg.replace("<svg ", '<svg role="img" ', 1)


def girocode_png(payload: str, *, scale: int = 5) -> bytes:
    """A raster copy for emails, where inline SVG is not shown, and for decoding in tests."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="png", scale=scale, border=QUIET_ZONE_MODULES, dark="#000", light="#fff")
    return buffer.getvalue()


def _qr(payload: str) -> segno.QRCode:
    # EPC069-12 prescribes level M; segno would otherwise raise it when there is room. UTF-8 matches the
    # payload's character set 1 (segno's default would pick ISO 8859-1 for umlauts).
    return segno.make(payload, error="M", boost_error=False, encoding="utf-8", micro=False)


def _in_sepa_zone(iban: str) -> bool:
    try:
        return bool(IBAN(iban).in_sepa_zone)
    except SchwiftyException:
        return False


def _amount(amount_minor: int) -> str:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise InvalidInputError("amount", "amounts are integer minor units (cents)")
    if amount_minor == 0:
        return ""
    if not 1 <= amount_minor <= MAX_AMOUNT_MINOR:
        raise InvalidInputError("amount", "a GiroCode amount lies between EUR 0.01 and EUR 999999999.99")
    euros, cents = divmod(amount_minor, 100)
    return f"EUR{euros}.{cents:02d}"


def _creditor_reference(reference: str) -> str:
    compact = str(iso11649.compact(reference))
    if len(compact) > MAX_REFERENCE_LENGTH or not is_valid(compact):
        raise InvalidInputError("reference", f"'{reference}' is not an ISO 11649 creditor reference (RF…)")
    return compact


def _single_line(field: str, value: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidInputError(field, f"at most {limit} characters in a GiroCode, got {len(value)}")
    if not value.isprintable():
        raise InvalidInputError(field, "line breaks and control characters would break the GiroCode")
    return value
