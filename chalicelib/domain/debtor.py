"""The debtor: who owes the claim, how to reach them, and what kind of customer they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DebtorKind(StrEnum):
    CONSUMER = "consumer"  # a consumer is involved: § 288(1) BGB interest, reminder fees at cost
    BUSINESS = "business"  # no consumer: § 288(2) interest and the § 288(5) flat fee (docs/law.md)


@dataclass(frozen=True)
class Debtor:
    name: str
    email: str
    phone: str  # E.164
    language: str
    kind: DebtorKind
    country: str  # ISO 3166-1 alpha-2
    customer_since: date | None = None
    opt_outs: frozenset[str] = frozenset()
