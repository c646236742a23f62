"""Instalment plans: the schedule the pay page shows, and the plan watched day by day until paid or broken."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain.agreements import DEFAULT_RULES, AgreementRules
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.instalments import (
    Instalment,
    PlanAction,
    PlanState,
    evaluate_plan,
    instalment_schedule,
    max_instalments_for,
    next_wake,
    validate_schedule,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 2)
# 300.00 in three: due 9 Mar, 8 Apr, 8 May; reminders 3 days before; grace ends 3 days after.
PLAN = instalment_schedule(30000, 3, TODAY, DEFAULT_RULES)
FIRST, SECOND, THIRD = PLAN


def on(month: int, day: int) -> date:
    return date(2026, month, day)


def walk(
    payments: dict[date, int], until: date, rules: AgreementRules = DEFAULT_RULES
) -> tuple[list[tuple[date, PlanAction]], PlanState]:
    """Evaluates the plan every day, as the workflow's daily recheck does, carrying over what it returns."""
    paid = 0
    carry: dict[str, Any] = {}
    seen: list[tuple[date, PlanAction]] = []
    day = TODAY
    while True:
        paid += payments.get(day, 0)
        state = evaluate_plan(PLAN, paid, day, rules, **carry)
        carry = state.carry_over
        if state.action != PlanAction.WAIT:
            seen.append((day, state.action))
        if state.broken or state.completed or day >= until:
            return seen, state
        day += timedelta(days=1)


# --- the schedule --------------------------------------------------------------------------------


def test_a_schedule_starts_a_week_from_today_and_repeats_every_thirty_days() -> None:
    assert PLAN == (
        Instalment(1, on(3, 9), 10000),
        Instalment(2, on(4, 8), 10000),
        Instalment(3, on(5, 8), 10000),
    )


@pytest.mark.parametrize(
    ("balance", "count", "amounts"),
    [(10001, 3, [3335, 3333, 3333]), (10000, 3, [3334, 3333, 3333]), (12345, 6, [2060, 2057, 2057, 2057, 2057, 2057])],
)
def test_amounts_add_up_exactly_with_the_remainder_on_the_first(balance: int, count: int, amounts: list[int]) -> None:
    schedule = instalment_schedule(balance, count, TODAY, DEFAULT_RULES)
    assert [i.amount for i in schedule] == amounts
    assert sum(amounts) == balance
    assert all(i.amount >= DEFAULT_RULES.min_instalment for i in schedule)


@pytest.mark.parametrize(("balance", "most"), [(5000, 2), (5999, 2), (6000, 3), (100000, 6), (3999, 1), (500, 1)])
def test_the_minimum_instalment_limits_how_many_instalments_a_balance_allows(balance: int, most: int) -> None:
    assert max_instalments_for(balance, DEFAULT_RULES) == most


@pytest.mark.parametrize("count", [1, 3, 0])
def test_a_count_outside_the_allowed_range_is_refused_naming_the_range(count: int) -> None:
    with pytest.raises(InvalidInputError) as error:
        instalment_schedule(5000, count, TODAY, DEFAULT_RULES)
    assert error.value.field == "count"
    assert "2 to 2" in error.value.message


def test_more_instalments_than_the_tenant_allows_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="2 to 6"):
        instalment_schedule(100000, 7, TODAY, DEFAULT_RULES)


def test_a_balance_too_small_to_split_is_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        instalment_schedule(3999, 2, TODAY, DEFAULT_RULES)
    assert error.value.field == "count"
    assert "too small" in error.value.message


def test_the_debtor_may_choose_an_earlier_first_due_date() -> None:
    schedule = instalment_schedule(30000, 3, TODAY, DEFAULT_RULES, first_due=on(3, 3))
    assert [i.due for i in schedule] == [on(3, 3), on(4, 2), on(5, 2)]


@pytest.mark.parametrize("first_due", [TODAY, on(3, 10), on(2, 1)])
def test_a_first_due_date_outside_tomorrow_to_a_week_is_refused(first_due: date) -> None:
    with pytest.raises(InvalidInputError) as error:
        instalment_schedule(30000, 3, TODAY, DEFAULT_RULES, first_due=first_due)
    assert error.value.field == "first_due"
    assert "2026-03-03 to 2026-03-09" in error.value.message


def test_a_schedule_sent_back_by_the_page_is_accepted_when_it_keeps_the_rules() -> None:
    assert validate_schedule(PLAN, 30000, TODAY, DEFAULT_RULES) == PLAN


def test_a_schedule_whose_amounts_do_not_add_up_is_refused_naming_the_amount() -> None:
    short = (FIRST, SECOND, Instalment(3, THIRD.due, 9999))
    with pytest.raises(InvalidInputError) as error:
        validate_schedule(short, 30000, TODAY, DEFAULT_RULES)
    assert error.value.field == "amount"
    assert "29999" in error.value.message


def test_a_schedule_with_an_instalment_below_the_minimum_is_refused() -> None:
    lopsided = (Instalment(1, FIRST.due, 28500), Instalment(2, SECOND.due, 1500))
    with pytest.raises(InvalidInputError, match="at least 2000"):
        validate_schedule(lopsided, 30000, TODAY, DEFAULT_RULES)


def test_a_schedule_with_gaps_longer_than_the_interval_is_refused() -> None:
    stretched = (FIRST, Instalment(2, on(6, 1), 20000))
    with pytest.raises(InvalidInputError) as error:
        validate_schedule(stretched, 30000, TODAY, DEFAULT_RULES)
    assert error.value.field == "due"


# --- the plan over time --------------------------------------------------------------------------


