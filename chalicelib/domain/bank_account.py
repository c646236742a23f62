"""The creditor's bank account printed on the pay page and encoded in the GiroCode, validated with schwifty."""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from .errors import InvalidInputError

HOLDER_MAX_LENGTH = 70  # EPC069-12: the beneficiary name of a SEPA credit transfer


@dataclass(frozen=True)
class CreditorAccount:
    """Where the debtor's money goes: the account holder, a compact upper-case IBAN and, if known, the BIC."""

    holder: str
    iban: str
    bic: str | None

    @classmethod
    def parse(cls, holder: str, iban: str, bic: str | None = None) -> CreditorAccount:
        """Checks what a merchant typed before a debtor transfers money to it; a typo here sends payments astray.

        Accepts spaces and lower case. Without a BIC, derives one from the IBAN's bank code where schwifty's
        bank registry knows it.
        """
        account_iban = _parse_iban(iban)
        account_bic = _parse_bic(bic, account_iban) if bic and bic.strip() else _derived_bic(account_iban)
        return cls(holder=_parse_holder(holder), iban=account_iban.compact, bic=account_bic)

    @property
    def iban_pretty(self) -> str:
        """Groups of four, as printed on invoices and typed into banking apps."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))


def _parse_holder(holder: str) -> str:
    name = holder.strip()
    if not name:
        raise InvalidInputError("holder", "the account holder's name is required")
    if len(name) > HOLDER_MAX_LENGTH:
        raise InvalidInputError("holder", f"at most {HOLDER_MAX_LENGTH} characters, got {len(name)}")
    if not name.isprintable():
        # A line break would split the name across two fields of the EPC QR payload.
        raise InvalidInputError("holder", "line breaks and control characters are not allowed")
    return name


def _parse_iban(iban: str) -> IBAN:
    # National BBAN checksums are left unchecked on purpose: the ISO 7064 check digits already catch every
    # single typo and swapped pair, and a wrong national algorithm would lock a merchant out of a real account.
    try:
        return IBAN(iban)
    except SchwiftyException as exc:
        raise InvalidInputError("iban", f"'{iban}' is not a valid IBAN: {_reason(exc)}") from exc


def _parse_bic(bic: str, iban: IBAN) -> str:
    try:
        parsed = BIC(bic)
    except SchwiftyException as exc:
        raise InvalidInputError("bic", f"'{bic}' is not a valid BIC: {_reason(exc)}") from exc
    if not _belongs_to_bank_of(parsed, iban):
        expected = _derived_bic(iban)
        hint = f" (expected {expected})" if expected else ""
        raise InvalidInputError("bic", f"{parsed.compact} is not the BIC of the bank of IBAN {iban.formatted}{hint}")
    return str(parsed.compact)


def _belongs_to_bank_of(bic: BIC, iban: IBAN) -> bool:
    """Compares with schwifty's bank registry; a bank it does not know gets the benefit of the doubt.

    Banks with branches use several BICs, so sharing the institution and country code (the first six
    characters) with a registered BIC of the IBAN's bank counts as a match.
    """
    try:
        registered = BIC.candidates_from_bank_code(iban.country_code, iban.bank_code)
    except SchwiftyException:
        return True
    if not registered or iban.bank_code in bic.domestic_bank_codes:
        return True
    return any(candidate.compact[:6] == bic.compact[:6] for candidate in registered)


def _derived_bic(iban: IBAN) -> str | None:
    try:
        derived = iban.bic
    except SchwiftyException:
        return None
    return str(derived.compact) if derived else None


def _reason(exc: SchwiftyException) -> str:
    return str(exc) or type(exc).__name__
