"""Promises to pay and hardship pauses: the debtor asks the ladder to wait until a date."""

from __future__ import annotations

from datetime import date, timedelta

from .agreements import AgreementRules, require_day_between
from .errors import InvalidInputError

MAX_REASON_LENGTH = 2000


def validate_promise(promised: date, today: date, rules: AgreementRules) -> date:
    """Today is not a promise but paying now, so the window starts tomorrow and ends at the tenant's limit."""
    latest = today + timedelta(days=rules.promise_max_days)
    return require_day_between("date", promised, today + timedelta(days=1), latest)


def promise_deadline(promised: date, rules: AgreementRules) -> date:
    """The day the workflow checks the promise: the grace lets a payment made on the promised day arrive."""
    return promised + timedelta(days=rules.promise_grace_days)


def promise_missed(promised: date, today: date, rules: AgreementRules) -> bool:
    """Whether an unpaid promise counts as broken today; the caller knows whether the balance is still open."""
    return today >= promise_deadline(promised, rules)


def validate_pause(reason: str, days: int | None, pauses_taken: int, today: date, rules: AgreementRules) -> date:
    """Hardship gets a breathing space once (per the tenant's rule), never an open-ended stop of the ladder.

    Returns the day the pause ends and the ladder resumes.
    """
    if pauses_taken >= rules.pauses_per_claim:
        if rules.pauses_per_claim == 0:
            raise InvalidInputError("pause", "this merchant does not grant pauses")
        times = "once" if rules.pauses_per_claim == 1 else f"{rules.pauses_per_claim} times"
        raise InvalidInputError("pause", f"a pause can be granted only {times} per claim")
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("reason", "tell us briefly why you need a pause")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInputError("reason", f"at most {MAX_REASON_LENGTH} characters")
    if days is None:
        days = rules.pause_max_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= rules.pause_max_days:
        raise InvalidInputError("days", f"choose from 1 to {rules.pause_max_days} days")
    return today + timedelta(days=days)
