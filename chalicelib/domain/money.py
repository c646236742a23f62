"""Money as integer minor units of an ISO 4217 currency; never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, total_ordering

from babel.numbers import format_currency, get_currency_precision, list_currencies

from .errors import CurrencyMismatchError, InvalidInputError
from .languages import locale_of

MAX_AMOUNT = 10**12  # minor units: the most one claim or order may ask for; anything larger is a unit mistake
# Funds, precious metals and testing codes are ISO 4217 entries but no one pays a claim in them.
_NOT_FOR_CLAIMS = {"XAU", "XAG", "XPD", "XPT", "XTS", "XXX", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA"}


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(code for code in list_currencies() if len(code) == 3 and code not in _NOT_FOR_CLAIMS)


def validate_currency(code: str) -> str:
    if code not in known_currencies():
        raise InvalidInputError("currency", f"'{code}' is not an ISO 4217 currency code")
    return code


@total_ordering
@dataclass(frozen=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("money amounts are integer minor units")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} and {other.currency} cannot be combined")

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def format(self, language: str) -> str:
        """Human form for messages, e.g. '1.234,56 €' in German, '€1,234.56' in English."""
        digits = get_currency_precision(self.currency)
        return str(format_currency(Decimal(self.amount).scaleb(-digits), self.currency, locale=locale_of(language)))
