"""The tenant's rules for what a debtor may agree to on the pay page: promises, instalments, pauses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from .errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

_FIELD = "agreement_rules"
# (lowest, highest) per rule: generous upper bounds only keep a typo from freezing a claim for years.
_BOUNDS: dict[str, tuple[int, int | None]] = {
    "promise_max_days": (1, 365),
    # Grace ends on the day the workflow checks; at least 1, or paying on the day itself would be too late.
    "promise_grace_days": (1, 60),
    "max_instalments": (2, 60),
    "min_instalment": (1, None),
    "first_instalment_within_days": (1, 90),
    "instalment_interval_days": (1, 365),
    "instalment_reminder_days_before": (0, 60),
    "instalment_grace_days": (1, 60),
    "late_instalments_tolerated": (0, 60),
    "pause_max_days": (1, 365),
    "pauses_per_claim": (0, 12),
}


@dataclass(frozen=True)
class AgreementRules:
    """Defaults suit a consumer shop; each tenant may override any of them (stored on the tenant)."""

    promise_max_days: int = 14
    promise_grace_days: int = 3  # a bank transfer started on the promised day needs time to arrive
    max_instalments: int = 6
    min_instalment: int = 2000  # minor units of the claim's currency
    first_instalment_within_days: int = 7
    instalment_interval_days: int = 30
    instalment_reminder_days_before: int = 3
    instalment_grace_days: int = 3
    late_instalments_tolerated: int = 1
    pause_max_days: int = 30
    pauses_per_claim: int = 1

    def __post_init__(self) -> None:
        for name, (lowest, highest) in _BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInputError(_FIELD, f"{name} must be a whole number")
            if value < lowest or (highest is not None and value > highest):
                allowed = f"at least {lowest}" if highest is None else f"between {lowest} and {highest}"
                raise InvalidInputError(_FIELD, f"{name} must be {allowed}, not {value}")

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> AgreementRules:
        """A tenant stores only its overrides: missing rules take the defaults, unknown ones are refused."""
        data = data or {}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInputError(_FIELD, f"unknown rule(s): {', '.join(unknown)}")
        return cls(**data)


DEFAULT_RULES = AgreementRules()


def require_day_between(field: str, day: date, earliest: date, latest: date) -> date:
    """One wording for every date window the pay page offers, so the debtor sees the range to pick from."""
    if not earliest <= day <= latest:
        raise InvalidInputError(field, f"choose a day from {earliest.isoformat()} to {latest.isoformat()}")
    return day