def test_on_time_payments_complete_the_plan_with_one_reminder_before_each_instalment() -> None:
    seen, state = walk({on(3, 9): 10000, on(4, 8): 10000, on(5, 8): 10000}, until=on(6, 1))
    assert seen == [
        (on(3, 6), PlanAction.REMIND_UPCOMING),
        (on(4, 5), PlanAction.REMIND_UPCOMING),
        (on(5, 5), PlanAction.REMIND_UPCOMING),
        (on(5, 8), PlanAction.COMPLETED),
    ]
    assert state.completed
    assert state.late_count == 0
    assert state.wake_on is None


def test_one_late_instalment_is_reminded_once_and_tolerated() -> None:
    seen, state = walk({on(3, 14): 10000, on(4, 8): 10000, on(5, 8): 10000}, until=on(6, 1))
    assert (on(3, 12), PlanAction.REMIND_LATE) in seen
    assert [action for _, action in seen].count(PlanAction.REMIND_LATE) == 1
    assert state.completed
    assert state.late_count == 1


def test_a_late_instalment_counts_as_late_but_does_not_break_the_plan() -> None:
    state = evaluate_plan(PLAN, 0, on(3, 12), DEFAULT_RULES)
    assert state.action == PlanAction.REMIND_LATE
    assert state.late_count == 1
    assert state.overdue == FIRST
    assert not state.broken
    assert state.wake_on == on(3, 15)  # the end of the extra grace


def test_a_late_instalment_still_unpaid_after_the_extra_grace_breaks_the_plan() -> None:
    seen, state = walk({}, until=on(6, 1))
    assert seen == [
        (on(3, 6), PlanAction.REMIND_UPCOMING),
        (on(3, 12), PlanAction.REMIND_LATE),
        (on(3, 15), PlanAction.BROKEN),
    ]
    assert state.broken
    assert state.wake_on is None


def test_a_partial_payment_does_not_cover_a_late_instalment() -> None:
    _, state = walk({on(3, 9): 9000}, until=on(6, 1))
    assert state.broken
    assert state.overdue == FIRST


def test_a_second_late_instalment_breaks_the_plan() -> None:
    seen, state = walk({on(3, 14): 10000, on(4, 12): 10000}, until=on(6, 1))
    assert seen[-1] == (on(4, 11), PlanAction.BROKEN)
    assert state.late_count == 2
    assert state.overdue == SECOND


def test_a_tenant_that_tolerates_no_late_instalment_breaks_the_plan_at_the_first() -> None:
    _, state = walk({}, until=on(6, 1), rules=AgreementRules(late_instalments_tolerated=0))
    assert state.broken
    assert state.late_count == 1


def test_re_evaluating_the_same_day_counts_a_late_instalment_only_once() -> None:
    first = evaluate_plan(PLAN, 0, on(3, 12), DEFAULT_RULES)
    again = evaluate_plan(PLAN, 5000, on(3, 13), DEFAULT_RULES, **first.carry_over)
    assert again.late_count == 1
    assert again.action == PlanAction.WAIT
    assert not again.broken


def test_paying_ahead_covers_later_instalments_and_skips_their_reminders() -> None:
    seen, state = walk({on(3, 5): 20000, on(5, 8): 10000}, until=on(6, 1))
    assert seen == [(on(5, 5), PlanAction.REMIND_UPCOMING), (on(5, 8), PlanAction.COMPLETED)]
    assert state.late_count == 0


def test_the_plan_tells_what_should_have_arrived_and_what_is_next() -> None:
    state = evaluate_plan(PLAN, 10000, on(4, 11), DEFAULT_RULES)
    assert state.due_total == 20000
    assert state.next_due == SECOND
    assert state.overdue == SECOND


def test_paying_everything_at_once_completes_the_plan_at_once() -> None:
    state = evaluate_plan(PLAN, 30500, TODAY, DEFAULT_RULES)
    assert state.action == PlanAction.COMPLETED
    assert state.next_due is None


@pytest.mark.parametrize(
    ("today", "wake"),
    [(TODAY, on(3, 6)), (on(3, 6), on(3, 12)), (on(3, 12), on(3, 15)), (on(3, 15), on(4, 5)), (on(5, 11), on(5, 14))],
)
def test_the_workflow_wakes_for_the_next_reminder_check_or_end_of_extra_grace(today: date, wake: date) -> None:
    assert next_wake(PLAN, today, DEFAULT_RULES) == wake


def test_after_the_last_date_of_the_plan_the_workflow_looks_again_tomorrow() -> None:
    assert next_wake(PLAN, on(6, 1), DEFAULT_RULES) == on(6, 2)


def test_an_instalment_survives_a_round_trip_through_the_claim_record() -> None:
    assert [Instalment.from_dict(i.to_dict()) for i in PLAN] == list(PLAN)


def test_a_plan_never_breaks_over_an_instalment_the_debtor_was_not_reminded_of() -> None:
    # GIVEN the workflow first looks at the plan long after the first instalment's extra grace ended
    first = PLAN[0]
    late_look = first.due + timedelta(days=4 * DEFAULT_RULES.instalment_grace_days)

    state = evaluate_plan(PLAN, 0, late_look, DEFAULT_RULES)

    # THEN the debtor is reminded first, with a fresh grace period from today
    assert state.action == PlanAction.REMIND_LATE
    assert state.late_grace_until == (late_look + timedelta(days=DEFAULT_RULES.instalment_grace_days)).isoformat()
    # AND only when that grace, too, has passed is the plan broken
    after = evaluate_plan(PLAN, 0, late_look + timedelta(days=3), DEFAULT_RULES, **state.carry_over)
    assert after.action == PlanAction.BROKEN
