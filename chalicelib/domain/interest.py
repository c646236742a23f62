"""Statutory default interest (§ 288 BGB): base rate + 5 pp (consumer) or + 9 pp (business); see docs/law.md.

Rates are effective-dated data (data/de_base_rates.json), split at every change of the base
rate, actual days / 365. A period whose base rate the operator has not entered yet is not
charged: never charge more than the law allows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

CONSUMER_MARGIN = Decimal("5")
BUSINESS_MARGIN = Decimal("9")


@dataclass(frozen=True)
class RatePeriod:
    valid_from: date
    base_percent: Decimal | None


@dataclass(frozen=True)
class InterestPeriod:
    start: date  # first day interest runs
    end: date  # last day, inclusive
    percent: Decimal | None  # annual rate applied; None: base rate unknown, not charged
    amount: int  # minor units

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@cache
def base_rates() -> tuple[RatePeriod, ...]:
    raw = json.loads(resources.files("chalicelib.domain.data").joinpath("de_base_rates.json").read_text())
    periods = (
        RatePeriod(date.fromisoformat(r["valid_from"]), Decimal(r["percent"]) if r["percent"] is not None else None)
        for r in raw["rates"]
    )
    return tuple(sorted(periods, key=lambda p: p.valid_from))


def default_interest(
    principal: int, first_day: date, last_day: date, business: bool, rates: tuple[RatePeriod, ...] | None = None
) -> list[InterestPeriod]:
    """Interest on `principal` (minor units) for the days first_day..last_day, one row per rate period."""
    rates = rates if rates is not None else base_rates()
    margin = BUSINESS_MARGIN if business else CONSUMER_MARGIN
    rows: list[InterestPeriod] = []
    for i, period in enumerate(rates):
        next_from = rates[i + 1].valid_from if i + 1 < len(rates) else date.max
        start, end = max(first_day, period.valid_from), min(last_day, next_from - timedelta(days=1))
        if start > end:
            continue
        percent = None if period.base_percent is None else period.base_percent + margin
        amount = 0 if percent is None else _interest(principal, percent, (end - start).days + 1)
        rows.append(InterestPeriod(start, end, percent, amount))
    return rows


def _interest(principal: int, percent: Decimal, days: int) -> int:
    exact = Decimal(principal) * percent / Decimal(100) * Decimal(days) / Decimal(365)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
