"""What every new claim must satisfy, whichever way it arrives: the claims API, the generic webhook or a shop's order.

The request models check the shape of what a caller sent; these rules check what a claim needs to be dunned at
all, and they run for every source, so a Shopify order cannot bring in what the API refuses.

Dates: a claim's due and invoice dates lie between ten years before and one year after today. Ten years is the
longest regular limitation period of the countries Mahnwerk writes to (Art. 127 OR in Switzerland; Germany's
§ 199 (4) BGB caps at ten years as well), so an older claim is not one to remind anybody of; a due date more than
a year ahead is not overdue in any sense a ladder could act on. Beyond these bounds lie only typing mistakes
(2062 for 2026) and the year 9999, whose stage dates no calendar can hold.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from .errors import InvalidInputError
from .languages import is_language
from .text import control_character, require_printable

if TYPE_CHECKING:
    from .debtor import Debtor

MAX_AGE_YEARS = 10
MAX_AHEAD = timedelta(days=366)
DATE_RANGE = "between ten years before and one year after today"  # for the API's description


def check_new_claim(
    external_id: str,
    debtor: Debtor,
    due_date: date,
    invoice_date: date | None,
    description: str | None,
    today: date,
) -> None:
    """Raise InvalidInputError naming the first field a claim cannot have."""
    require_printable(external_id, "external_id")
    check_debtor(debtor)
    require_printable(description, "description")
    earliest, latest = date_bounds(today)
    _require_between("due_date", due_date, earliest, latest)
    if invoice_date is not None:
        _require_between("invoice_date", invoice_date, earliest, latest)
        if invoice_date > due_date:
            raise InvalidInputError("invoice_date", "must not be after due_date")


def check_debtor(debtor: Debtor) -> None:
    for field in ("name", "email", "phone", "country"):
        require_printable(getattr(debtor, field), f"debtor.{field}")
    if not is_language(debtor.language):
        raise InvalidInputError("debtor.language", f"'{_shown(debtor.language)}' is not an ISO 639-1 language code")


def date_bounds(today: date) -> tuple[date, date]:
    """The first and last day a new claim's dates may name."""
    try:
        earliest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February, ten years before a non-leap year
        earliest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    return earliest, today + MAX_AHEAD


def _require_between(field: str, value: date, earliest: date, latest: date) -> None:
    if not earliest <= value <= latest:
        raise InvalidInputError(field, f"{value.isoformat()} is not {DATE_RANGE} ({earliest} to {latest})")


def _shown(value: str) -> str:
    """A refused value as the error may quote it: printable and short."""
    return value[:16] if control_character(value) is None else "…"
