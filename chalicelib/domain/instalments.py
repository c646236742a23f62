"""Instalment plans: the schedule the debtor confirms, and how the plan stands at each wake-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from .agreements import require_day_between
from .errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .agreements import AgreementRules


@dataclass(frozen=True)
class Instalment:
    number: int  # 1-based, as the debtor reads it
    due: date
    amount: int  # minor units

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "due": self.due.isoformat(), "amount": self.amount}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Instalment:
        return cls(int(data["number"]), date.fromisoformat(str(data["due"])), int(data["amount"]))


def max_instalments_for(balance: int, rules: AgreementRules) -> int:
    """Small balances allow fewer instalments: each must stay worth the cost of collecting it."""
    return max(1, min(rules.max_instalments, balance // rules.min_instalment))


def _check_count(count: int, balance: int, rules: AgreementRules) -> None:
    most = max_instalments_for(balance, rules)
    if most < 2:
        raise InvalidInputError(
            "count", f"this balance is too small to split: each instalment must be at least {rules.min_instalment}"
        )
    if isinstance(count, bool) or not isinstance(count, int) or not 2 <= count <= most:
        raise InvalidInputError("count", f"choose from 2 to {most} instalments")


def _first_due_window(today: date, rules: AgreementRules) -> tuple[date, date]:
    return today + timedelta(days=1), today + timedelta(days=rules.first_instalment_within_days)


def instalment_schedule(
    balance: int, count: int, today: date, rules: AgreementRules, first_due: date | None = None
) -> tuple[Instalment, ...]:
    """Remainder cents go on the first instalment, so every later one is equal: easy to pay by standing order."""
    if balance <= 0:
        raise InvalidInputError("balance", "nothing is left to pay")
    _check_count(count, balance, rules)
    earliest, latest = _first_due_window(today, rules)
    first = latest if first_due is None else require_day_between("first_due", first_due, earliest, latest)
    base, rest = divmod(balance, count)
    interval = timedelta(days=rules.instalment_interval_days)
    return tuple(Instalment(n + 1, first + n * interval, base + (rest if n == 0 else 0)) for n in range(count))


def validate_schedule(
    instalments: Sequence[Instalment], balance: int, today: date, rules: AgreementRules
) -> tuple[Instalment, ...]:
    """A schedule sent back by the page is checked as if the debtor had typed it: nothing is trusted."""
    _check_count(len(instalments), balance, rules)
    total = sum(i.amount for i in instalments)
    if total != balance:
        raise InvalidInputError("amount", f"the instalments add up to {total}, the balance is {balance}")
    if any(i.amount < rules.min_instalment for i in instalments):
        raise InvalidInputError("amount", f"every instalment must be at least {rules.min_instalment}")
    earliest, latest = _first_due_window(today, rules)
    require_day_between("first_due", instalments[0].due, earliest, latest)
    for before, after in zip(instalments, instalments[1:], strict=False):
        gap = (after.due - before.due).days
        if not 1 <= gap <= rules.instalment_interval_days:
            raise InvalidInputError(
                "due", f"instalments must follow each other within {rules.instalment_interval_days} days"
            )
    return tuple(Instalment(n, i.due, i.amount) for n, i in enumerate(instalments, start=1))


class PlanAction(StrEnum):
    COMPLETED = "completed"  # every instalment paid: the claim is settled
    BROKEN = "broken"  # the ladder resumes for the remaining balance, in a firmer tone
    REMIND_LATE = "remind_late"  # a tolerated late instalment: remind once, grant another grace period
    REMIND_UPCOMING = "remind_upcoming"  # the next instalment falls due soon
    WAIT = "wait"  # nothing to do until wake_on (or a payment arrives)


@dataclass(frozen=True)
class PlanState:
    action: PlanAction
    next_due: Instalment | None  # the first instalment not yet covered by payments
    due_total: int  # what should have arrived by now: instalments whose grace has ended
    overdue: Instalment | None  # the first late instalment, if any
    late_count: int  # distinct instalments that were late during the plan, this one included
    broken: bool
    completed: bool
    last_late: int = 0  # the highest instalment number counted in late_count
    reminded_through: int = 0  # the highest instalment number reminded of before its due date
    wake_on: date | None = None  # when to evaluate again; None once the plan is over
    late_grace_until: str | None = None  # ISO day the reminded late instalment's extra grace ends

    @property
    def carry_over(self) -> dict[str, Any]:
        """What the workflow stores and passes back as keywords, so re-evaluating the same day counts nothing twice."""
        return {
            "late_so_far": self.late_count,
            "last_late": self.last_late,
            "reminded_through": self.reminded_through,
            "late_grace_until": self.late_grace_until,
        }


def _covered(schedule: Sequence[Instalment], paid: int) -> int:
    """Payments fill instalments in order: paying early or more covers the later ones."""
    return sum(1 for cumulative in accumulate(i.amount for i in schedule) if cumulative <= paid)


def evaluate_plan(
    schedule: Sequence[Instalment],
    paid_since_plan: int,
    today: date,
    rules: AgreementRules,
    late_so_far: int = 0,
    *,
    last_late: int = 0,
    reminded_through: int = 0,
    late_grace_until: str | None = None,
) -> PlanState:
    """Where the plan stands today, from the schedule, the money received since it began and what was counted before.

    An instalment is late once its grace has ended (today >= due + grace, the day the workflow
    checks) without the payments covering it. A tolerated late instalment is reminded of once and
    gets a second grace period; still unpaid after that, or one late instalment too many, and the
    plan is broken. The extra grace runs from the late reminder, never from a day the workflow
    slept through: a plan never breaks over an instalment the debtor was not reminded of.
    """
    grace = timedelta(days=rules.instalment_grace_days)
    due_total = sum(i.amount for i in schedule if today >= i.due + grace)
    covered = _covered(schedule, paid_since_plan)
    if covered == len(schedule):
        return PlanState(
            PlanAction.COMPLETED,
            None,
            due_total,
            None,
            late_so_far,
            broken=False,
            completed=True,
            last_late=last_late,
            reminded_through=reminded_through,
        )
    next_due = schedule[covered]
    late = [i for i in schedule[covered:] if today >= i.due + grace]
    newly_late = [i for i in late if i.number > last_late]
    late_count = late_so_far + len(newly_late)
    overdue = late[0] if late else None
    grace_until = date.fromisoformat(late_grace_until) if late_grace_until else None
    reminded_late = overdue is not None and overdue.number <= last_late
    if overdue is not None and newly_late:
        grace_until = max(overdue.due + 2 * grace, today + grace)
    grace_over = reminded_late and overdue is not None and today >= (grace_until or overdue.due + 2 * grace)
    broken = late_count > rules.late_instalments_tolerated or grace_over
    if broken:
        action = PlanAction.BROKEN
    elif newly_late:
        action = PlanAction.REMIND_LATE
    elif overdue is None and next_due.number > reminded_through and today >= reminder_day(next_due, rules):
        action, reminded_through = PlanAction.REMIND_UPCOMING, next_due.number
    else:
        action = PlanAction.WAIT
    return PlanState(
        action,
        next_due,
        due_total,
        overdue,
        late_count,
        broken=broken,
        completed=False,
        last_late=max([last_late, *(i.number for i in late)]),
        reminded_through=reminded_through,
        wake_on=None if broken else _wake(schedule, today, rules, grace_until),
        late_grace_until=grace_until.isoformat() if grace_until and overdue is not None else None,
    )


def _wake(schedule: Sequence[Instalment], today: date, rules: AgreementRules, grace_until: date | None) -> date:
    scheduled = next_wake(schedule, today, rules)
    return min(scheduled, grace_until) if grace_until and grace_until > today else scheduled


def reminder_day(instalment: Instalment, rules: AgreementRules) -> date:
    return instalment.due - timedelta(days=rules.instalment_reminder_days_before)


def next_wake(schedule: Sequence[Instalment], today: date, rules: AgreementRules) -> date:
    """The next day anything can change: a reminder, the end of a grace period or of the extra grace for a late one.

    Payments wake the workflow by themselves; if no day is left, look again tomorrow.
    """
    grace = timedelta(days=rules.instalment_grace_days)
    days = {day for i in schedule for day in (reminder_day(i, rules), i.due + grace, i.due + 2 * grace)}
    return min((day for day in days if day > today), default=today + timedelta(days=1))
